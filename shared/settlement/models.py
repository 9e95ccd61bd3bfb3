"""Bills: what one settlement of one account and period decided, as API.md shows it.

A bill is written once, in the settlement's transaction, and never edited: calls that arrive after their
day was settled are billed by a later settlement, on lines marked `late` that keep their own usage date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from shared.accounts.models import Account, LedgerEntry
from shared.events import DomainEvent, EventType
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


LOW_PACK_DIVISOR = 5  # a pack is low once fewer than 1/5 (20%) of its calls are left


DayTag = tuple[date, str]  # (usage date, billing tag): one usage counter of an account


@dataclass(frozen=True)
class PackChange:
    pack_id: str
    billing_tag: str
    size: int
    before: int
    after: int

    @property
    def notice(self) -> EventType | None:
        """pack_exhausted when it reaches 0 (alone, even from above 20%), pack_low when it falls below 20%."""
        if self.after == 0 < self.before:
            return EventType.PACK_EXHAUSTED
        if _low(self.after, self.size) and not _low(self.before, self.size):
            return EventType.PACK_LOW
        return None


def _low(remaining: int, size: int) -> bool:
    return remaining * LOW_PACK_DIVISOR < size


@dataclass(frozen=True)
class PeriodSettlement:
    """What settling one period writes in one transaction, and announces after it commits."""

    bill: Bill
    account_before: Account
    account_after: Account
    ledger_entries: tuple[LedgerEntry, ...]
    pack_changes: tuple[PackChange, ...]
    settled_counts: Mapping[DayTag, int]  # each counter settled up to this many billable calls
    events: tuple[DomainEvent, ...]

    @property
    def entered_arrears(self) -> bool:
        return self.account_after.status is not self.account_before.status

    @property
    def transaction_items(self) -> int:
        """The bill, the account, each pack drawn on and each ledger entry."""
        return 2 + len(self.pack_changes) + len(self.ledger_entries)
