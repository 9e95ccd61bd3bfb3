"""How a notice writes amounts, counts, instants and names, in Chinese or in English.

Instants are shown in the billing time zone with its offset (the zone is a deployment setting), and an
English text names billing tags by the price book's English names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shared.pricing import UnknownBillingTag, format_money, get_tag

WALLET_NAMES = {
    "zh": {"cash": "现金账户", "income": "收益账户", "gift": "赠送账户"},
    "en": {"cash": "cash wallet", "income": "income wallet", "gift": "gift wallet"},
}


def clause(template: str, value: Any, render: Callable[[Any], str] = str) -> str:
    """The template around the rendered value, or nothing when the value is None (a detail left out)."""
    return "" if value is None else template.format(render(value))


@dataclass(frozen=True)
class Formats:
    language: str  # "zh" or "en"
    zone: ZoneInfo

    @property
    def english(self) -> bool:
        return self.language == "en"

    def money(self, amount: Decimal) -> str:
        sign = "-" if amount < 0 else ""
        figures = f"{Decimal(format_money(abs(amount))):,.2f}"
        return f"CNY {sign}{figures}" if self.english else f"{sign}{figures}元"

    def calls(self, count: int) -> str:
        if self.english:
            return f"{count:,} call" if count == 1 else f"{count:,} calls"
        return f"{count:,}次"

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

    def tag(self, tag_id: str) -> str:
        try:
            tag = get_tag(tag_id)
        except UnknownBillingTag:
            return tag_id
        return tag.name_en if self.english else tag.name_zh

    def wallet(self, wallet: str) -> str:
        return WALLET_NAMES[self.language].get(wallet, wallet)
