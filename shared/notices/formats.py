"""How a notice writes amounts, counts, instants and names. Each language writes money, calls, tag
and wallet names its own way (its subclass of Formats); instants and days read the same in every one.

Instants are shown in the billing time zone with its offset (the zone is a deployment setting).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shared.accounts.models import Wallet
from shared.pricing import BillingTag, UnknownBillingTag, format_money, get_tag


def clause(template: str, value: Any, render: Callable[[Any], str] = str) -> str:
    """The template around the rendered value, or nothing when the value is None (a detail left out)."""
    return "" if value is None else template.format(render(value))


def signed_figures(amount: Decimal) -> str:
    """-1,234.50: the amount rounded to the fen, with thousands separators, without a currency."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{Decimal(format_money(abs(amount))):,.2f}"


@dataclass(frozen=True)
class Formats(ABC):
    zone: ZoneInfo

    @abstractmethod
    def money(self, amount: Decimal) -> str: ...

    @abstractmethod
    def calls(self, count: int) -> str: ...

    @abstractmethod
    def tag_name(self, tag: BillingTag) -> str: ...

    @abstractmethod
    def wallet(self, wallet: Wallet) -> str: ...

    def tag(self, tag_id: str | None) -> str:
        """The tag's name; an id the price book does not know is shown as it is, no id as nothing."""
        if tag_id is None:
            return ""
        try:
            tag = get_tag(tag_id)
        except UnknownBillingTag:
            return tag_id
        return self.tag_name(tag)

    def instant(self, at: datetime) -> str:
        """2026-03-12 00:00 (UTC+08:00)"""
        local = at.astimezone(self.zone)
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"

    def short_instant(self, at: datetime) -> str:
        """2026-03-12 00:00, for SMS: the billing zone is the customer's."""
        return f"{at.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def day(self, value: date) -> str:
        return value.isoformat()
