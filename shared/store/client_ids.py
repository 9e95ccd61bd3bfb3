"""Client-chosen ids (purchase_id, recharge_id, grant_id, refund_id, ...) made idempotent inside the
very transaction that makes the change: the id's record is written with the change or not at all.

Repeating an id with the same request returns the first answer; with another request it is refused.
Powertools' Idempotency utility keeps its record in a separate write, so a crash between the change and
that record would leave the two apart: for money, the record must be part of the change itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.store.codec import from_attributes, to_attributes


def request_fingerprint(request: Any) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ClientIdRecord:
    fingerprint: str
    answer: dict[str, Any]
    events: tuple[str, ...] = ()  # the domain events (JSON) the change published: a replay publishes them again


class ClientIdRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    @staticmethod
    def record_id(account_id: str, kind: str, client_id: str) -> str:
        return f"{account_id}#{kind}#{client_id}"

    def put_transaction_item(
        self, record_id: str, fingerprint: str, answer: dict[str, Any], events: Sequence[str] = ()
    ) -> dict[str, Any]:
        """The transaction item that claims the id; it fails the transaction if the id was used before."""
        item = {"id": record_id, "fingerprint": fingerprint, "answer": json.dumps(answer, ensure_ascii=False),
                "events": list(events) or None}
        return {"Put": {"TableName": self.table, "Item": to_attributes(item),
                        "ConditionExpression": "attribute_not_exists(id)"}}

    def find(self, record_id: str) -> ClientIdRecord | None:
        item = self._dynamodb.get_item(
            TableName=self.table, Key=to_attributes({"id": record_id}), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        values = from_attributes(item)
        return ClientIdRecord(fingerprint=values["fingerprint"], answer=json.loads(values["answer"]),
                              events=tuple(values.get("events", ())))
