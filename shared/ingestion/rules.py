"""The pure part of ingestion: one raw call in, a valid call (with its bill decision) or a rejection out.

No I/O here: what needs the tables (the account exists, the request_id is free, the NFC reqId's
window) is decided by the service with the repositories.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from shared.ingestion.models import CallIn
from shared.ingestion.outcomes import Rejection, RejectionCode
from shared.instants import utc_text
from shared.pricing import (
    MAX_LATENESS,
    BillingDecision,
    SourceNotAllowed,
    SourceRequired,
    UnknownChannel,
    billing_date,
    billing_tag_for,
    classify_call,
    get_channel,
    is_nfc_window_start,
)

MAX_LEAD = timedelta(minutes=5)  # and this far "in the future", for producers whose clocks run fast
KEPT_MONTHS = 13  # raw calls are kept 13 months for bills and disputes (TTL)
# A window decides calls up to 5 minutes after its start, and such calls are accepted 35 days late.
NFC_WINDOW_KEPT = MAX_LATENESS + timedelta(days=1)

CallKey = tuple[str, str]


@dataclass(frozen=True)
class ValidCall:
    """A call that passed every check needing no table, with what its return code alone decides."""

    index: int
    account_id: str
    request_id: str
    channel: str
    source: str | None  # as given, or the one source the channel implies
    return_code: str  # normalized
    occurred_at: datetime  # in UTC
    nfc_req_id: str | None
    billing_tag: str
    billing_date: date
    fingerprint: str
    decision: BillingDecision  # by the return-code table in force that day; NFC windows come on top

    @property
    def key(self) -> CallKey:
        return (self.account_id, self.request_id)

    @property
    def needs_nfc_window(self) -> bool:
        """A billable NFC call: its reqId's window decides whether it is billed or a free repeat."""
        return is_nfc_window_start(self.decision, self.channel)

    def field(self, name: str) -> str:
        return field_path(self.index, name)


def field_path(index: int, name: str | None = None) -> str:
    return f"calls[{index}]" + (f".{name}" if name else "")


def fingerprint(channel: str, source: str | None, return_code: str, occurred_at: datetime,
                nfc_req_id: str | None) -> str:
    """What makes two calls with one request_id "the same call" (the request_id itself is the identity)."""
    canonical = json.dumps([channel, source, return_code, utc_text(occurred_at), nfc_req_id],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def request_id_of(raw: Any) -> str | None:
    """The request_id to echo in a call's result, when there is a usable one."""
    value = raw.get("request_id") if isinstance(raw, Mapping) else None
    return value if isinstance(value, str) and 1 <= len(value) <= 128 else None


def _problem(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def check_call(index: int, raw: Any, zone: ZoneInfo) -> ValidCall | Rejection:
    """Validate one raw call on its own; its channel, source and return code pick its tag and decision."""
    try:
        call = CallIn.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        name = str(first["loc"][0]) if first.get("loc") else None
        return Rejection(RejectionCode.VALIDATION_ERROR, _problem(first), field_path(index, name))
    try:
        tag = billing_tag_for(call.channel, call.source)
    except UnknownChannel:
        return Rejection(RejectionCode.UNKNOWN_CHANNEL, f"unknown channel {call.channel!r}: GET /v1/catalog lists "
                         "the channels", field_path(index, "channel"))
    except SourceRequired as error:
        return Rejection(RejectionCode.SOURCE_REQUIRED, str(error), field_path(index, "source"))
    except SourceNotAllowed as error:
        return Rejection(RejectionCode.VALIDATION_ERROR, str(error), field_path(index, "source"))
    source = call.source or get_channel(call.channel).implied_source
    occurred_at = call.occurred_at.astimezone(UTC)
    day = billing_date(occurred_at, zone)
    decision = classify_call(call.channel, call.return_code, day)
    if is_nfc_window_start(decision, call.channel) and call.nfc_req_id is None:
        return Rejection(RejectionCode.VALIDATION_ERROR, "an nfc call with a billable return code needs its "
                         "nfc_req_id (the 实证 NFC reqId) to place it in its 5-minute window",
                         field_path(index, "nfc_req_id"))
    return ValidCall(
        index=index,
        account_id=call.account_id,
        request_id=call.request_id,
        channel=call.channel,
        source=source,
        return_code=call.return_code,
        occurred_at=occurred_at,
        nfc_req_id=call.nfc_req_id,
        billing_tag=tag,
        billing_date=day,
        fingerprint=fingerprint(call.channel, source, call.return_code, occurred_at, call.nfc_req_id),
        decision=decision,
    )


def timing_refusal(call: ValidCall, now: datetime) -> Rejection | None:
    """CALL_TOO_OLD more than 35 days before now, CALL_IN_FUTURE more than 5 minutes after (bounds accepted)."""
    if call.occurred_at < now - MAX_LATENESS:
        return Rejection(RejectionCode.CALL_TOO_OLD, "the call happened more than 35 days ago; it can no longer "
                         "be recorded", call.field("occurred_at"))
    if call.occurred_at > now + MAX_LEAD:
        return Rejection(RejectionCode.CALL_IN_FUTURE, "the call happens more than 5 minutes from now; check the "
                         "producer's clock", call.field("occurred_at"))
    return None


def months_later(instant: datetime, months: int) -> datetime:
    """The same wall time `months` later, on the month's last day where the day does not exist."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    return instant.replace(year=year, month=month, day=min(instant.day, calendar.monthrange(year, month)[1]))


def expires_at(occurred_at: datetime) -> int:
    """The call's TTL: 13 months after it happened, in epoch seconds."""
    return int(months_later(occurred_at.astimezone(UTC), KEPT_MONTHS).timestamp())


def window_expires_at(first_billable_at: datetime) -> int:
    return int((first_billable_at + NFC_WINDOW_KEPT).timestamp())
