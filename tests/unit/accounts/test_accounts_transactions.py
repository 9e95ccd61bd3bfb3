"""DynamoDB's cancelled transactions come back as the domain error of the item whose condition failed."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.accounts.errors import AccountExists, InsufficientBalance
from shared.store.transactions import TransactionItem, TransactionWriter, sortable_instant


def cancelled(*codes: str, item: dict | None = None) -> ClientError:
    reasons = [{"Code": code, **({"Item": item} if item and code == "ConditionalCheckFailed" else {})}
               for code in codes]
    return ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                        "CancellationReasons": reasons}, "TransactWriteItems")


class FakeDynamoDB:
    def __init__(self, *failures: Exception):
        self.failures = list(failures)
        self.calls: list[list[dict[str, Any]]] = []

    def transact_write_items(self, TransactItems):
        self.calls.append(TransactItems)
        if self.failures:
            raise self.failures.pop(0)


def item(name: str, error: type[Exception]) -> TransactionItem:
    return TransactionItem({"Put": {"TableName": name, "Item": {}, "ConditionExpression": "attribute_not_exists(k)"}},
                           lambda old: error(old))


def test_the_failed_items_error_is_raised_with_the_item_as_it_was():
    dynamodb = FakeDynamoDB(cancelled("None", "ConditionalCheckFailed", item={"status": {"S": "active"}}))
    seen = []

    def refusal(old):
        seen.append(old)
        return InsufficientBalance()

    with pytest.raises(InsufficientBalance):
        TransactionWriter(dynamodb).commit([
            item("a", lambda old: AccountExists("x")),
            TransactionItem({"Update": {"TableName": "b", "ConditionExpression": "x"}}, refusal),
        ])

    assert seen == [{"status": "active"}]
    assert dynamodb.calls[0][1]["Update"]["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_a_transaction_cancelled_by_a_concurrent_one_is_tried_again():
    dynamodb = FakeDynamoDB(cancelled("TransactionConflict", "None"))

    TransactionWriter(dynamodb).commit([item("a", RuntimeError), item("b", RuntimeError)])

    assert len(dynamodb.calls) == 2


def test_other_errors_are_not_hidden():
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems")

    with pytest.raises(ClientError):
        TransactionWriter(FakeDynamoDB(throttled)).commit([item("a", RuntimeError)])


def test_a_transaction_holds_1_to_100_items():
    with pytest.raises(ValueError):
        TransactionWriter(FakeDynamoDB()).commit([])
    with pytest.raises(ValueError):
        TransactionWriter(FakeDynamoDB()).commit([item(str(n), RuntimeError) for n in range(101)])


def test_sortable_instants_are_utc_of_fixed_width():
    from datetime import datetime

    assert sortable_instant(datetime.fromisoformat("2026-03-02T08:00:00+08:00")) == "2026-03-02T00:00:00.000000Z"
