"""The progress of each settlement run, in the Books table beside the reconciliation results.

Keys (template.yaml BooksTable): `pk` = "settlement-run#<cycle>", `sk` = the run's scheduled instant (sortable
UTC). The dispatcher writes `dispatch` (an id of its own, new on every dispatch of the run), `messages` and
`accounts` before it sends anything; each message a worker has settled adds its number to `settled_batches`,
and the update that makes the set whole sets `completed_at`, once. A dispatch that runs again (a retried
schedule, an operator's rerun) starts the progress over: messages of an earlier dispatch no longer count, since
their numbers name other accounts. Emitting SettlementRunCompleted on that one transition is what the
"settlement not finished by 01:00" alarm watches for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.pricing import SettlementCycle
from shared.settlement.queue import SettlementMessage
from shared.store.codec import condition_failed, from_attributes, to_attributes
from shared.store.transactions import sortable_instant

_PARTITION = "settlement-run#"


def _key(cycle: SettlementCycle, run_at: datetime) -> dict[str, Any]:
    return to_attributes({"pk": f"{_PARTITION}{cycle.value}", "sk": sortable_instant(run_at)})


class SettlementRuns:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def start(self, cycle: SettlementCycle, run_at: datetime, dispatch: str, *, messages: int, accounts: int,
              now: datetime) -> bool:
        """Begin (or begin again) the run's progress; True if it is complete already (nothing to settle)."""
        complete = messages == 0
        assignments = "dispatch = :dispatch, messages = :messages, accounts = :accounts, started_at = :now"
        self._dynamodb.update_item(
            TableName=self.table, Key=_key(cycle, run_at),
            UpdateExpression=(f"SET {assignments}, completed_at = :now REMOVE settled_batches" if complete
                              else f"SET {assignments} REMOVE settled_batches, completed_at"),
            ExpressionAttributeValues=to_attributes({":dispatch": dispatch, ":messages": messages,
                                                     ":accounts": accounts, ":now": sortable_instant(now)}),
        )
        return complete

    def batch_settled(self, message: SettlementMessage, now: datetime) -> bool:
        """Count `message` as settled; True for the one call that completes its run's dispatch."""
        if not message.dispatch:
            return False
        key = _key(message.cycle, message.run_at)
        try:
            answer = self._dynamodb.update_item(
                TableName=self.table, Key=key, UpdateExpression="ADD settled_batches :batch",
                ConditionExpression="dispatch = :dispatch",
                ExpressionAttributeValues=to_attributes({":batch": {message.batch}, ":dispatch": message.dispatch}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                return False  # an earlier dispatch of the run: the later one counts its own messages
            raise
        progress = from_attributes(answer["Attributes"])
        if "completed_at" in progress or len(progress["settled_batches"]) < progress["messages"]:
            return False
        try:
            self._dynamodb.update_item(
                TableName=self.table, Key=key, UpdateExpression="SET completed_at = :now",
                ConditionExpression="attribute_not_exists(completed_at) AND dispatch = :dispatch",
                ExpressionAttributeValues=to_attributes({":now": sortable_instant(now),
                                                         ":dispatch": message.dispatch}),
            )
        except ClientError as error:
            if condition_failed(error):
                return False  # a redelivered last message, racing the first delivery: that one completed it
            raise
        return True

    def progress(self, cycle: SettlementCycle, run_at: datetime) -> dict[str, Any] | None:
        item = self._dynamodb.get_item(TableName=self.table, Key=_key(cycle, run_at), ConsistentRead=True).get("Item")
        return None if item is None else from_attributes(item)
