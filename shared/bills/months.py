"""Billing months and ranges of billing dates. A billing date is a calendar day in the billing time zone,
so a month runs from 00:00 of its 1st to 00:00 of the next month's 1st in that zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.accounts.errors import InvalidField
from shared.pricing import start_of_billing_day

MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"

DEFAULT_RANGE_DAYS = 31
MAX_RANGE_DAYS = 366
# Dates far from now would only overflow the date arithmetic of a query that can find nothing anyway.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read YYYY-MM (MONTH_PATTERN): "2026-03" is Month(2026, 3)."""
        first = _within_reach("month", date.fromisoformat(f"{text}-01"))
        return cls(first.year, first.month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.following().first_day - timedelta(days=1)

    def following(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def __contains__(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) of the month in `zone`: 00:00 of the 1st to 00:00 of the next month's 1st."""
        return start_of_billing_day(self.first_day, zone), start_of_billing_day(self.following().first_day, zone)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def bill_date_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The billing dates a bill list covers, both included: up to `today` and over the last 31 days by default.

    Refuses a range that ends before it starts or spans more than MAX_RANGE_DAYS (one query must stay small).
    """
    last = today if last is None else _within_reach("to", last)
    first = last - timedelta(days=DEFAULT_RANGE_DAYS - 1) if first is None else _within_reach("from", first)
    if first > last:
        raise InvalidField("from", f"{first.isoformat()} is after the end of the range, {last.isoformat()} (to; today "
                                   "by default)")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidField("from", f"a range covers at most {MAX_RANGE_DAYS} days; ask for several")
    return first, last


def _within_reach(field: str, day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidField(field, f"must lie from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}")
    return day
