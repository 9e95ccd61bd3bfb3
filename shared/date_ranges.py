"""Ranges of billing dates as the API reads them (`from` and `to`, both included), for bills and usage alike."""

from __future__ import annotations

from datetime import date, timedelta

from shared.instants import EARLIEST_DAY, LATEST_DAY
from shared.refusals import InvalidField


def billing_date_range(
    first: date | None, last: date | None, today: date, *, default_days: int, max_days: int, what: str = "range",
) -> tuple[date, date]:
    """The billing dates from `first` to `last`, both included: up to `today` and over `default_days` by default.

    Refuses a range that ends before it starts or spans more than `max_days` (one query must stay small);
    `what` names the range in that refusal.
    """
    last = today if last is None else day_within_reach("to", last)
    first = last - timedelta(days=default_days - 1) if first is None else day_within_reach("from", first)
    if first > last:
        raise InvalidField("from", f"{first.isoformat()} is after the end of the range, {last.isoformat()} (to; today "
                                   "by default)")
    if (last - first).days + 1 > max_days:
        raise InvalidField("from", f"a {what} covers at most {max_days} days; ask for several")
    return first, last


def day_within_reach(field: str, day: date) -> date:
    """`day`, or a refusal naming `field` if it lies outside the calendar the API accepts (1970-2999)."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidField(field, f"must lie from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}")
    return day
