"""The request and answer of POST /v1/calls (API.md, "Calls") and the envelope of each ingest-queue message.

The envelope takes each call as a plain object: every call is then parsed on its own with `CallIn`, so one
bad call is rejected alone while the others go in. Only a malformed envelope (not JSON, no `calls` list, 0 or
more than 500 calls) refuses the whole request."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from shared.ingestion.models import MAX_CALLS_PER_BATCH, CallIn
from shared.ingestion.outcomes import CallOutcome
from shared.web.model import AnswerModel, RequestModel


def _document_calls_as_call_in(schema: dict[str, Any]) -> None:
    # Each call is validated alone (one bad call does not refuse the batch), so the field takes dicts; the
    # document shows CallIn's schema for them, built only when the document is (not at import: cold start).
    schema["items"] = {key: value for key, value in CallIn.model_json_schema().items() if key != "title"}


class CallsIn(RequestModel):
    """The envelope of POST /v1/calls and of each message of the ingest queue."""

    calls: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_CALLS_PER_BATCH, description="1 to 500 calls, each accepted or rejected alone.",
        json_schema_extra=_document_calls_as_call_in,
    )


class CallError(AnswerModel):
    code: str = Field(examples=["CALL_TOO_OLD"])
    message: str
    field: str | None = Field(default=None, examples=["calls[3].occurred_at"])


class CallResult(AnswerModel):
    request_id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    billable: bool | None = None
    billing_tag: str | None = None
    billing_date: date | None = Field(default=None, description="YYYY-MM-DD in the billing time zone.")
    error: CallError | None = None


class CallsOut(AnswerModel):
    results: list[CallResult] = Field(description="One result per call, in the order of the request.")


def call_result(outcome: CallOutcome) -> CallResult:
    rejection = outcome.rejection
    return CallResult(
        request_id=outcome.request_id,
        status=outcome.status.value,
        billable=outcome.billable,
        billing_tag=outcome.billing_tag,
        billing_date=outcome.billing_date,
        error=None if rejection is None else CallError(code=rejection.code.value, message=rejection.message,
                                                      field=rejection.field),
    )
