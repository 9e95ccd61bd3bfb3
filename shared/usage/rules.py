"""Pure rules of the usage and entitlement answers.

Estimates run the real deduction (shared.pricing.deduct) over every day not settled yet, oldest
first, so a day's estimate accounts for what earlier unsettled days will take from the packs.
Entitlement asks the same question for one more call today: would it land in a pack?
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from shared.date_ranges import billing_date_range
from shared.pricing import PackBalance, Usage, deduct, get_tag, line_amount


class DayCounter(Protocol):
    """What the usage counters hold for one account, day and tag (shared.store.usage.UsageCounter)."""

    usage_date: date
    billing_tag: str
    calls: int
    billable: int
    unclassified: int
    by_return_code: Mapping[str, int]

    @property
    def unsettled_billable(self) -> int: ...


@dataclass(frozen=True)
class TagUsage:
    billing_tag: str
    calls: int
    billable_calls: int
    unclassified_calls: int
    by_return_code: Mapping[str, int]
    estimated_pack_calls: int
    estimated_postpaid_amount: Decimal


@dataclass(frozen=True)
class DayUsage:
    usage_date: date
    settled: bool
    tags: tuple[TagUsage, ...]


def _unsettled(counters: Sequence[DayCounter]) -> list[Usage]:
    return [Usage(c.usage_date, c.billing_tag, c.unsettled_billable) for c in counters if c.unsettled_billable > 0]


def day_usage(day: date, today: date, counters: Sequence[DayCounter], packs: Sequence[PackBalance]) -> DayUsage:
    """The usage of `day`, with estimates of the packs and postpaid its unsettled calls will take.

    `counters` are the account's counters of every day that may still be unsettled (not only `day`).
    """
    lines = {(line.usage_date, line.billing_tag): line for line in deduct(_unsettled(counters), packs).lines}
    of_the_day = sorted((c for c in counters if c.usage_date == day), key=lambda c: c.billing_tag)
    tags = []
    for counter in of_the_day:
        line = lines.get((day, counter.billing_tag))
        postpaid_calls = line.postpaid_calls if line else 0
        tags.append(
            TagUsage(
                billing_tag=counter.billing_tag,
                calls=counter.calls,
                billable_calls=counter.billable,
                unclassified_calls=counter.unclassified,
                by_return_code=dict(counter.by_return_code),
                estimated_pack_calls=line.prepaid_calls if line else 0,
                estimated_postpaid_amount=line_amount(postpaid_calls, get_tag(counter.billing_tag).unit_price),
            )
        )
    settled = day < today and all(c.unsettled_billable == 0 for c in of_the_day)
    return DayUsage(usage_date=day, settled=settled, tags=tuple(tags))


class EntitlementReason(StrEnum):
    OK = "OK"
    SUSPENDED = "SUSPENDED"
    RELEASED = "RELEASED"
    NO_PREPAID_LEFT_AND_POSTPAID_DISABLED = "NO_PREPAID_LEFT_AND_POSTPAID_DISABLED"


def entitlement(
    status: str,
    postpaid_enabled: bool,
    billing_tag: str,
    today: date,
    counters: Sequence[DayCounter],
    packs: Sequence[PackBalance],
) -> EntitlementReason:
    """May the account make one more call of `billing_tag` now? (arrears still serves: DESIGN.md)"""
    if status == "suspended":
        return EntitlementReason.SUSPENDED
    if status == "released":
        return EntitlementReason.RELEASED
    if postpaid_enabled:
        return EntitlementReason.OK
    one_more = Usage(today, billing_tag, 1)
    # Every unsettled call of every day comes first; the extra call is the last one of today.
    result = deduct([*_unsettled(counters), one_more], packs)
    last_of_today = [line for line in result.lines if line.usage_date == today and line.billing_tag == billing_tag]
    if last_of_today and last_of_today[-1].postpaid_calls == 0:
        return EntitlementReason.OK
    return EntitlementReason.NO_PREPAID_LEFT_AND_POSTPAID_DISABLED


# -- The daily series: calls and billable calls per billing date and tag, for the console's chart.

SERIES_DEFAULT_DAYS = 30
SERIES_MAX_DAYS = 366


@dataclass(frozen=True)
class TagCalls:
    billing_tag: str
    calls: int
    billable_calls: int


@dataclass(frozen=True)
class DayCalls:
    usage_date: date
    calls: int
    billable_calls: int
    tags: tuple[TagCalls, ...]


def series_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The billing dates of a series, both included: the 30 days up to `today` by default, at most 366."""
    return billing_date_range(first, last, today, default_days=SERIES_DEFAULT_DAYS, max_days=SERIES_MAX_DAYS,
                              what="series")


def daily_calls(first: date, last: date, counters: Sequence[DayCounter]) -> list[DayCalls]:
    """Every billing date from `first` to `last`, oldest first, a day without calls included with zeros."""
    by_day: dict[date, list[TagCalls]] = {}
    for counter in sorted(counters, key=lambda c: (c.usage_date, c.billing_tag)):
        if first <= counter.usage_date <= last:
            by_day.setdefault(counter.usage_date, []).append(
                TagCalls(counter.billing_tag, counter.calls, counter.billable))
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        tags = tuple(by_day.get(day, ()))
        days.append(DayCalls(day, sum(t.calls for t in tags), sum(t.billable_calls for t in tags), tags))
    return days
