"""The 资源 ID 账单: one row per resource an account used in a month.

A pack's row counts the calls deducted from it, for 0.00 (a pack is paid for when it is bought, and the
purchase is a row of the 明细账单); a tag's postpaid row counts its postpaid calls and what they cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from shared.bills.rows import PACK_CALL_CHARGE, BillingMode, ResourceRow, lines_of_month, postpaid_resource_id
from shared.pricing.cycle import Month
from shared.settlement.models import Bill


def resource_rows(bills: Iterable[Bill], month: Month) -> list[ResourceRow]:
    """The month's rows by tag, then packs before postpaid, then resource id (pack ids sort by acquisition)."""
    pack_calls: dict[tuple[str, str], int] = defaultdict(int)
    postpaid_calls: dict[str, int] = defaultdict(int)
    postpaid_amounts: dict[str, Decimal] = defaultdict(Decimal)
    for _, line in lines_of_month(bills, month):
        for deduction in line.pack_deductions:
            pack_calls[(line.billing_tag, deduction.pack_id)] += deduction.calls
        if line.postpaid_calls:
            postpaid_calls[line.billing_tag] += line.postpaid_calls
            postpaid_amounts[line.billing_tag] += line.amount
    rows = [
        ResourceRow(pack_id, tag, BillingMode.PREPAID, calls, PACK_CALL_CHARGE)
        for (tag, pack_id), calls in pack_calls.items()
    ] + [
        ResourceRow(postpaid_resource_id(tag), tag, BillingMode.POSTPAID, calls, postpaid_amounts[tag])
        for tag, calls in postpaid_calls.items()
    ]
    mode_order = {BillingMode.PREPAID: 0, BillingMode.POSTPAID: 1}
    return sorted(rows, key=lambda row: (row.billing_tag, mode_order[row.billing_mode], row.resource_id))
