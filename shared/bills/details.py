"""The 明细账单: one row per charge or money movement of a month, oldest first.

Usage rows come from the bill lines of the month's days (at = when their bill was settled): one
pack_deduction row per pack a line drew on (0.00: the pack was paid for when bought) and one
postpaid_usage row per line with postpaid calls. Money rows come from the ledger entries booked in the
month: one row per pack purchase, refund or recharge, summed over the wallets it moved. Postpaid charges
are the postpaid_usage rows already, and an expired pack's breakage moves no money, so neither is repeated.

A purchase's row has its voucher part too (`voucher_amount`, "0.00" without one; its `amount` is what the
wallets paid), and usage rows the billing date of the calls they charge (`usage_date`).

Every amount is what the row cost the account: positive for usage and purchases, negative for money
that came in (refunds, recharges). The ledger signs the other way (a credit is positive), so money rows
flip its sign.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.accounts.models import LedgerEntry, LedgerKind
from shared.bills.rows import PACK_CALL_CHARGE, DetailRow, TransactionType, lines_of_month, postpaid_resource_id
from shared.pricing import billing_date
from shared.pricing.cycle import Month
from shared.settlement.models import Bill

_ZERO_VOUCHER = Decimal("0.00")

MONEY_ROW_TYPES: Mapping[LedgerKind, TransactionType] = {
    LedgerKind.PACK_PURCHASE: TransactionType.PACK_PURCHASE,
    LedgerKind.REFUND: TransactionType.REFUND,
    LedgerKind.RECHARGE: TransactionType.RECHARGE,
}


def usage_rows(bills: Iterable[Bill], month: Month) -> list[DetailRow]:
    rows: list[DetailRow] = []
    for bill, line in lines_of_month(bills, month):
        rows.extend(
            DetailRow(bill.settled_at, TransactionType.PACK_DEDUCTION, deduction.pack_id, line.billing_tag,
                      None, deduction.calls, PACK_CALL_CHARGE, usage_date=line.usage_date)
            for deduction in line.pack_deductions
        )
        if line.postpaid_calls:
            rows.append(DetailRow(bill.settled_at, TransactionType.POSTPAID_USAGE,
                                  postpaid_resource_id(line.billing_tag), line.billing_tag, line.unit_price,
                                  line.postpaid_calls, line.amount, usage_date=line.usage_date))
    return rows


def money_rows(entries: Iterable[LedgerEntry], month: Month, zone: ZoneInfo) -> list[DetailRow]:
    """One row per movement (kind and client id), whose resource id is that client id (purchase_id,
    refund_id, recharge_id)."""
    rows: dict[tuple[LedgerKind, str], DetailRow] = {}
    for entry in entries:
        transaction_type = MONEY_ROW_TYPES.get(entry.kind)
        if transaction_type is None or billing_date(entry.at, zone) not in month:
            continue
        key = (entry.kind, entry.ref)
        voucher = _voucher(entry)
        if key in rows:
            row = rows[key]
            rows[key] = replace(row, amount=row.amount - entry.amount,
                                voucher_amount=row.voucher_amount if voucher is None else voucher)
        else:
            rows[key] = DetailRow(entry.at, transaction_type, entry.ref, _text(entry.details, "billing_tag"),
                                  None, _pack_calls(entry.details), -entry.amount, voucher_amount=voucher)
    return [replace(row, voucher_amount=_ZERO_VOUCHER)
            if row.transaction_type is TransactionType.PACK_PURCHASE and row.voucher_amount is None else row
            for row in rows.values()]


def _voucher(entry: LedgerEntry) -> Decimal | None:
    """A purchase's voucher part, which its cash entry carries (the entry is written even when no cash moves)."""
    value = entry.details.get("voucher_amount")
    return None if entry.kind is not LedgerKind.PACK_PURCHASE or value is None else Decimal(str(value))


def detail_rows(
    bills: Iterable[Bill],
    entries: Iterable[LedgerEntry],
    month: Month,
    zone: ZoneInfo,
    *,
    transaction_type: TransactionType | None = None,
    billing_tag: str | None = None,
) -> list[DetailRow]:
    """The month's rows by time (a stable sort: a bill's rows keep the order of its lines), filtered."""
    rows = sorted([*usage_rows(bills, month), *money_rows(entries, month, zone)], key=lambda row: row.at)
    return [
        row for row in rows
        if (transaction_type is None or row.transaction_type is transaction_type)
        and (billing_tag is None or row.billing_tag == billing_tag)
    ]


def _text(details: Mapping[str, object], name: str) -> str | None:
    value = details.get(name)
    return value if isinstance(value, str) else None


def _pack_calls(details: Mapping[str, object]) -> int | None:
    """The calls a movement bought or gave back, where its entry names packs (size x quantity)."""
    size = details.get("size")
    if size is None:
        return None
    return int(size) * int(details.get("quantity", 1))
