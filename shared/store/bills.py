"""The Bills table: one item per bill, keyed (account_id, bill_key = "period#<period_start>").

The bill item is also the settlement's guard: it is put with `attribute_not_exists(bill_key)` in the
settlement's transaction, so one account and period is settled once however often a run is retried.
Besides what API.md shows, the item may hold what the settlement needs to finish after its commit
(written by shared.settlement; ignored by readers of bills).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.pricing import SettlementCycle
from shared.settlement.models import Bill, BillLine, PackDeduction
from shared.store.codec import from_attributes, query_items, to_attributes
from shared.store.transactions import TransactionItem, sortable_instant

KEY_PREFIX = "period#"


class BillExists(RuntimeError):
    """The period was settled already: its bill exists."""


def bill_key(period_start: date) -> str:
    return f"{KEY_PREFIX}{period_start.isoformat()}"


def bill_to_item(bill: Bill) -> dict[str, Any]:
    return {
        "account_id": bill.account_id,
        "bill_key": bill_key(bill.period_start),
        "bill_id": bill.bill_id,
        "cycle": bill.cycle.value,
        "period_start": bill.period_start.isoformat(),
        "period_end": bill.period_end.isoformat(),
        "settled_at": sortable_instant(bill.settled_at),
        "total_amount": bill.total_amount,
        "lines": [
            {
                "usage_date": line.usage_date.isoformat(),
                "billing_tag": line.billing_tag,
                "billable_calls": line.billable_calls,
                "pack_deductions": [{"pack_id": d.pack_id, "calls": d.calls} for d in line.pack_deductions],
                "postpaid_calls": line.postpaid_calls,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "late": line.late,
            }
            for line in bill.lines
        ],
    }


def bill_from_item(values: Mapping[str, Any]) -> Bill:
    return Bill(
        account_id=values["account_id"],
        cycle=SettlementCycle(values["cycle"]),
        period_start=date.fromisoformat(values["period_start"]),
        period_end=date.fromisoformat(values["period_end"]),
        settled_at=datetime.fromisoformat(values["settled_at"]),
        lines=tuple(
            BillLine(
                usage_date=date.fromisoformat(line["usage_date"]),
                billing_tag=line["billing_tag"],
                billable_calls=int(line["billable_calls"]),
                pack_deductions=tuple(PackDeduction(d["pack_id"], int(d["calls"])) for d in line["pack_deductions"]),
                postpaid_calls=int(line["postpaid_calls"]),
                unit_price=Decimal(line["unit_price"]),
                amount=Decimal(line["amount"]),
                late=bool(line["late"]),
            )
            for line in values.get("lines", [])
        ),
    )


class BillRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def add(self, bill: Bill, extra: Mapping[str, Any] | None = None) -> TransactionItem:
        """The transaction item that writes a bill once (`extra`: attributes kept beside it)."""
        item = {**(extra or {}), **bill_to_item(bill)}
        return TransactionItem(
            {"Put": {"TableName": self.table, "Item": to_attributes(item),
                     "ConditionExpression": "attribute_not_exists(bill_key)"}},
            lambda _old: BillExists(bill.bill_id),
        )

    def get_item(self, account_id: str, period_start: date) -> dict[str, Any] | None:
        """The stored item of a period's bill (bill and settlement extras), or None if it was not settled."""
        item = self._dynamodb.get_item(
            TableName=self.table, Key=to_attributes({"account_id": account_id, "bill_key": bill_key(period_start)}),
            ConsistentRead=True,
        ).get("Item")
        return None if item is None else from_attributes(item)

    def between(self, account_id: str, first: date, last: date, *, consistent: bool = False) -> list[Bill]:
        """Bills whose period starts from `first` to `last` (both included), oldest first."""
        query: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "account_id = :account AND bill_key BETWEEN :first AND :last",
            "ExpressionAttributeValues": to_attributes(
                {":account": account_id, ":first": bill_key(first), ":last": bill_key(last)}
            ),
            "ConsistentRead": consistent,
        }
        return [bill_from_item(from_attributes(item)) for item in query_items(self._dynamodb, query)]
