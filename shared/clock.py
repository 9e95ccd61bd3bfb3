"""The one clock every function reads.

In Lambda it is the system clock. The local stack installs its own, so that moving the local clock
moves the whole system: ingestion's "now", settlement's "yesterday", the arrears deadlines.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


_current: Clock = SystemClock()


def now() -> datetime:
    return _current.now()


def use_clock(clock: Clock) -> None:
    global _current
    _current = clock
