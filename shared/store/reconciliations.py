"""The reconciliation's results, in the Books table beside the revenue aggregates (which use "revenue#NN").

Keys (template.yaml BooksTable): `pk` = "reconciliation#<billing date checked>", and `sk` =
- "run": the run's header: `date`, `ran_at` (the scheduled instant), `accounts_due`, `batches`. Written by the
  dispatcher before it sends anything, unless a later run of the same date is there already.
- "batch#<ran_at>#<NNNNN>": one item per message of that run: `accounts_checked`, `packs_checked`,
  `differences` (each {account_id, check, expected, actual, subject}). A redelivered message puts the same item
  again, so nothing is counted twice, and a rerun of the date (another ran_at) writes items of its own: the
  report sums only the batches of the run its header names.
A batch keeps at most MAX_STORED_DIFFERENCES differences (an item holds 400 KB); `differences_found` counts all.

Also the reconciliation queue, which carries the run's batches (shared.reconciliation.queue) to the workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.reconciliation.models import (
    BatchFindings,
    Check,
    Difference,
    ReconciliationReport,
    ReconciliationRun,
)
from shared.store.codec import condition_failed, from_attributes, query_items, to_attributes
from shared.store.queues import JsonMessageQueue
from shared.store.transactions import sortable_instant

_PARTITION = "reconciliation#"
_RUN = "run"
_BATCH = "batch#"
MAX_STORED_DIFFERENCES = 1000


def _partition(day: date) -> str:
    return f"{_PARTITION}{day.isoformat()}"


def _batches_of(ran_at: datetime) -> str:
    return f"{_BATCH}{sortable_instant(ran_at)}#"


def _difference_to_item(difference: Difference) -> dict[str, str]:
    return {"account_id": difference.account_id, "check": difference.check.value, "expected": difference.expected,
            "actual": difference.actual, "subject": difference.subject}


def _difference_from_item(values: Mapping[str, Any]) -> Difference:
    return Difference(account_id=values["account_id"], check=Check(values["check"]), expected=values["expected"],
                      actual=values["actual"], subject=values.get("subject", ""))


class ReconciliationQueue(JsonMessageQueue):
    kind = "reconciliation"


class ReconciliationResults:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def start_run(self, run: ReconciliationRun, accounts_due: int, batches: int) -> bool:
        """Write the run's header; False if a later run of the same date wrote its own (this one is stale)."""
        ran_at = sortable_instant(run.ran_at)
        try:
            self._dynamodb.put_item(
                TableName=self.table,
                Item=to_attributes({"pk": _partition(run.day), "sk": _RUN, "date": run.day.isoformat(),
                                    "ran_at": ran_at, "accounts_due": accounts_due, "batches": batches}),
                ConditionExpression="attribute_not_exists(sk) OR ran_at <= :ran_at",
                ExpressionAttributeValues=to_attributes({":ran_at": ran_at}),
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def record_batch(self, findings: BatchFindings) -> None:
        """Put one message's findings: the same message again overwrites them."""
        stored = findings.differences[:MAX_STORED_DIFFERENCES]
        self._dynamodb.put_item(TableName=self.table, Item=to_attributes({
            "pk": _partition(findings.run.day),
            "sk": f"{_batches_of(findings.run.ran_at)}{findings.batch:05d}",
            "ran_at": sortable_instant(findings.run.ran_at),
            "accounts_checked": findings.accounts_checked,
            "packs_checked": findings.packs_checked,
            "differences_found": len(findings.differences),
            "differences": [_difference_to_item(difference) for difference in stored],
        }))

    def report(self, day: date) -> ReconciliationReport | None:
        """The latest run of `day` with what its batches found so far; None if no run of that date started."""
        header = self._dynamodb.get_item(TableName=self.table, Key=to_attributes({"pk": _partition(day), "sk": _RUN}),
                                         ConsistentRead=True).get("Item")
        if header is None:
            return None
        values = from_attributes(header)
        run = ReconciliationRun(day, datetime.fromisoformat(values["ran_at"]))
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :batches)",
            "ExpressionAttributeValues": to_attributes({":pk": _partition(day), ":batches": _batches_of(run.ran_at)}),
            "ConsistentRead": True,
        }
        accounts = packs = 0
        differences: list[Difference] = []
        for item in query_items(self._dynamodb, request):
            batch = from_attributes(item)
            accounts += int(batch["accounts_checked"])
            packs += int(batch["packs_checked"])
            differences += [_difference_from_item(difference) for difference in batch.get("differences", [])]
        return ReconciliationReport(run, int(values["accounts_due"]), accounts, packs, tuple(differences))
