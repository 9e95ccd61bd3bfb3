"""The request and answer models of call ingestion (API.md, "Calls").

The envelope takes each call as a plain object: every call is then parsed on its own with `CallIn`,
so one bad call is rejected alone while the others go in. Only a malformed envelope (not JSON, no
`calls` list, 0 or more than 500 calls) refuses the whole request.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
)

from shared.ingestion.outcomes import CallOutcome
from shared.instants import is_rfc_3339, parse_instant
from shared.pricing import normalize_return_code
from shared.web.model import ApiModel

MAX_CALLS_PER_BATCH = 500
MAX_RETURN_CODE_LENGTH = 64



def _return_code(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("a return code is a string or an integer")
    try:
        code = normalize_return_code(value)
    except ValueError:
        raise ValueError("a return code cannot be empty") from None
    if len(code) > MAX_RETURN_CODE_LENGTH:
        raise ValueError(f"a return code has at most {MAX_RETURN_CODE_LENGTH} characters")
    return code


def _instant(value: object) -> datetime:
    if not isinstance(value, str) or not is_rfc_3339(value):
        raise ValueError("an instant is RFC 3339 with an offset, e.g. 2026-03-01T09:30:00+08:00")
    try:
        return parse_instant(value)
    except ValueError as error:
        raise ValueError(f"not a valid instant: {error}") from None


# A lone surrogate cannot be encoded in the answer that echoes the id; a control character hides in logs.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _printable(value: str) -> str:
    if _UNPRINTABLE.search(value):
        raise ValueError("an id holds no control characters and no lone surrogates")
    return value


Identifier = Annotated[StrictStr, StringConstraints(min_length=1, max_length=128), AfterValidator(_printable)]

ReturnCode = Annotated[
    str,
    PlainValidator(_return_code),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1, "maxLength": MAX_RETURN_CODE_LENGTH},
                              {"type": "integer"}],
                    "description": "The vendor's return code; an integer is kept as its decimal string.",
                    "examples": [0, "66660004", "FailedOperation.IdNameMisMatch"]}),
]

Instant = Annotated[
    datetime,
    PlainValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-01T09:30:00+08:00"]}),
]


class CallIn(ApiModel):
    """One call as a producer reports it. Unknown fields are refused, so a misspelt one is not lost."""

    model_config = ConfigDict(extra="forbid")

    request_id: Identifier = Field(description="Unique per account; repeating it with the same call is a duplicate.")
    account_id: Identifier
    channel: Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)] = Field(
        description="A channel id of GET /v1/catalog, e.g. enhanced.wechat_miniprogram."
    )
    source: Annotated[StrictStr, StringConstraints(min_length=1, max_length=32)] | None = Field(
        default=None, description="authority or upload, for the channels whose tag the source picks."
    )
    return_code: ReturnCode
    occurred_at: Instant
    nfc_req_id: Identifier | None = Field(default=None, description="The 实证 NFC reqId (channel nfc).")


def _document_calls_as_call_in(schema: dict[str, Any]) -> None:
    # Each call is validated alone (one bad call does not refuse the batch), so the field takes dicts; the
    # document shows CallIn's schema for them, built only when the document is (not at import: cold start).
    schema["items"] = {key: value for key, value in CallIn.model_json_schema().items() if key != "title"}


class CallsIn(ApiModel):
    """The envelope of POST /v1/calls and of each message of the ingest queue."""

    model_config = ConfigDict(extra="forbid")

    calls: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_CALLS_PER_BATCH, description="1 to 500 calls, each accepted or rejected alone.",
        json_schema_extra=_document_calls_as_call_in,
    )


class CallError(ApiModel):
    code: str = Field(examples=["CALL_TOO_OLD"])
    message: str
    field: str | None = Field(default=None, examples=["calls[3].occurred_at"])


class CallResult(ApiModel):
    request_id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    billable: bool | None = None
    billing_tag: str | None = None
    billing_date: date | None = Field(default=None, description="YYYY-MM-DD in the billing time zone.")
    error: CallError | None = None


class CallsOut(ApiModel):
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
