"""The Packs table: one item per pack (资源包) of an account.

`status` holds what was recorded (active, or expired / refunded / exhausted as jobs write them); the
status an answer shows is computed against the clock by shared.accounts.rules.pack_status.
`expiry_date` (the billing date of `expires_at`) is set only while a pack is active: it keys the sparse
ByExpiryDate index that the daily lifecycle job reads, with `account_pack` = "<account_id>#<pack_id>".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shared.accounts.models import Pack, PackOrigin, PackStatus, Payment
from shared.pricing import billing_date
from shared.store.codec import from_attributes, to_attributes
from shared.store.transactions import TransactionItem, sortable_instant

_PAID_PARTS = ("cash", "income", "gift", "voucher")


class PackIdTaken(RuntimeError):
    """Two packs drew the same id: ids carry 40 random bits per millisecond, so this is a bug."""


def pack_to_item(pack: Pack, zone: ZoneInfo) -> dict[str, Any]:
    active = pack.recorded_status is PackStatus.ACTIVE
    return {
        "account_id": pack.account_id,
        "pack_id": pack.pack_id,
        "account_pack": f"{pack.account_id}#{pack.pack_id}",
        "billing_tag": pack.billing_tag,
        "origin": pack.origin.value,
        "size": pack.size,
        "remaining": pack.remaining,
        "acquired_at": sortable_instant(pack.acquired_at),
        "effective_from": pack.effective_from.isoformat(),
        "expires_at": sortable_instant(pack.expires_at),
        "expiry_date": billing_date(pack.expires_at, zone).isoformat() if active else None,
        "status": pack.recorded_status.value,
        "purchase_id": pack.purchase_id,
        "grant_id": pack.grant_id,
        "paid": None if pack.paid is None else {part: getattr(pack.paid, part) for part in _PAID_PARTS},
    }


def pack_from_item(values: Mapping[str, Any]) -> Pack:
    paid = values.get("paid")
    return Pack(
        account_id=values["account_id"],
        pack_id=values["pack_id"],
        billing_tag=values["billing_tag"],
        origin=PackOrigin(values["origin"]),
        size=int(values["size"]),
        remaining=int(values["remaining"]),
        acquired_at=datetime.fromisoformat(values["acquired_at"]),
        effective_from=date.fromisoformat(values["effective_from"]),
        expires_at=datetime.fromisoformat(values["expires_at"]),
        recorded_status=PackStatus(values.get("status", PackStatus.ACTIVE.value)),
        purchase_id=values.get("purchase_id"),
        grant_id=values.get("grant_id"),
        paid=None if paid is None else Payment(**{part: Decimal(paid.get(part, 0)) for part in _PAID_PARTS}),
    )


class PackRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def list_for_account(self, account_id: str) -> list[Pack]:
        """Every pack of the account, whatever its status, in pack id (acquisition) order."""
        packs: list[Pack] = []
        query: dict[str, Any] = {
            "TableName": self.table, "KeyConditionExpression": "account_id = :account",
            "ExpressionAttributeValues": to_attributes({":account": account_id}), "ConsistentRead": True,
        }
        while True:
            answer = self._dynamodb.query(**query)
            packs.extend(pack_from_item(from_attributes(item)) for item in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return packs
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def get(self, account_id: str, pack_id: str) -> Pack | None:
        item = self._dynamodb.get_item(
            TableName=self.table, Key=to_attributes({"account_id": account_id, "pack_id": pack_id}),
            ConsistentRead=True,
        ).get("Item")
        return None if item is None else pack_from_item(from_attributes(item))

    def add(self, pack: Pack, *, zone: ZoneInfo) -> TransactionItem:
        """The transaction item that writes a new pack (`zone` gives its expiry date)."""
        return TransactionItem(
            {"Put": {"TableName": self.table, "Item": to_attributes(pack_to_item(pack, zone)),
                     "ConditionExpression": "attribute_not_exists(pack_id)"}},
            lambda _old: PackIdTaken(f"{pack.account_id}#{pack.pack_id}"),
        )
