"""The bases of every request and answer model of the HTTP handlers: one convention for all of them.

- Every model derives from `ApiModel`, through one of the two below, never from pydantic's BaseModel.
- A request body is a `RequestModel`: a field the API does not know is refused, never silently dropped.
- An answer is an `AnswerModel`: it reads the domain object its fields are named after, attributes and
  properties alike, so a route answers `AccountOut.model_validate(account)` rather than copying field by field.
  An answer whose names differ from its domain object's, or that joins several objects, has a small
  `from_domain` classmethod instead.
- Models live beside their function: functions/api/models/ has one module per resource of the api function,
  other functions have their own models.py; the field types and shapes several functions share live here,
  in shared/web (fields, money).
"""

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """`defer_build`: a model's validator and serializer are built the first time it is used, not at import.

    A cold handler then builds only what the route it serves needs (a few ms) instead of every model of every
    route (about 0.1 s of the api function's cold start; benchmarks/cold_import.py).
    """

    model_config = ConfigDict(defer_build=True)


class RequestModel(ApiModel):
    model_config = ConfigDict(extra="forbid")


class AnswerModel(ApiModel):
    model_config = ConfigDict(from_attributes=True)
