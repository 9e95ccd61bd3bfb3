"""What settling one period of an account writes and announces: the types the settlement rules decide and
the settlement repository commits (apart from the bills, so the bills' readers do not import them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from shared.accounts.models import Account, LedgerEntry, PackStatus
from shared.events import DomainEvent, EventType
from shared.settlement.models import Bill

LOW_PACK_DIVISOR = 5  # a pack is low once fewer than 1/5 (20%) of its calls are left

BOOKS_ITEMS = 2  # a settlement books on its bill's date: one day item and one month item of the vendor's books

DayTag = tuple[date, str]  # (usage date, billing tag): one usage counter of an account


@dataclass(frozen=True)
class PackChange:
    pack_id: str
    billing_tag: str
    size: int
    before: int
    after: int
    recorded_status: PackStatus = PackStatus.ACTIVE  # as read: an expired pack's expiry has booked its breakage

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
        """The bill, the account, each pack drawn on, each ledger entry and the books' day and month items."""
        return 2 + len(self.pack_changes) + len(self.ledger_entries) + BOOKS_ITEMS
