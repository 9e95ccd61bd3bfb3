"""Amazon EventBridge Scheduler schedule expressions: validation and fire times.

moto stores schedules but neither validates their expressions nor fires them, so the local clock
parses the ``ScheduleExpression``/``ScheduleExpressionTimezone`` pairs of the SAM template here.

Supported, with the validation EventBridge Scheduler applies:

* ``cron(minutes hours day-of-month month day-of-week year)``, evaluated on the wall clock of the
  schedule's time zone;
* ``rate(value unit)``, every ``value`` minutes, hours or days counted from the schedule's anchor;
* ``at(yyyy-mm-ddThh:mm:ss)``, once, at a wall-clock time of the schedule's time zone.

Daylight saving time follows the EventBridge Scheduler documentation ("Daylight saving time" in
"Schedule types on EventBridge Scheduler"): a cron wall time skipped when clocks spring forward does
not fire at all, a cron wall time repeated when clocks fall back fires once, at its first occurrence,
and a rate unit is a fixed duration (a day is always 24 hours).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count, product, takewhile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["EPOCH", "InvalidScheduleExpression", "Schedule", "parse_iso_duration", "parse_schedule"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Default anchor of rate schedules, so that their fire times are deterministic."""

_DAY = timedelta(days=1)


class InvalidScheduleExpression(ValueError):
    """A schedule expression or time zone that EventBridge Scheduler would refuse."""


# --- cron fields ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One of the six cron fields: its name, value range, value names and whether it takes steps."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] stands for the value low + i
    allows_step: bool = True

    def value(self, token: str) -> int:
        if token in self.names:
            return self.low + self.names.index(token)
        if not (token.isascii() and token.isdigit()):
            raise InvalidScheduleExpression(f"{self.name}: {token!r} is not a valid value")
        number = int(token)
        if not self.low <= number <= self.high:
            raise InvalidScheduleExpression(f"{self.name}: {number} is outside {self.low}-{self.high}")
        return number


