import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from infra.local.schedule_expressions import InvalidScheduleExpression, parse_iso_duration, parse_schedule

SHANGHAI = timezone(timedelta(hours=8))


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def fires(expression: str, after: datetime, until: datetime, zone: str = "UTC", **options) -> list[datetime]:
    return list(parse_schedule(expression, zone, **options).fire_times(after, until))


def every(first: datetime, last: datetime, step: timedelta) -> list[datetime]:
    return [first + n * step for n in range((last - first) // step + 1)]


# --- cron ----------------------------------------------------------------------------------------


def test_daily_midnight_in_shanghai_fires_at_16_utc_on_each_day_in_the_half_open_interval():
    after = datetime(2026, 3, 1, tzinfo=SHANGHAI)
    until = datetime(2026, 3, 4, tzinfo=SHANGHAI)

    assert fires("cron(0 0 * * ? *)", after, until, "Asia/Shanghai") == [
        utc(2026, 3, 1, 16),
        utc(2026, 3, 2, 16),
        utc(2026, 3, 3, 16),
    ]


def test_fire_times_are_aware_utc_datetimes():
    (first,) = fires("cron(0 0 * * ? *)", utc(2026, 3, 1), utc(2026, 3, 2), "Asia/Shanghai")

    assert first.tzinfo is UTC


def test_first_of_month_fires_twelve_times_a_year_including_february():
    assert fires("cron(0 0 1 * ? *)", utc(2025, 12, 31, 12), utc(2026, 12, 31, 12)) == [
        utc(2026, month, 1) for month in range(1, 13)
    ]


def test_every_five_minutes_fires_twelve_times_an_hour():
    assert fires("cron(0/5 * * * ? *)", utc(2026, 5, 5, 10), utc(2026, 5, 5, 11)) == every(
        utc(2026, 5, 5, 10, 5), utc(2026, 5, 5, 11), timedelta(minutes=5)
    )


def test_minute_offset_with_step_starts_at_the_offset():
    assert fires("cron(7/20 9 * * ? *)", utc(2026, 5, 5), utc(2026, 5, 6)) == [
        utc(2026, 5, 5, 9, 7),
        utc(2026, 5, 5, 9, 27),
        utc(2026, 5, 5, 9, 47),
    ]


def test_lists_and_ranges_of_hours():
    assert fires("cron(30 8-10,17 * * ? *)", utc(2026, 5, 5), utc(2026, 5, 6)) == [
        utc(2026, 5, 5, 8, 30),
        utc(2026, 5, 5, 9, 30),
        utc(2026, 5, 5, 10, 30),
        utc(2026, 5, 5, 17, 30),
    ]


def test_a_year_of_five_minute_fires_in_utc_has_no_gap_and_no_repeat():
    schedule = parse_schedule("cron(0/5 * * * ? *)")

    assert sum(1 for _ in schedule.fire_times(utc(2026, 1, 1), utc(2027, 1, 1))) == 365 * 24 * 12


def test_a_sparse_day_rule_fires_only_on_its_days_all_year():
    # The first Monday of each month only: 12 days of 288 fires each in 2026.
    assert len(fires("cron(0/5 * ? * 2#1 *)", utc(2026, 1, 1), utc(2027, 1, 1))) == 12 * 288


def test_next_fire_finds_a_leap_day_years_ahead():
    assert parse_schedule("cron(0 0 29 2 ? *)").next_fire(utc(2026, 1, 1)) == utc(2028, 2, 29)


def test_next_fire_is_none_for_a_day_that_never_comes():
    assert parse_schedule("cron(0 0 30 2 ? *)").next_fire(utc(2026, 1, 1)) is None


def test_next_fire_is_strictly_after_the_given_instant():
    schedule = parse_schedule("cron(0 12 * * ? *)")

    assert schedule.next_fire(utc(2026, 5, 5, 12)) == utc(2026, 5, 6, 12)
    assert schedule.next_fire(utc(2026, 5, 5, 11, 59, 59)) == utc(2026, 5, 5, 12)


# --- L, W, #, names and years --------------------------------------------------------------------


def test_l_in_day_of_month_is_the_last_day_of_each_month():
    assert fires("cron(0 12 L * ? *)", utc(2028, 1, 1), utc(2028, 5, 1)) == [
        utc(2028, 1, 31, 12),
        utc(2028, 2, 29, 12),
        utc(2028, 3, 31, 12),
        utc(2028, 4, 30, 12),
    ]


def test_lw_is_the_last_weekday_of_each_month():
    # 2026-01-31 is a Saturday and 2026-05-31 a Sunday.
    assert fires("cron(0 12 LW * ? *)", utc(2026, 1, 1), utc(2026, 6, 1)) == [
        utc(2026, 1, 30, 12),
        utc(2026, 2, 27, 12),
        utc(2026, 3, 31, 12),
        utc(2026, 4, 30, 12),
        utc(2026, 5, 29, 12),
    ]


def test_w_is_the_nearest_weekday_within_the_month():
    # 2026-02-15 is a Sunday, 2026-08-15 a Saturday.
    assert fires("cron(0 12 15W * ? *)", utc(2026, 1, 1), utc(2026, 3, 1)) == [
        utc(2026, 1, 15, 12),
        utc(2026, 2, 16, 12),
    ]
    assert fires("cron(0 12 15W 8 ? *)", utc(2026, 1, 1), utc(2027, 1, 1)) == [utc(2026, 8, 14, 12)]


def test_w_on_a_saturday_first_of_month_moves_forward_to_monday():
    # 2026-08-01 is a Saturday: the Friday before is in July, so the 1W weekday is Monday the 3rd.
    assert fires("cron(0 12 1W 8 ? *)", utc(2026, 1, 1), utc(2027, 1, 1)) == [utc(2026, 8, 3, 12)]


def test_hash_is_the_nth_weekday_of_the_month():
    assert fires("cron(0 9 ? * 2#1 *)", utc(2026, 1, 1), utc(2026, 5, 1)) == [
        utc(2026, 1, 5, 9),
        utc(2026, 2, 2, 9),
        utc(2026, 3, 2, 9),
        utc(2026, 4, 6, 9),
    ]


def test_nl_in_day_of_week_is_the_last_such_weekday_of_the_month():
    assert fires("cron(0 9 ? * 6L *)", utc(2026, 1, 1), utc(2026, 4, 1)) == [
        utc(2026, 1, 30, 9),
        utc(2026, 2, 27, 9),
        utc(2026, 3, 27, 9),
    ]


def test_day_of_week_numbers_start_with_sunday_as_1_and_l_alone_is_saturday():
    week = (utc(2026, 5, 3, 12), utc(2026, 5, 10, 12))  # from Sunday 3 May noon to Sunday 10 May noon
    assert fires("cron(0 0 ? * 1 *)", *week) == [utc(2026, 5, 10)]
    assert fires("cron(0 0 ? * L *)", *week) == [utc(2026, 5, 9)]


def test_day_names_and_ranges_of_them():
    week = (utc(2026, 5, 3, 12), utc(2026, 5, 10, 12))
    weekdays = [utc(2026, 5, day, 8) for day in range(4, 9)]

    assert fires("cron(0 8 ? * MON-FRI *)", *week) == weekdays
    assert fires("cron(0 8 ? * 2-6 *)", *week) == weekdays
    assert fires("cron(0 8 ? * sat,SUN *)", *week) == [utc(2026, 5, 9, 8), utc(2026, 5, 10, 8)]


def test_month_names():
    assert fires("cron(0 0 1 JAN-MAR,DEC ? *)", utc(2026, 1, 1), utc(2026, 12, 31)) == [
        utc(2026, 2, 1),
        utc(2026, 3, 1),
        utc(2026, 12, 1),
    ]


def test_year_field_limits_the_years():
    schedule = parse_schedule("cron(0 0 1 1 ? 2027-2028)")

    assert list(schedule.fire_times(utc(2020, 1, 1), utc(2035, 1, 1))) == [utc(2027, 1, 1), utc(2028, 1, 1)]
    assert schedule.next_fire(utc(2028, 1, 1)) is None


# --- daylight saving time ------------------------------------------------------------------------
# America/New_York springs forward on 2026-03-08 (02:00 EST -> 03:00 EDT) and falls back on
# 2026-11-01 (02:00 EDT -> 01:00 EST).


def test_new_york_midnight_fires_at_local_midnight_around_the_23_hour_day():
    assert fires("cron(0 0 * * ? *)", utc(2026, 3, 7, 12), utc(2026, 3, 9, 12), "America/New_York") == [
        utc(2026, 3, 8, 5),
        utc(2026, 3, 9, 4),
    ]


def test_new_york_midnight_fires_at_local_midnight_around_the_25_hour_day():
    assert fires("cron(0 0 * * ? *)", utc(2026, 10, 31, 12), utc(2026, 11, 2, 12), "America/New_York") == [
        utc(2026, 11, 1, 4),
        utc(2026, 11, 2, 5),
    ]


def test_a_wall_time_skipped_by_spring_forward_does_not_fire_that_day():
    assert fires("cron(30 2 * * ? *)", utc(2026, 3, 6, 12), utc(2026, 3, 10, 12), "America/New_York") == [
        utc(2026, 3, 7, 7, 30),
        utc(2026, 3, 9, 6, 30),
        utc(2026, 3, 10, 6, 30),
    ]


def test_a_wall_time_repeated_by_fall_back_fires_once_at_its_first_occurrence():
    assert fires("cron(30 1 * * ? *)", utc(2026, 10, 31, 12), utc(2026, 11, 2, 12), "America/New_York") == [
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 2, 6, 30),
    ]


def test_every_five_minutes_loses_no_instant_when_clocks_spring_forward():
    assert fires("cron(0/5 * * * ? *)", utc(2026, 3, 8, 6), utc(2026, 3, 8, 8), "America/New_York") == every(
        utc(2026, 3, 8, 6, 5), utc(2026, 3, 8, 8), timedelta(minutes=5)
    )


def test_every_five_minutes_skips_the_repeated_hour_when_clocks_fall_back():
    before = every(utc(2026, 11, 1, 4, 5), utc(2026, 11, 1, 5, 55), timedelta(minutes=5))
    after = every(utc(2026, 11, 1, 7), utc(2026, 11, 1, 8), timedelta(minutes=5))

    assert fires("cron(0/5 * * * ? *)", utc(2026, 11, 1, 4), utc(2026, 11, 1, 8), "America/New_York") == (
        before + after
    )


def test_next_fire_from_inside_the_repeated_hour_is_the_hour_after_it():
    schedule = parse_schedule("cron(0/5 * * * ? *)", "America/New_York")

    assert schedule.next_fire(utc(2026, 11, 1, 6, 30)) == utc(2026, 11, 1, 7)


# --- rate and at ---------------------------------------------------------------------------------


def test_rate_of_five_minutes_fires_twelve_times_an_hour_aligned_to_the_epoch():
    assert fires("rate(5 minutes)", utc(2026, 5, 5, 10), utc(2026, 5, 5, 11)) == every(
        utc(2026, 5, 5, 10, 5), utc(2026, 5, 5, 11), timedelta(minutes=5)
    )


def test_rate_of_one_day_fires_daily_at_the_anchor_time_of_day():
    assert fires("rate(1 day)", utc(2026, 1, 1), utc(2026, 1, 4)) == [
        utc(2026, 1, 2),
        utc(2026, 1, 3),
        utc(2026, 1, 4),
    ]


def test_rate_days_are_24_hours_whatever_the_time_zone():
    assert fires("rate(1 day)", utc(2026, 3, 7), utc(2026, 3, 9), "America/New_York") == [
        utc(2026, 3, 8),
        utc(2026, 3, 9),
    ]


def test_rate_counts_from_the_start_and_fires_at_the_start_itself():
    start = utc(2026, 5, 5, 10, 30)

    assert fires("rate(2 hours)", utc(2026, 5, 5), utc(2026, 5, 5, 15), start=start) == [
        utc(2026, 5, 5, 10, 30),
        utc(2026, 5, 5, 12, 30),
        utc(2026, 5, 5, 14, 30),
    ]
    assert parse_schedule("rate(1 hour)", start=start).anchor == start


def test_cron_does_not_fire_before_the_start():
    assert fires("cron(0 * * * ? *)", utc(2026, 5, 5), utc(2026, 5, 5, 3), start=utc(2026, 5, 5, 1, 30)) == [
        utc(2026, 5, 5, 2),
        utc(2026, 5, 5, 3),
    ]


def test_at_fires_once_at_the_wall_time_of_its_zone():
    schedule = parse_schedule("at(2026-01-01T00:00:00)", "Asia/Shanghai")

    assert list(schedule.fire_times(utc(2025, 1, 1), utc(2027, 1, 1))) == [utc(2025, 12, 31, 16)]
    assert schedule.next_fire(utc(2025, 12, 31, 16)) is None


def test_naive_bounds_are_refused():
    schedule = parse_schedule("rate(1 hour)")

    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.fire_times(datetime(2026, 1, 1), utc(2026, 1, 2))
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.next_fire(datetime(2026, 1, 1))


# --- refused expressions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 0 * * ?)", "6 fields"),
        ("cron(0 0 * * * * *)", "6 fields"),
        ("cron(0 0 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 0 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(60 0 * * ? *)", "minutes: 60 is outside 0-59"),
        ("cron(0 24 * * ? *)", "hours: 24 is outside 0-23"),
        ("cron(0 0 32 * ? *)", "day-of-month: 32 is outside 1-31"),
        ("cron(0 0 * 13 ? *)", "month: 13 is outside 1-12"),
        ("cron(0 0 ? * 8 *)", "day-of-week: 8 is outside 1-7"),
        ("cron(0 0 ? * 0 *)", "day-of-week: 0 is outside 1-7"),
        ("cron(0 0 * * ? 2200)", "year: 2200 is outside 1970-2199"),
        ("cron(0 0 * * ? 1969)", "year: 1969 is outside 1970-2199"),
        ("cron(0 0 * FOO ? *)", "month: 'FOO' is not a valid value"),
        ("cron(0 0 ? * 2#6 *)", "occurrence 6"),
        ("cron(0 0 ? * */2 *)", "day-of-week: '/' is not allowed"),
        ("cron(0/0 0 * * ? *)", "minutes: step '0'"),
        ("cron(10-5 0 * * ? *)", "runs backwards"),
        ("cron(? 0 * * ? *)", "minutes: '?' is not a valid value"),
        ("cron(0 0 L-2 * ? *)", "day-of-month: 'L' is not a valid value"),
        ("rate(0 minutes)", "at least 1"),
        ("rate(1 minutes)", "must be written rate(1 minute)"),
        ("rate(5 minute)", "must be written rate(5 minutes)"),
        ("rate(2 weeks)", "minutes, hours or days"),
        ("rate(five minutes)", "integer value"),
        ("rate(5)", "minutes, hours or days"),
        ("at(2026-13-01T00:00:00)", "not a valid date"),
        ("at(2026-01-01 00:00:00)", "yyyy-mm-ddThh:mm:ss"),
        ("every day", "is not a cron"),
        ("cron 0 0 * * ? *", "is not a cron"),
        ("", "is not a cron"),
    ],
)
def test_invalid_expressions_are_refused(expression, message):
    with pytest.raises(InvalidScheduleExpression, match=re.escape(message)):
        parse_schedule(expression)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "America", "", "../etc/passwd"])
def test_unknown_time_zones_are_refused(zone):
    with pytest.raises(InvalidScheduleExpression, match="unknown time zone"):
        parse_schedule("rate(1 hour)", zone)


def test_invalid_expression_is_a_value_error():
    assert issubclass(InvalidScheduleExpression, ValueError)


# --- ISO 8601 durations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("P1D", timedelta(days=1)),
        ("PT25H", timedelta(hours=25)),
        ("P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT1,25S", timedelta(seconds=1.25)),
        ("P2W", timedelta(weeks=2)),
        ("PT90M", timedelta(minutes=90)),
        ("PT0S", timedelta(0)),
    ],
)
def test_iso_durations_are_parsed(text, duration):
    assert parse_iso_duration(text) == duration


@pytest.mark.parametrize(
    "text", ["P1Y", "P2M", "P1Y2M3D", "-PT1H", "P", "PT", "P1DT", "", "1H", "PT1.5H", "pt1h", "P1H"]
)
def test_invalid_iso_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_iso_duration(text)


def test_iso_duration_years_and_months_are_refused_as_ambiguous():
    with pytest.raises(ValueError, match="years and months"):
        parse_iso_duration("P1M")
