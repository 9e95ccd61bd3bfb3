"""Instants and dates at the API boundary: RFC 3339 with an offset in, +08:00 out (API.md)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

API_OFFSET = timezone(timedelta(hours=8))
# The dates the API accepts (billing dates, months, activation instants): a query far from now can find
# nothing, and bounding it keeps the date arithmetic from overflowing.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)
# A day inside Python's calendar at both ends, so that the instant can be read in any offset.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)
# RFC 3339's date-time: datetime.fromisoformat alone would also read ISO 8601's other forms (20260301T0930+0800,
# week dates) and a naive time.
_RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_instant(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: instants must carry an offset")
    return instant.astimezone(API_OFFSET).isoformat()


def is_rfc_3339(text: str) -> bool:
    return _RFC_3339.match(text.strip()) is not None


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant; an offset (or Z) is required."""
    if not is_rfc_3339(text):
        raise ValueError(f"{text!r} is not RFC 3339 with an offset; write e.g. 2026-01-01T00:00:00+08:00")
    return _within_calendar(datetime.fromisoformat(text.strip().upper()))


def _within_calendar(instant: datetime) -> datetime:
    """`instant`, if it lies more than a day inside years 1-9999: else reading it in another offset
    (9999-12-31T23:59:59-12:00 in UTC) overflows, which must be a refusal of the input, not a crash."""
    try:
        in_utc = instant.astimezone(UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not _EARLIEST <= in_utc <= _LATEST:
        raise ValueError(f"{instant.isoformat()} is out of range")
    return instant


def utc_text(instant: datetime) -> str:
    """The one spelling of an instant in the table (and in fingerprints): ISO 8601 in UTC."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: instants must carry an offset")
    return instant.astimezone(UTC).isoformat()
