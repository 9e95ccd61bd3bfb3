"""A call as producers report it (API.md, "Calls"), parsed and checked field by field with `CallIn`.

The same model reads a call of POST /v1/calls and of an ingest-queue message (functions/ingest/models.py
has their envelope), so it is the domain's and not the web layer's.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
)

from shared.instants import is_rfc_3339, parse_instant
from shared.pricing import normalize_return_code

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


class CallIn(BaseModel):
    """One call as a producer reports it. Unknown fields are refused, so a misspelt one is not lost.

    Its validator is built on first use (`defer_build`), as the web layer's models are: not at import."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

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


