"""Field types every HTTP function reads and answers the same way: ids, instants, billing tags."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.instants import EARLIEST_DAY, LATEST_DAY, format_instant, parse_instant
from shared.pricing import PRICE_BOOK

ACCOUNT_ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"

AccountId = Annotated[str, Path(pattern=ACCOUNT_ID_PATTERN, description="The account's id.")]
"""The account id in a route's path."""

ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN, description="Chosen by the client; idempotent.")]
"""purchase_id, recharge_id, grant_id, refund_id: chosen by the client."""


def _instant_from_text(value: object) -> datetime:
    # RFC 3339 with an offset only: a number or a naive time would be guessed at, never read.
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 string with an offset, e.g. 2026-03-01T09:00:00+08:00")
    try:
        instant = parse_instant(value)
    except ValueError:
        raise ValueError("must be RFC 3339 with an offset, e.g. 2026-03-01T09:00:00+08:00") from None
    # The years every other date of the API lies in: an account activated in year 1 would be settled monthly
    # from a calendar no one bills in.
    if not EARLIEST_DAY.year <= instant.astimezone(UTC).year <= LATEST_DAY.year:
        raise ValueError(f"must lie in the years {EARLIEST_DAY.year} to {LATEST_DAY.year}")
    return instant


InstantIn = Annotated[
    datetime,
    BeforeValidator(_instant_from_text),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-01T09:00:00+08:00"]}),
]
"""An instant in a request: RFC 3339 with an offset (or Z)."""

InstantOut = Annotated[
    datetime,
    PlainSerializer(format_instant, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-01T09:00:00+08:00"]}),
]
"""An instant in an answer: RFC 3339 in +08:00."""


def _known_billing_tag(value: str) -> str:
    if value not in PRICE_BOOK:
        raise ValueError(f"unknown billing tag {value!r}; see GET /v1/catalog")
    return value


KnownBillingTag = Annotated[
    str,
    AfterValidator(_known_billing_tag),
    WithJsonSchema({"type": "string", "enum": list(PRICE_BOOK), "examples": ["enhanced_authority_wechat"]}),
]
"""A billing tag id of the catalog."""
