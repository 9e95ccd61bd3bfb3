"""The Ledger table: every money movement of an account, one item per wallet moved.

`entry_id` = "<at, UTC>#<kind>#<ref>#<wallet>": entries sort in time order, and one cause (a recharge id,
a purchase id and wallet, ...) can be written only once. An account's balance is the sum of `amount`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from shared.accounts.models import ZERO, LedgerEntry, LedgerKind, Wallet
from shared.store.codec import from_attributes, query_items, to_attributes
from shared.store.transactions import TransactionItem, sortable_instant

_FIELDS = ("account_id", "entry_id", "kind", "wallet", "amount", "at", "ref")


class LedgerEntryExists(RuntimeError):
    """An entry with the same time, kind, cause and wallet exists: the cause was booked already."""


def entry_id(entry: LedgerEntry) -> str:
    return f"{sortable_instant(entry.at)}#{entry.kind.value}#{entry.ref}#{entry.wallet.value}"


def entry_to_item(entry: LedgerEntry) -> dict[str, Any]:
    return {
        **dict(entry.details),
        "account_id": entry.account_id,
        "entry_id": entry_id(entry),
        "kind": entry.kind.value,
        "wallet": entry.wallet.value,
        "amount": entry.amount,
        "at": sortable_instant(entry.at),
        "ref": entry.ref,
    }


def entry_from_item(values: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        account_id=values["account_id"],
        kind=LedgerKind(values["kind"]),
        wallet=Wallet(values["wallet"]),
        amount=Decimal(values["amount"]),
        at=datetime.fromisoformat(values["at"]),
        ref=values["ref"],
        details=MappingProxyType({key: value for key, value in values.items() if key not in _FIELDS}),
    )


class LedgerRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def add(self, entry: LedgerEntry) -> TransactionItem:
        """The transaction item that books an entry; the account's balance must change in the same transaction."""
        return TransactionItem(
            {"Put": {"TableName": self.table, "Item": to_attributes(entry_to_item(entry)),
                     "ConditionExpression": "attribute_not_exists(entry_id)"}},
            lambda _old: LedgerEntryExists(entry_id(entry)),
        )

    def list_for_account(self, account_id: str) -> list[LedgerEntry]:
        """Every entry of the account, oldest first."""
        return self._query_all({
            "TableName": self.table, "KeyConditionExpression": "account_id = :account",
            "ExpressionAttributeValues": to_attributes({":account": account_id}), "ConsistentRead": True,
        })

    def between(self, account_id: str, start: datetime, end: datetime) -> list[LedgerEntry]:
        """The entries booked from `start` (included) to `end` (excluded), oldest first."""
        # An entry_id starts with its UTC instant, and "<end>" sorts before every "<end>#..." id: BETWEEN
        # on the two instants alone takes `start`'s entries and leaves `end`'s out.
        return self._query_all({
            "TableName": self.table,
            "KeyConditionExpression": "account_id = :account AND entry_id BETWEEN :start AND :end",
            "ExpressionAttributeValues": to_attributes(
                {":account": account_id, ":start": sortable_instant(start), ":end": sortable_instant(end)}
            ),
            "ConsistentRead": True,
        })

    def _query_all(self, query: dict[str, Any]) -> list[LedgerEntry]:
        return [entry_from_item(from_attributes(item)) for item in query_items(self._dynamodb, query)]

    def balance_of(self, account_id: str) -> Decimal:
        """The balance the ledger says the account has: the sum of its entries."""
        return sum((entry.amount for entry in self.list_for_account(account_id)), ZERO)
