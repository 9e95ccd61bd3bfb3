"""Periods and runs: which days a run closes, in the billing zone, with and without daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.pricing import SettlementCycle
from shared.settlement.periods import Period, SettlementRun, period_containing

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
DAILY, MONTHLY = SettlementCycle.DAILY, SettlementCycle.MONTHLY


def run(cycle: SettlementCycle, at: str, zone: ZoneInfo = SHANGHAI) -> SettlementRun:
    return SettlementRun(cycle, datetime.fromisoformat(at), zone)


def test_the_midnight_run_closes_the_day_before_and_not_the_day_it_runs():
    midnight = run(DAILY, "2026-03-01T16:00:00Z")  # 00:00 on 03-02 in Shanghai

    assert midnight.run_date == date(2026, 3, 2)
    assert midnight.target == Period(date(2026, 3, 1), date(2026, 3, 1), DAILY)
    assert midnight.closes(date(2026, 3, 1)) and not midnight.closes(date(2026, 3, 2))


def test_one_second_before_midnight_the_day_is_still_open():
    late = run(DAILY, "2026-03-01T15:59:59Z")  # 23:59:59 on 03-01 in Shanghai

    assert late.target.start == date(2026, 2, 28)
    assert not late.closes(date(2026, 3, 1))


@pytest.mark.parametrize(("midnight_utc", "closed_day"), [
    ("2026-03-08T05:00:00Z", date(2026, 3, 7)),  # EST midnight before the 23-hour day
    ("2026-03-09T04:00:00Z", date(2026, 3, 8)),  # EDT midnight after it
    ("2026-11-01T04:00:00Z", date(2026, 10, 31)),  # EDT midnight before the 25-hour day
    ("2026-11-02T05:00:00Z", date(2026, 11, 1)),  # EST midnight after it
])
def test_runs_in_a_zone_with_daylight_saving_close_the_local_day_before(midnight_utc, closed_day):
    assert run(DAILY, midnight_utc, NEW_YORK).target.start == closed_day


def test_the_monthly_run_on_the_1st_closes_last_month():
    first = run(MONTHLY, "2026-02-28T16:00:00Z")  # 00:00 on 03-01 in Shanghai

    assert first.target == Period(date(2026, 2, 1), date(2026, 2, 28), MONTHLY)
    assert first.closes(date(2026, 2, 28)) and not first.closes(date(2026, 3, 1))


def test_a_monthly_run_by_hand_mid_month_never_closes_the_month_it_runs_in():
    by_hand = run(MONTHLY, "2026-03-15T09:00:00+08:00")

    assert by_hand.target.start == date(2026, 2, 1)
    assert not by_hand.closes(date(2026, 3, 14))


@pytest.mark.parametrize(("day", "start", "end"), [
    (date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),
    (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
])
def test_a_monthly_period_is_its_calendar_month(day, start, end):
    assert period_containing(day, MONTHLY) == Period(start, end, MONTHLY)
    assert day in period_containing(day, MONTHLY)


def test_a_run_needs_an_instant_with_an_offset():
    with pytest.raises(ValueError, match="offset"):
        SettlementRun(DAILY, datetime(2026, 3, 2), SHANGHAI)
    assert SettlementRun(DAILY, datetime(2026, 3, 2, tzinfo=UTC), SHANGHAI).run_date == date(2026, 3, 2)
