"""The reconciliation job through the template's two functions on moto, beside the settlement tests' system:
the scheduled dispatcher, then the worker fed from the reconciliation queue as Lambda's poller does; the
answer of GET /v1/reconciliation; and the tampering of stored items that the tests make the checks find."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

from shared.config import settings
from shared.store.codec import from_attributes, to_attributes
from tests.aws import aws_client
from tests.integration.test_ingest_support import FakeContext
from tests.integration.test_ingest_support import _import_handler as import_handler
from tests.integration.test_settlement_support import Settlement
from tests.support import load_event

dispatcher_app = import_handler("functions.reconciliation_dispatcher.app")
worker_app = import_handler("functions.reconciliation_worker.app")


def reconcile(system: Settlement, at: str) -> dict[str, Any]:
    """The reconciliation schedule firing at `at` (RFC 3339): the dispatcher, then the worker over the queue, 5
    messages an invocation, until the queue is empty. Answers the dispatcher's summary; asserts no message failed."""
    event = load_event("reconciliation_schedule.json")
    event["scheduled_at"] = datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = dispatcher_app.handler(event, FakeContext())
    drain(system)
    return summary


def drain(system: Settlement) -> list[dict[str, Any]]:
    """Lambda's SQS poller for the reconciliation queue; the worker's answers, in order."""
    sqs, url = aws_client("sqs"), settings().reconciliation_queue_url
    arn = system.physical.attributes[("ReconciliationQueue", "Arn")]
    template = load_event("reconciliation_sqs.json")["Records"][0]
    answers = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5, VisibilityTimeout=600).get("Messages", [])
        if not messages:
            return answers
        records = [{**copy.deepcopy(template), "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"], "eventSourceARN": arn} for m in messages]
        answer = worker_app.handler({"Records": records}, FakeContext())
        assert answer == {"batchItemFailures": []}, answer
        answers.append(answer)
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def findings(system: Settlement, day: date) -> tuple[int, Any]:
    return system.api.get("/v1/reconciliation", date=day.isoformat())


def differences(system: Settlement, day: date) -> list[dict[str, str]]:
    status, body = findings(system, day)
    assert status == 200, body
    return body["differences"]


# -- tampering, as an operator or a bug writing straight into a table would --------------------------------

def update_item(table: str, key: dict[str, Any], expression: str, values: dict[str, Any],
                names: dict[str, str] | None = None) -> None:
    aws_client("dynamodb").update_item(
        TableName=table, Key=to_attributes(key), UpdateExpression=expression,
        ExpressionAttributeValues=to_attributes(values), **({"ExpressionAttributeNames": names} if names else {}))


def bill_item(account_id: str, period: date) -> dict[str, Any]:
    item = aws_client("dynamodb").get_item(
        TableName=settings().bills_table,
        Key=to_attributes({"account_id": account_id, "bill_key": f"period#{period.isoformat()}"}))["Item"]
    return from_attributes(item)


def put_bill_item(values: dict[str, Any]) -> None:
    aws_client("dynamodb").put_item(TableName=settings().bills_table, Item=to_attributes(values))
