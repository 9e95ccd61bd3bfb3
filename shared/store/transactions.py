"""One DynamoDB transaction over several tables, whose failed conditions come back as domain errors.

Each repository builds the items of its own table together with what a failure of that item's
condition means (AccountExists, InsufficientBalance, ...), so DynamoDB's CancellationReasons are
turned into domain errors by the code that wrote the condition, and by nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.store.codec import from_attributes

MAX_ITEMS = 100  # DynamoDB's limit of items in one transaction
_CONFLICT_RETRIES = 3


@dataclass(frozen=True)
class TransactionItem:
    """One item of TransactWriteItems and the error its failed condition means.

    `on_condition_failed` gets the item as it was (plain values), or None when there was none.
    """

    request: dict[str, Any]
    on_condition_failed: Callable[[dict[str, Any] | None], Exception]


class TransactionWriter:
    def __init__(self, dynamodb: Any):
        self._dynamodb = dynamodb

    def commit(self, items: Sequence[TransactionItem]) -> None:
        """Write every item or none; a failed condition raises the error its item names."""
        if not 0 < len(items) <= MAX_ITEMS:
            raise ValueError(f"a transaction holds 1 to {MAX_ITEMS} items, not {len(items)}")
        requests = [_returning_old_item(item.request) for item in items]
        for attempt in range(_CONFLICT_RETRIES + 1):
            try:
                self._dynamodb.transact_write_items(TransactItems=requests)
                return
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons") or []
                for item, reason in zip(items, reasons, strict=False):
                    if reason.get("Code") == "ConditionalCheckFailed":
                        old = reason.get("Item")
                        raise item.on_condition_failed(None if old is None else from_attributes(old)) from None
                # Cancelled by a concurrent transaction on the same items, not by our conditions: the same
                # items may simply be tried again (their conditions still guard every write).
                if attempt == _CONFLICT_RETRIES or not any(r.get("Code") == "TransactionConflict" for r in reasons):
                    raise
                time.sleep(0.05 * 2**attempt)


def _returning_old_item(request: dict[str, Any]) -> dict[str, Any]:
    (action, body), = request.items()
    if "ConditionExpression" not in body:
        return request
    return {action: {**body, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


def sortable_instant(at: datetime) -> str:
    """An instant as UTC text of fixed width, so that keys sort in time order: 2026-03-02T04:00:00.000000Z."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: instants must carry an offset")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
