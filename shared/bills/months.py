"""Billing months and ranges of billing dates as the API reads them. A billing date is a calendar day in the
billing time zone, so a month (shared.pricing.cycle.Month) runs from 00:00 of its 1st to 00:00 of the next
month's 1st in that zone."""

from __future__ import annotations

from datetime import date, timedelta

from shared.instants import EARLIEST_DAY, LATEST_DAY
from shared.pricing.cycle import Month
from shared.refusals import InvalidField

MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"

DEFAULT_RANGE_DAYS = 31
MAX_RANGE_DAYS = 366


def parse_month(text: str) -> Month:
    """Read YYYY-MM (MONTH_PATTERN): "2026-03" is Month(2026, 3)."""
    return Month.of(_within_reach("month", date.fromisoformat(f"{text}-01")))


def billing_date_range(
    first: date | None, last: date | None, today: date, *, default_days: int, max_days: int, what: str = "range",
) -> tuple[date, date]:
    """The billing dates from `first` to `last`, both included: up to `today` and over `default_days` by default.

    Refuses a range that ends before it starts or spans more than `max_days` (one query must stay small);
    `what` names the range in that refusal.
    """
    last = today if last is None else _within_reach("to", last)
    first = last - timedelta(days=default_days - 1) if first is None else _within_reach("from", first)
    if first > last:
        raise InvalidField("from", f"{first.isoformat()} is after the end of the range, {last.isoformat()} (to; today "
                                   "by default)")
    if (last - first).days + 1 > max_days:
        raise InvalidField("from", f"a {what} covers at most {max_days} days; ask for several")
    return first, last


def bill_date_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The billing dates a bill list covers: the last DEFAULT_RANGE_DAYS up to `today` by default."""
    return billing_date_range(first, last, today, default_days=DEFAULT_RANGE_DAYS, max_days=MAX_RANGE_DAYS)


def _within_reach(field: str, day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidField(field, f"must lie from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}")
    return day
