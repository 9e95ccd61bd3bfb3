"""The refusals the API answers with its own status and code (API.md's error list), free of any web layer.

Domain services raise these; shared/web/errors.py maps them to API.md's error shape. They live apart from
the web layer so that the scheduled and queue-driven jobs, which raise or catch them but answer no HTTP,
do not import powertools' event handler and pydantic at cold start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus


@dataclass(frozen=True)
class RefusalDetail:
    field: str
    problem: str


class ApiError(Exception):
    """A refusal the API answers with its own status and code (API.md's error list)."""

    status = HTTPStatus.BAD_REQUEST
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, details: Sequence[RefusalDetail] = (), code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = list(details)
        if code is not None:
            self.code = code


class ValidationFailed(ApiError):
    status = HTTPStatus.BAD_REQUEST
    code = "VALIDATION_ERROR"


class NotFound(ApiError):
    status = HTTPStatus.NOT_FOUND
    code = "NOT_FOUND"


class Conflict(ApiError):
    """A business rule refuses the request; `code` names the rule (e.g. INSUFFICIENT_BALANCE)."""

    status = HTTPStatus.CONFLICT
    code = "CONFLICT"


class InvalidField(ValidationFailed):
    """A well-formed request that a rule finds invalid in one field (nothing was stored)."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}", details=[RefusalDetail(field=field, problem=problem)])
