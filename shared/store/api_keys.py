"""The ApiKeys table: key hash -> scope and account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.auth.keys import KeyGrant, Scope
from shared.instants import format_instant
from shared.store.codec import from_attributes, to_attributes


class ApiKeyRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def find(self, hashed: str) -> KeyGrant | None:
        item = self._dynamodb.get_item(TableName=self._table, Key=to_attributes({"key_hash": hashed})).get("Item")
        if item is None:
            return None
        values = from_attributes(item)
        return KeyGrant(scope=Scope(values["scope"]), account_id=values.get("account_id"))

    def put_transaction_item(self, hashed: str, grant: KeyGrant, at: datetime) -> dict[str, Any]:
        values = {"key_hash": hashed, "scope": grant.scope.value, "account_id": grant.account_id,
                  "created_at": format_instant(at)}
        return {"Put": {"TableName": self._table, "Item": to_attributes(values),
                        "ConditionExpression": "attribute_not_exists(key_hash)"}}

    def add(self, hashed: str, grant: KeyGrant, at: datetime) -> None:
        put = self.put_transaction_item(hashed, grant, at)["Put"]
        self._dynamodb.put_item(**put)
