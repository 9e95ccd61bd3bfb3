"""Billing months and the date range of the bill list, in the billing time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.bills.months import bill_date_range, parse_month
from shared.pricing.cycle import Month
from shared.refusals import InvalidField

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def test_a_month_reads_and_writes_as_yyyy_mm():
    assert parse_month("2026-03") == Month(2026, 3)
    assert str(Month(2026, 3)) == "2026-03"


@pytest.mark.parametrize(
    ("month", "last_day", "following"),
    [(Month(2024, 2), date(2024, 2, 29), Month(2024, 3)), (Month(2026, 12), date(2026, 12, 31), Month(2027, 1))],
)
def test_a_month_knows_its_last_day_and_the_month_after(month, last_day, following):
    assert month.last_day == last_day
    assert month.following() == following


def test_a_month_contains_exactly_its_own_days():
    march = Month(2026, 3)

    assert date(2026, 3, 1) in march and date(2026, 3, 31) in march
    assert date(2026, 2, 28) not in march and date(2026, 4, 1) not in march and date(2025, 3, 15) not in march


def test_a_month_in_shanghai_runs_from_00_00_of_the_1st_to_00_00_of_the_next_1st():
    start, end = Month(2026, 3).bounds(SHANGHAI)

    assert start == datetime.fromisoformat("2026-03-01T00:00:00+08:00")
    assert end == datetime.fromisoformat("2026-04-01T00:00:00+08:00")


def test_a_month_in_a_daylight_saving_zone_is_an_hour_short_when_the_clocks_go_forward_in_it():
    start, end = Month(2026, 3).bounds(NEW_YORK)

    assert start == datetime.fromisoformat("2026-03-01T00:00:00-05:00")
    assert end == datetime.fromisoformat("2026-04-01T00:00:00-04:00")
    # Subtracting two times of one zone would compare wall clocks: compare the instants in UTC.
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 31 * 24 * 3600 - 3600


def test_the_bill_list_covers_the_last_31_days_up_to_today_by_default():
    assert bill_date_range(None, None, date(2026, 3, 31)) == (date(2026, 3, 1), date(2026, 3, 31))


def test_a_bill_list_with_only_an_end_covers_the_31_days_up_to_it():
    assert bill_date_range(None, date(2026, 2, 28), date(2026, 3, 31)) == (date(2026, 1, 29), date(2026, 2, 28))


def test_a_bill_list_with_only_a_start_runs_up_to_today():
    assert bill_date_range(date(2026, 1, 1), None, date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 31))


def test_a_range_that_ends_before_it_starts_is_refused_on_the_from_field():
    with pytest.raises(InvalidField) as refused:
        bill_date_range(date(2026, 3, 2), date(2026, 3, 1), date(2026, 3, 31))

    assert refused.value.details[0].field == "from"


def test_a_range_may_cover_366_days_and_no_more():
    assert bill_date_range(date(2025, 1, 1), date(2026, 1, 1), date(2026, 3, 31)) == (date(2025, 1, 1),
                                                                                      date(2026, 1, 1))
    with pytest.raises(InvalidField, match="366 days"):
        bill_date_range(date(2024, 12, 31), date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize("text", ["1969-12", "3000-01"])
def test_a_month_out_of_reach_is_refused_on_the_month_field(text):
    with pytest.raises(InvalidField) as refused:
        parse_month(text)

    assert refused.value.details[0].field == "month"


def test_a_date_out_of_reach_is_refused_on_its_own_field():
    with pytest.raises(InvalidField) as refused:
        bill_date_range(None, date(3000, 1, 1), date(2026, 3, 31))

    assert refused.value.details[0].field == "to"
