"""API.md's error shape, the domain errors that map to it, and the handlers that answer them.

One place maps errors to HTTP answers: handlers raise, they never build error bodies themselves.
Powertools answers a validation failure with 422 and its own body; API.md wants 400
VALIDATION_ERROR with field-level details, so the handler below reshapes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import Field

from shared.pricing import PricingError, SourceNotAllowed, SourceRequired, UnknownBillingTag, UnknownChannel
from shared.refusals import ApiError, RefusalDetail
from shared.web.model import AnswerModel

logger = Logger(child=True)


class ErrorDetail(AnswerModel):
    field: str = Field(description="Where the problem is, e.g. calls[3].occurred_at")
    problem: str


class ErrorBody(AnswerModel):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", examples=["VALIDATION_ERROR"])
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(AnswerModel):
    """Every error the API answers, whatever the status."""

    error: ErrorBody


def error_response(
    status: int, code: str, message: str, details: Sequence[ErrorDetail | RefusalDetail] = ()
) -> Response:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
    )


def field_path(location: Sequence[Any]) -> str:
    """('body', 'calls', 3, 'occurred_at') -> 'calls[3].occurred_at'; ('query', 'calls') -> 'calls'."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validation_details(errors: Sequence[dict[str, Any]]) -> list[ErrorDetail]:
    return [
        ErrorDetail(field=field_path(error.get("loc", ())), problem=error.get("msg", "invalid")) for error in errors
    ]


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Answer every failure of `app` in API.md's error shape."""

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        details = validation_details(error.errors())
        return error_response(400, "VALIDATION_ERROR", "The request is malformed; nothing was stored.", details)

    @app.exception_handler(UnicodeDecodeError)
    def _not_utf8(_: UnicodeDecodeError) -> Response:
        # A body of bytes that are not UTF-8 comes base64-encoded; powertools fails decoding it to text.
        details = [ErrorDetail(field="body", problem="The body is not UTF-8 text.")]
        return error_response(400, "VALIDATION_ERROR", "The request is malformed; nothing was stored.", details)

    @app.exception_handler(PricingError)
    def _bad_pricing_input(error: PricingError) -> Response:
        # Bad input the pricing package caught (a channel, source or tag it does not know): a parameter error.
        field = {UnknownChannel: "channel", SourceRequired: "source", SourceNotAllowed: "source",
                 UnknownBillingTag: "billing_tag"}.get(type(error), "body")
        details = [ErrorDetail(field=field, problem=str(error))]
        return error_response(400, "VALIDATION_ERROR", "The request is malformed; nothing was stored.", details)

    @app.exception_handler(ApiError)
    def _refused(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message, error.details)

    @app.not_found
    def _no_such_route(_: NotFoundError) -> Response:
        path = app.current_event.path
        return error_response(404, "NOT_FOUND", f"No route {app.current_event.http_method} {path}.")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unhandled error", extra={"error_type": type(error).__name__})
        message = "An unexpected error occurred; retrying with the same client id is safe."
        return error_response(500, "INTERNAL_ERROR", message)
