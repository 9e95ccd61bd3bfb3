"""Billing months and ranges of billing dates as the API reads them. A billing date is a calendar day in the
billing time zone, so a month (shared.pricing.cycle.Month) runs from 00:00 of its 1st to 00:00 of the next
month's 1st in that zone."""

from __future__ import annotations

from datetime import date

from shared.date_ranges import billing_date_range, day_within_reach
from shared.pricing.cycle import Month

MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"

DEFAULT_RANGE_DAYS = 31
MAX_RANGE_DAYS = 366


def parse_month(text: str) -> Month:
    """Read YYYY-MM (MONTH_PATTERN): "2026-03" is Month(2026, 3)."""
    return Month.of(day_within_reach("month", date.fromisoformat(f"{text}-01")))


def bill_date_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The billing dates a bill list covers: the last DEFAULT_RANGE_DAYS up to `today` by default."""
    return billing_date_range(first, last, today, default_days=DEFAULT_RANGE_DAYS, max_days=MAX_RANGE_DAYS)


