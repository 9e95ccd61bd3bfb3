"""The facts of the daily report: a day's calls by tag, its charges, the calls left in packs, the balance and
its runway."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from shared.notices.detail import Detail


class TagCalls(NamedTuple):
    tag: str | None
    calls: int
    billable_calls: int | None


class PackLeft(NamedTuple):
    tag: str | None
    remaining: int
    expires_at: datetime | None


class DailyReport(NamedTuple):
    day: date | None  # None: the text says "yesterday"
    calls: int  # the detail's total, else the sum of the tags'
    billable_calls: int | None
    tags: tuple[TagCalls, ...]  # those whose calls are known
    charges: Decimal | None  # None: the day is not settled yet
    packs_left: tuple[PackLeft, ...]  # those whose remaining calls are known
    calls_left_in_packs: int | None  # None when no pack is listed
    balance: Decimal | None
    runway_days: int | None  # None: unknown, or no postpaid charges in the last 7 days


def daily_report(detail: Detail) -> DailyReport:
    tags = tuple(TagCalls(tag=tag.text("billing_tag"), calls=calls, billable_calls=tag.count("billable_calls"))
                 for tag in detail.parts("tags") if (calls := tag.count("calls")) is not None)
    total = detail.count("calls")
    packs_left = tuple(
        PackLeft(tag=pack.text("billing_tag"), remaining=remaining, expires_at=pack.instant("expires_at"))
        for pack in detail.parts("packs_left") if (remaining := pack.count("remaining")) is not None
    )
    return DailyReport(
        day=detail.day("date"),
        calls=sum(tag.calls for tag in tags) if total is None else total,
        billable_calls=detail.count("billable_calls"),
        tags=tags,
        charges=detail.money("charges"),
        packs_left=packs_left,
        calls_left_in_packs=sum(pack.remaining for pack in packs_left) if packs_left else None,
        balance=detail.money("balance"),
        runway_days=detail.count("runway_days"),
    )
