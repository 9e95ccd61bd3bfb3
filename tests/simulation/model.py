"""What the simulated customers did and what the system accepted: the record the invariants are checked against."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

ZERO = Decimal("0")


@dataclass(frozen=True)
class AcceptedCall:
    body: dict[str, Any]  # exactly as sent, so that sending it again is a true duplicate
    billable: bool
    billing_tag: str
    billing_date: date
    received_at: datetime


@dataclass
class Customer:
    account_id: str
    monthly: bool
    created_at: datetime
    calls_per_visit: int
    calls: dict[str, AcceptedCall] = field(default_factory=dict)
    recharges: dict[str, Decimal] = field(default_factory=dict)  # recharge_id -> amount, as accepted
    purchases: dict[str, Decimal] = field(default_factory=dict)  # purchase_id -> paid from the wallets
    bought_packs: list[str] = field(default_factory=list)
    refunds: dict[str, Decimal] = field(default_factory=dict)  # refund_id -> amount back to the wallets

    def billable_calls(self, received_before: datetime, dated_before: date) -> Counter[tuple[date, str]]:
        """Billable calls per (billing date, tag) received before an instant, of days before a date."""
        return Counter((call.billing_date, call.billing_tag) for call in self.calls.values()
                       if call.billable and call.received_at < received_before and call.billing_date < dated_before)

    def all_billable_calls(self) -> Counter[tuple[date, str]]:
        return Counter((call.billing_date, call.billing_tag) for call in self.calls.values() if call.billable)


@dataclass
class SettlementRun:
    """A 00:00 settlement run as the invariants see it: when, and the accounts that had to wait."""

    at: datetime
    waiting: set[str]  # accounts suspended or released around the run: their usage settles later