_MINUTES = _Field("minutes", 0, 59)
_HOURS = _Field("hours", 0, 23)
_DAY_OF_MONTH = _Field("day-of-month", 1, 31)
_MONTH = _Field(
    "month", 1, 12, names=("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
)
_DAY_OF_WEEK = _Field(
    "day-of-week", 1, 7, names=("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), allows_step=False
)
_YEAR = _Field("year", 1970, 2199)


def _parse_values(text: str, field: _Field) -> tuple[int, ...]:
    """The sorted values of a comma-separated list of ``*``, ``a``, ``a-b``, each optionally ``/step``."""
    values: set[int] = set()
    for item in text.split(","):
        values.update(_parse_item(item, field))
    return tuple(sorted(values))


def _parse_item(item: str, field: _Field) -> range:
    base, slash, step_text = item.partition("/")
    if slash and not field.allows_step:
        raise InvalidScheduleExpression(f"{field.name}: '/' is not allowed")
    step = _parse_step(step_text, field) if slash else 1
    if base == "*":
        first, last = field.low, field.high
    elif "-" in base:
        first_text, _, last_text = base.partition("-")
        first, last = field.value(first_text), field.value(last_text)
        if first > last:
            raise InvalidScheduleExpression(f"{field.name}: range {base!r} runs backwards")
    else:
        first = field.value(base)
        last = field.high if slash else first  # "5/15" means from 5 to the end, every 15
    return range(first, last + 1, step)


def _parse_step(text: str, field: _Field) -> int:
    span = field.high - field.low + 1
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= span):
        raise InvalidScheduleExpression(f"{field.name}: step {text!r} is not an integer in 1-{span}")
    return int(text)


# --- day-of-month and day-of-week ----------------------------------------------------------------

_DayRule = Callable[[date], bool]


def _parse_day_of_month(text: str) -> _DayRule:
    if text == "L":
        return lambda day: (day + _DAY).month != day.month
    if text == "LW":
        return lambda day: day == _nearest_weekday(day.year, day.month, _days_in_month(day))
    if match := re.fullmatch(r"([0-9]+)W", text):
        target = _DAY_OF_MONTH.value(match[1])
        return lambda day: day == _nearest_weekday(day.year, day.month, target)
    days = frozenset(_parse_values(text, _DAY_OF_MONTH))
    return lambda day: day.day in days


def _parse_day_of_week(text: str) -> _DayRule:
    if text == "L":  # alone, "L" is the last day of the week: Saturday
        text = "7"
    if match := re.fullmatch(r"([0-9A-Z]+)L", text):  # "6L": the last Friday of the month
        weekday = _weekday(_DAY_OF_WEEK.value(match[1]))
        return lambda day: day.weekday() == weekday and (day + 7 * _DAY).month != day.month
    if match := re.fullmatch(r"([0-9A-Z]+)#([0-9]+)", text):  # "2#1": the first Monday of the month
        weekday = _weekday(_DAY_OF_WEEK.value(match[1]))
        nth = int(match[2])
        if not 1 <= nth <= 5:
            raise InvalidScheduleExpression(f"day-of-week: {text!r} asks for occurrence {nth}, not 1-5")
        return lambda day: day.weekday() == weekday and (day.day - 1) // 7 + 1 == nth
    weekdays = frozenset(_weekday(value) for value in _parse_values(text, _DAY_OF_WEEK))
    return lambda day: day.weekday() in weekdays


def _weekday(cron_day: int) -> int:
    """Python's weekday (Monday = 0) of a cron day-of-week (Sunday = 1)."""
    return (cron_day - 2) % 7


def _days_in_month(day: date) -> int:
    next_month = day.replace(day=28) + 4 * _DAY
    return (next_month - timedelta(days=next_month.day)).day


def _nearest_weekday(year: int, month: int, target: int) -> date | None:
    """The weekday nearest to day ``target`` of the month, never leaving the month ("15W", "LW").

    None when the month has no such day (``31W`` in April): the schedule skips that month.
    """
    if target > _days_in_month(date(year, month, 1)):
        return None
    day = date(year, month, target)
    if day.weekday() == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - _DAY if target > 1 else day + 2 * _DAY
    if day.weekday() == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return day + _DAY if (day + _DAY).month == month else day - 2 * _DAY
    return day


# --- schedule kinds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cron:
    times: tuple[tuple[int, int], ...]  # the (hour, minute) wall times of a matching day, ascending
    months: tuple[int, ...]
    years: tuple[int, ...]
    day_matches: _DayRule
    zone: ZoneInfo
    start: datetime

    def fires_after(self, after: datetime) -> Iterator[datetime]:
        # Wall times before the wall clock at ``lower`` denote instants before ``lower`` (even when the
        # clock at ``lower`` is in a repeated hour), so the search starts at that wall-clock minute.
        lower = max(after, self.start).astimezone(self.zone)
        day = lower.date()
        while (day := self._next_day(day)) is not None:
            earliest = (lower.hour, lower.minute) if day == lower.date() else (0, 0)
            for hour, minute in self.times:
                if (hour, minute) < earliest:
                    continue
                instant = _wall_to_instant(datetime(day.year, day.month, day.day, hour, minute), self.zone)
                if instant is not None and instant > after and instant >= self.start:
                    yield instant
            day += _DAY

    def _next_day(self, day: date) -> date | None:
        """The first day from ``day`` on that the expression matches, skipping whole years and months."""
        while day.year <= _YEAR.high:
            if day.year not in self.years:
                year = _next_value(self.years, day.year)
                if year is None:
                    return None
                day = date(year, 1, 1)
            elif day.month not in self.months:
                month = _next_value(self.months, day.month)
                day = date(day.year, month, 1) if month else date(day.year + 1, 1, 1)
            elif self.day_matches(day):
                return day
            else:
                day += _DAY
        return None


def _next_value(values: tuple[int, ...], current: int) -> int | None:
    """The smallest of the sorted ``values`` that is at least ``current``."""
    index = bisect_left(values, current)
    return values[index] if index < len(values) else None


def _wall_to_instant(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant at which the wall clock of ``zone`` shows ``wall``, per EventBridge Scheduler.

    A wall time shown twice (clocks fall back) is its first occurrence, so the schedule fires once;
    a wall time never shown (clocks spring forward) has no instant, so the schedule skips it.
    """
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return instant if instant.astimezone(zone).replace(tzinfo=None) == wall else None


@dataclass(frozen=True)
class _Rate:
    period: timedelta
    start: datetime

    def fires_after(self, after: datetime) -> Iterator[datetime]:
        first = max(0, (after - self.start) // self.period + 1)
        return (self.start + n * self.period for n in count(first))


@dataclass(frozen=True)
class _OneTime:
    instant: datetime

    def fires_after(self, after: datetime) -> Iterator[datetime]:
        if self.instant > after:
            yield self.instant


# --- parsing -------------------------------------------------------------------------------------

_EXPRESSION = re.compile(r"(cron|rate|at)\((.*)\)")
_RATE_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": _DAY}
_AT_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")


def _parse_cron(body: str, zone: ZoneInfo, start: datetime) -> _Cron:
    fields = body.upper().split()
    if len(fields) != 6:
        raise InvalidScheduleExpression(
            f"cron takes 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}"
        )
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise InvalidScheduleExpression("cron: exactly one of day-of-month and day-of-week must be '?'")
    if day_of_month == "?":
        day_matches = _parse_day_of_week(day_of_week)
    else:
        day_matches = _parse_day_of_month(day_of_month)
    return _Cron(
        times=tuple(product(_parse_values(hours, _HOURS), _parse_values(minutes, _MINUTES))),
        months=_parse_values(month, _MONTH),
        years=_parse_values(year, _YEAR),
        day_matches=day_matches,
        zone=zone,
        start=start,
    )


def _parse_rate(body: str, start: datetime) -> _Rate:
    value_text, _, unit = body.partition(" ")
    if not (value_text.isascii() and value_text.isdigit()):
        raise InvalidScheduleExpression(f"rate takes 'value unit' with an integer value, got {body!r}")
    value = int(value_text)
    if value < 1:
        raise InvalidScheduleExpression(f"rate value must be at least 1, got {value}")
    singular = unit.removesuffix("s")
    if singular not in _RATE_UNITS:
        raise InvalidScheduleExpression(f"rate unit must be minutes, hours or days, got {unit!r}")
    expected = singular if value == 1 else f"{singular}s"
    if unit != expected:
        raise InvalidScheduleExpression(f"rate({body}) must be written rate({value} {expected})")
    return _Rate(period=value * _RATE_UNITS[singular], start=start)


def _parse_at(body: str, zone: ZoneInfo) -> _OneTime:
    if not _AT_TIME.fullmatch(body):
        raise InvalidScheduleExpression(f"at takes yyyy-mm-ddThh:mm:ss, got {body!r}")
    try:
        wall = datetime.fromisoformat(body)
    except ValueError as error:
        raise InvalidScheduleExpression(f"at: {body!r} is not a valid date and time") from error
    # A wall time in a spring-forward gap is read with the offset in force before the gap.
    return _OneTime(wall.replace(tzinfo=zone).astimezone(UTC))


def _parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise InvalidScheduleExpression(f"unknown time zone {name!r}") from error


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


class Schedule:
    """When an EventBridge Scheduler schedule fires.

    ``start`` (an aware datetime, default :data:`EPOCH`) becomes :attr:`anchor`: rate schedules fire
    at ``anchor + k * period`` for k = 0, 1, ...; cron schedules do not fire before it (as with
    the StartDate of a schedule); one-time schedules ignore it, as EventBridge Scheduler does.
    """

    def __init__(self, expression: str, timezone: str = "UTC", start: datetime | None = None) -> None:
        if start is not None:
            _require_aware(start, "start")
        self.expression = expression
        self.timezone = timezone
        self.anchor = EPOCH if start is None else start.astimezone(UTC)
        match = _EXPRESSION.fullmatch(expression)
        if match is None:
            raise InvalidScheduleExpression(
                f"{expression!r} is not a cron(...), rate(...) or at(...) expression"
            )
        kind, body = match.groups()
        zone = _parse_zone(timezone)
        self._rule: _Cron | _Rate | _OneTime
        if kind == "cron":
            self._rule = _parse_cron(body, zone, self.anchor)
        elif kind == "rate":
            self._rule = _parse_rate(body, self.anchor)
        else:
            self._rule = _parse_at(body, zone)

    def __repr__(self) -> str:
        return f"Schedule({self.expression!r}, timezone={self.timezone!r}, start={self.anchor.isoformat()!r})"

    def fire_times(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """The instants in (after, until] at which the schedule fires, ascending, as UTC datetimes."""
        _require_aware(after, "after")
        _require_aware(until, "until")
        return takewhile(lambda instant: instant <= until, self._rule.fires_after(after.astimezone(UTC)))

    def next_fire(self, after: datetime) -> datetime | None:
        """The first instant strictly after ``after`` at which the schedule fires, or None if none."""
        _require_aware(after, "after")
        return next(self._rule.fires_after(after.astimezone(UTC)), None)


def parse_schedule(expression: str, timezone: str = "UTC", start: datetime | None = None) -> Schedule:
    """Parse an EventBridge Scheduler ``ScheduleExpression`` evaluated in the IANA zone ``timezone``.

    Raises InvalidScheduleExpression for anything EventBridge Scheduler would refuse.
    """
    return Schedule(expression, timezone, start)


# --- ISO 8601 durations --------------------------------------------------------------------------

_ISO_DURATION = re.compile(
    r"P(?:(?P<weeks>[0-9]+)W)?(?:(?P<days>[0-9]+)D)?"
    r"(?:T(?=[0-9])(?:(?P<hours>[0-9]+)H)?(?:(?P<minutes>[0-9]+)M)?(?:(?P<seconds>[0-9]+(?:[.,][0-9]+)?)S)?)?"
)


def parse_iso_duration(text: str) -> timedelta:
    """An ISO 8601 duration of weeks, days, hours, minutes and (fractional) seconds: ``P1DT2H30M``.

    Years and months are refused (their length varies), as are negative and empty durations.
    """
    if re.match(r"P[^T]*[YM]", text):
        raise ValueError(f"{text!r}: years and months are not supported, their length varies")
    match = _ISO_DURATION.fullmatch(text)
    if match is None or not any(match.groupdict().values()):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P1D, PT25H, P1DT2H30M or PT0.5S")
    parts = {unit: float(amount.replace(",", ".")) for unit, amount in match.groupdict().items() if amount}
    try:
        return timedelta(**parts)
    except OverflowError as error:
        raise ValueError(f"{text!r} is too long a duration") from error
