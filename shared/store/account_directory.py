"""Which accounts exist: of a batch, one BatchGetItem on the Accounts table, keys only; all of them, from the
ByCreation index, ids only.

The batch is read strongly consistent: an account created a moment before its first calls must not have them
rejected for good as ACCOUNT_NOT_FOUND.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.store.codec import batch_get, query_items, to_attributes

_BY_CREATION = "ByCreation"
_LISTING = "account"  # shared.store.accounts.LISTING, the index's one partition


class AccountDirectory:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def existing(self, account_ids: Iterable[str]) -> set[str]:
        keys = [to_attributes({"account_id": account_id}) for account_id in sorted(set(account_ids))]
        if not keys:
            return set()
        items = batch_get(self._dynamodb, self._table, keys, projection="account_id")
        return {item["account_id"]["S"] for item in items}

    def every_account_id(self) -> list[str]:
        """Every account's id, oldest first: the one partition of the ByCreation index, reading ids only."""
        request: dict[str, Any] = {
            "TableName": self._table, "IndexName": _BY_CREATION, "KeyConditionExpression": "listing = :listing",
            "ExpressionAttributeValues": to_attributes({":listing": _LISTING}), "ProjectionExpression": "account_id",
        }
        return [item["account_id"]["S"] for item in query_items(self._dynamodb, request)]
