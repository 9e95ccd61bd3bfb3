"""Bills and ledger entries as settlement and the accounts service write them, for the bill tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from shared.accounts.models import LedgerEntry, LedgerKind, Wallet
from shared.pricing import SettlementCycle, get_tag, line_amount
from shared.settlement.models import Bill, BillLine, PackDeduction


def line(usage_day: str, tag: str, *, packs: dict[str, int] | None = None, postpaid: int = 0,
         late: bool = False) -> BillLine:
    """A bill line: calls taken from each pack (in order), then `postpaid` calls at the tag's unit price."""
    deductions = tuple(PackDeduction(pack_id, calls) for pack_id, calls in (packs or {}).items())
    unit_price = get_tag(tag).unit_price
    return BillLine(
        usage_date=date.fromisoformat(usage_day), billing_tag=tag,
        billable_calls=sum(d.calls for d in deductions) + postpaid, pack_deductions=deductions,
        postpaid_calls=postpaid, unit_price=unit_price, amount=line_amount(postpaid, unit_price), late=late,
    )


def daily_bill(day: str, *lines: BillLine, account_id: str = "acme", settled_at: str | None = None) -> Bill:
    """The bill of one day, settled at 00:00:05 (+08:00) of the next day unless told otherwise."""
    period = date.fromisoformat(day)
    settled = settled_at or f"{(period + timedelta(days=1)).isoformat()}T00:00:05+08:00"
    return Bill(account_id=account_id, cycle=SettlementCycle.DAILY, period_start=period, period_end=period,
                settled_at=datetime.fromisoformat(settled), lines=lines)


def monthly_bill(first_day: str, last_day: str, settled_at: str, *lines: BillLine, account_id: str = "acme") -> Bill:
    return Bill(account_id=account_id, cycle=SettlementCycle.MONTHLY, period_start=date.fromisoformat(first_day),
                period_end=date.fromisoformat(last_day), settled_at=datetime.fromisoformat(settled_at), lines=lines)


def entry(kind: LedgerKind, ref: str, amount: str, at: str, *, wallet: Wallet = Wallet.CASH,
          account_id: str = "acme", **details: object) -> LedgerEntry:
    """A ledger entry, signed as the ledger signs it: a credit positive, a debit negative."""
    return LedgerEntry(account_id=account_id, kind=kind, wallet=wallet, amount=Decimal(amount),
                       at=datetime.fromisoformat(at), ref=ref, details=MappingProxyType(details))
