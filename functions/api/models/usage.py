"""Answer models of live usage, the daily series, the entitlement answer and the call lookup."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.instants import format_instant
from shared.services.usage import CallLookup
from shared.usage.rules import DayCalls, DayUsage, EntitlementReason
from shared.web.model import AnswerModel
from shared.web.money import Money


class TagUsageOut(AnswerModel):
    billing_tag: str
    calls: int
    billable_calls: int
    unclassified_calls: int = Field(description="Calls with a return code no rule knows: never billed.")
    by_return_code: dict[str, int]
    estimated_pack_calls: int = Field(description="Of the unsettled billable calls, those packs will take.")
    estimated_postpaid_amount: Money = Field(description="What the rest will cost postpaid, at the unit price.")


class UsageOut(AnswerModel):
    date: date
    settled: bool
    tags: list[TagUsageOut]

    @classmethod
    def from_domain(cls, usage: DayUsage) -> UsageOut:
        return cls(date=usage.usage_date, settled=usage.settled, tags=usage.tags)


class TagCallsOut(AnswerModel):
    billing_tag: str
    calls: int
    billable_calls: int


class DayCallsOut(AnswerModel):
    date: date
    calls: int = Field(description="Every call of the day, of every tag.")
    billable_calls: int
    tags: list[TagCallsOut] = Field(description="The day's tags with calls, by tag id; empty on a day without calls.")

    @classmethod
    def from_domain(cls, day: DayCalls) -> DayCallsOut:
        return cls(date=day.usage_date, calls=day.calls, billable_calls=day.billable_calls, tags=day.tags)


class DailyUsageOut(AnswerModel):
    days: list[DayCallsOut] = Field(description="Every billing date of the range, oldest first.")


class EntitlementOut(AnswerModel):
    allowed: bool
    reason: EntitlementReason


class CallOut(AnswerModel):
    request_id: str
    channel: str
    source: str | None
    return_code: str
    occurred_at: str
    received_at: str
    billing_tag: str
    billing_date: date
    billable: bool
    reason: str = Field(examples=["BILLABLE_CODE", "FREE_CODE", "UNCLASSIFIED_CODE", "NFC_REPEAT_WITHIN_5_MIN"])
    nfc_req_id: str | None = None
    settled: bool

    @classmethod
    def from_domain(cls, found: CallLookup) -> CallOut:
        call = found.call
        return cls(
            request_id=call.request_id,
            channel=call.channel,
            source=call.source,
            return_code=call.return_code,
            occurred_at=format_instant(call.occurred_at),
            received_at=format_instant(call.received_at),
            billing_tag=call.billing_tag,
            billing_date=call.billing_date,
            billable=call.billable,
            reason=call.reason.value,
            nfc_req_id=call.nfc_req_id,
            settled=found.settled,
        )
