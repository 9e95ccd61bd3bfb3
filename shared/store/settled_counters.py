"""The usage counters as settlement sees them (the Unsettled index and `settled_billable`).

Apart from shared/store/settlements.py so that the settlement dispatcher, which needs only this, does not
import the accounts, packs and bills that settling an account reads and writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from shared.store.codec import condition_failed, query_items, to_attributes


class SettledCounters:
    """The usage counters as settlement sees them: the Unsettled index, and `settled_billable`."""

    INDEX = "Unsettled"

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def unsettled(self, shard: str) -> Iterator[tuple[str, date]]:
        """(account_id, usage date) of every counter of one index shard with billable calls not settled."""
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": self.INDEX,
            "KeyConditionExpression": "unsettled_shard = :shard",
            "ExpressionAttributeValues": to_attributes({":shard": shard}),
            "ProjectionExpression": "unsettled_key",
        }
        for item in query_items(self._dynamodb, request):
            account_id, _, day = item["unsettled_key"]["S"].rpartition("#")
            yield account_id, date.fromisoformat(day)

    def settle(self, account_id: str, usage_key: str, settled: int) -> None:
        """Record that the counter's billable calls are settled up to `settled` (never lowering it), and take
        it out of the Unsettled index if no call arrived meanwhile: the condition reads `billable` in the
        same write, so a concurrent late call keeps it in."""
        request = {"TableName": self.table, "Key": to_attributes({"account_id": account_id, "usage_key": usage_key})}
        values = to_attributes({":settled": settled})
        try:
            self._dynamodb.update_item(
                **request, UpdateExpression="SET settled_billable = :settled REMOVE unsettled_shard, unsettled_key",
                ConditionExpression="billable = :settled AND "
                                    "(attribute_not_exists(settled_billable) OR settled_billable <= :settled)",
                ExpressionAttributeValues=values,
            )
            return
        except ClientError as error:
            if not condition_failed(error):
                raise
        try:
            self._dynamodb.update_item(
                **request, UpdateExpression="SET settled_billable = :settled",
                ConditionExpression="attribute_exists(billable) AND "
                                    "(attribute_not_exists(settled_billable) OR settled_billable < :settled)",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
