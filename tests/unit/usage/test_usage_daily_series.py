"""The daily series behind the console's usage chart: every day of a range, with zeros where nothing was called."""

from __future__ import annotations

from datetime import date

import pytest

from shared.refusals import InvalidField
from shared.store.usage import UsageCounter
from shared.usage.rules import DayCalls, TagCalls, daily_calls, series_range

FACE = "enhanced_authority_wechat"
RISK = "face_risk_detection"
TODAY = date(2026, 3, 10)


def counter(day: date, tag: str, calls: int, billable: int) -> UsageCounter:
    return UsageCounter(day, tag, calls, billable, 0, {"0": billable})


def test_every_day_of_the_range_is_in_the_series_with_zeros_where_nothing_was_called():
    series = daily_calls(date(2026, 3, 8), TODAY, [counter(date(2026, 3, 9), FACE, 5, 3)])

    assert series == [
        DayCalls(date(2026, 3, 8), 0, 0, ()),
        DayCalls(date(2026, 3, 9), 5, 3, (TagCalls(FACE, 5, 3),)),
        DayCalls(TODAY, 0, 0, ()),
    ]


def test_a_day_sums_its_tags_and_lists_them_by_tag_id():
    (day,) = daily_calls(TODAY, TODAY, [counter(TODAY, RISK, 10, 10), counter(TODAY, FACE, 4, 1)])

    assert (day.calls, day.billable_calls) == (14, 11)
    assert [tag.billing_tag for tag in day.tags] == [FACE, RISK]


def test_counters_outside_the_range_are_left_out():
    series = daily_calls(TODAY, TODAY, [counter(date(2026, 3, 9), FACE, 5, 5), counter(TODAY, FACE, 1, 1)])

    assert [(day.usage_date, day.calls) for day in series] == [(TODAY, 1)]


def test_the_default_range_is_the_30_days_up_to_today():
    assert series_range(None, None, TODAY) == (date(2026, 2, 9), TODAY)


def test_a_range_given_only_its_end_covers_the_30_days_up_to_it():
    assert series_range(None, date(2026, 1, 30), TODAY) == (date(2026, 1, 1), date(2026, 1, 30))


def test_a_range_that_ends_before_it_starts_is_refused_on_from():
    with pytest.raises(InvalidField) as refused:
        series_range(date(2026, 3, 11), TODAY, TODAY)

    assert refused.value.details[0].field == "from"


def test_a_range_of_more_than_366_days_is_refused():
    assert series_range(date(2025, 3, 10), TODAY, TODAY)[0] == date(2025, 3, 10)
    with pytest.raises(InvalidField):
        series_range(date(2025, 3, 9), TODAY, TODAY)


def test_a_date_far_out_of_reach_is_refused_rather_than_overflowing():
    with pytest.raises(InvalidField) as refused:
        series_range(None, date(1, 1, 5), TODAY)

    assert refused.value.details[0].field == "to"
