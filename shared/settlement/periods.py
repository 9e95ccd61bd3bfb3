"""Settlement periods and runs: which days a bill covers, and which periods a run may close.

A period is a run of billing dates (a day for daily accounts, a calendar month for monthly ones), so
its length in hours never matters: a 23- or 25-hour day in a zone with daylight saving is one date like
any other. The only instant here is the run's scheduled time, turned into a billing date in the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.pricing import SettlementCycle, billing_date
from shared.pricing.cycle import Month


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # included
    cycle: SettlementCycle

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def period_containing(day: date, cycle: SettlementCycle) -> Period:
    if cycle is SettlementCycle.DAILY:
        return Period(day, day, cycle)
    month = Month.of(day)
    return Period(month.first_day, month.last_day, cycle)


@dataclass(frozen=True)
class SettlementRun:
    """One firing of a settlement schedule: its cycle and scheduled instant (the run's "now")."""

    cycle: SettlementCycle
    run_at: datetime
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.run_at.tzinfo is None:
            raise ValueError("run_at must carry an offset")

    @property
    def run_date(self) -> date:
        return billing_date(self.run_at, self.zone)

    @property
    def closed_before(self) -> date:
        """The first day of the period still open at this run: every day before it is in a closed period."""
        return period_containing(self.run_date, self.cycle).start

    @property
    def target(self) -> Period:
        """The last period closed at this run: yesterday, or last month (whenever in the month it runs)."""
        return period_containing(self.closed_before - timedelta(days=1), self.cycle)

    def closes(self, day: date) -> bool:
        return day < self.closed_before
