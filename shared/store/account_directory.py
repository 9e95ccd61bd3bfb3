"""Which accounts of a batch exist: one BatchGetItem on the Accounts table, keys only.

Read strongly consistent: an account created a moment before its first calls must not have them
rejected for good as ACCOUNT_NOT_FOUND.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.store.codec import batch_get, to_attributes


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
