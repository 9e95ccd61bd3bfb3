"""Bills: what one settlement of one account and period decided, as API.md shows it.

A bill is written once, in the settlement's transaction, and never edited: calls that arrive after their
day was settled are billed by a later settlement, on lines marked `late` that keep their own usage date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from shared.pricing import SettlementCycle


@dataclass(frozen=True)
class PackDeduction:
    pack_id: str
    calls: int


@dataclass(frozen=True)
class BillLine:
    usage_date: date
    billing_tag: str
    billable_calls: int
    pack_deductions: tuple[PackDeduction, ...]
    postpaid_calls: int
    unit_price: Decimal
    amount: Decimal  # postpaid_calls x unit_price, rounded half-up to the fen
    late: bool = False


@dataclass(frozen=True)
class Bill:
    account_id: str
    cycle: SettlementCycle
    period_start: date  # a day (daily) or the first day of a month (monthly)
    period_end: date  # the last day of the period, included
    settled_at: datetime
    lines: tuple[BillLine, ...]

    @property
    def bill_id(self) -> str:
        """One bill per account and period: the id names both."""
        return f"bl_{self.account_id}_{self.cycle.value}_{self.period_start.isoformat()}"

    @property
    def total_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


