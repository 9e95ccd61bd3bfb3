"""An event's detail, read defensively: a field that is missing or of the wrong shape reads as None
(or as empty), so a publisher that leaves out an optional field gets a shorter notice, never a crash."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# Beyond these a value is garbage to a notice (and would overflow formatting): read as missing.
_MAX_AMOUNT = Decimal("1e15")
_YEARS = range(1970, 9000)


class Detail:
    def __init__(self, values: Any):
        self._values: Mapping[str, Any] = values if isinstance(values, Mapping) else {}

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        return value if isinstance(value, str) and value.strip() else None

    def count(self, name: str) -> int | None:
        value = self._values.get(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return None

    def money(self, name: str) -> Decimal | None:
        value = self._values.get(name)
        if not isinstance(value, str | Decimal):
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return None
        return amount if amount.is_finite() and abs(amount) < _MAX_AMOUNT else None

    def instant(self, name: str) -> datetime | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            return None
        return instant if instant.tzinfo is not None and instant.year in _YEARS else None

    def day(self, name: str) -> date | None:
        text = self.text(name)
        try:
            return None if text is None else date.fromisoformat(text[:10])
        except ValueError:
            return None

    def flag(self, name: str) -> bool | None:
        value = self._values.get(name)
        return value if isinstance(value, bool) else None

    def part(self, name: str) -> Detail:
        """A nested object (an empty Detail if there is none)."""
        return Detail(self._values.get(name))

    def parts(self, name: str) -> list[Detail]:
        """A list of nested objects; anything in it that is not an object is left out."""
        value = self._values.get(name)
        if not isinstance(value, list):
            return []
        return [Detail(item) for item in value if isinstance(item, Mapping)]
