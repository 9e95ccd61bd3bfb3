"""The base of every request and answer model of the HTTP handlers."""

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """`defer_build`: a model's validator and serializer are built the first time it is used, not at import.

    A cold handler then builds only what the route it serves needs (a few ms) instead of every model of every
    route (about 0.1 s of the api function's cold start; benchmarks/cold_import.py).
    """

    model_config = ConfigDict(defer_build=True)
