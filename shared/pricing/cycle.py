"""Billing days, billing months and settlement cycles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

BEIJING = timezone(timedelta(hours=8))

# Accounts activated from this instant on settle daily; those activated before keep monthly settlement.
DAILY_SETTLEMENT_FROM = datetime(2023, 1, 4, 0, 0, tzinfo=BEIJING)

MAX_LATENESS = timedelta(days=35)  # a call may arrive this long after it happened (API.md)
# No day older than this can hold calls still unsettled that a run has not already found: calls are at most
# MAX_LATENESS late, and the margin covers a settlement run that is a few days behind.
UNSETTLED_HORIZON = MAX_LATENESS + timedelta(days=10)


class SettlementCycle(StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"


def require_aware(instant: datetime, what: str = "instant") -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must carry a time zone; naive datetimes are ambiguous")
    return instant


def settlement_cycle(activated_at: datetime) -> SettlementCycle:
    activated = require_aware(activated_at, "activated_at").astimezone(UTC)
    return SettlementCycle.DAILY if activated >= DAILY_SETTLEMENT_FROM else SettlementCycle.MONTHLY


def billing_date(instant: datetime, zone: ZoneInfo) -> date:
    """The billing day an instant belongs to: its calendar date in the billing time zone."""
    return require_aware(instant).astimezone(zone).date()


def start_of_billing_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of `day` in `zone` (where midnight is skipped, the first instant that exists)."""
    # fold=0 maps a skipped midnight to the instant the clocks jump, and a repeated one to its first pass.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).astimezone(zone)


def billing_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a billing day; 23 or 25 hours long on daylight-saving days."""
    return start_of_billing_day(day, zone), start_of_billing_day(day + timedelta(days=1), zone)


@dataclass(frozen=True, order=True)
class Month:
    """A billing month: from 00:00 of its 1st to 00:00 of the next month's 1st in the billing time zone."""

    year: int
    month: int

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
