"""Instants at the API boundary: RFC 3339 with an offset in, +08:00 out (API.md)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

API_OFFSET = timezone(timedelta(hours=8))


def format_instant(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: instants must carry an offset")
    return instant.astimezone(API_OFFSET).isoformat()


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant; an offset (or Z) is required."""
    instant = datetime.fromisoformat(text.strip())
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no offset; write e.g. 2026-01-01T00:00:00+08:00")
    return instant
