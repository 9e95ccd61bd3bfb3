"""What the ingestion and usage-aggregator tests share: events, a fixed clock, a client that fails on
its Nth write, the Calls stream read as Lambda would deliver it, and the counters recomputed from the
stored calls. (Its own tests, at the end, check the Lambda stream delivery it simulates.)"""

from __future__ import annotations

import copy
import importlib
import json
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from shared import clock
from shared.store.calls import CALL_SHARDS, call_partition_key
from shared.store.codec import batch_get, from_attributes
from tests.aws import aws_client
from tests.support import load_event


def _import_handler(module: str) -> Any:
    """Import a handler module as Lambda does, with a region set (Lambda always has one): its
    module-level client needs it. Tests then swap that client for one on moto."""
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        return importlib.import_module(module)
    finally:
        if saved is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)


ingest_app = _import_handler("functions.ingest.app")
aggregator_app = _import_handler("functions.usage_aggregator.app")

WRITE_OPERATIONS = frozenset({"put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items"})


class FakeContext:
    function_name = "IngestFunction"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:IngestFunction"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


class FixedClock:
    def __init__(self, instant: datetime):
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


@contextmanager
def clock_at(instant: datetime) -> Iterator[FixedClock]:
    fixed = FixedClock(instant)
    clock.use_clock(fixed)
    try:
        yield fixed
    finally:
        clock.use_clock(clock.SystemClock())


def api_event(body: Any) -> dict[str, Any]:
    """POST /v1/calls as API Gateway sends it; `body` is JSON-encoded unless it is already a str."""
    event = load_event("calls_post.json")
    event["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return event


def sqs_event(*bodies: str) -> dict[str, Any]:
    """An SQS batch of the ingest queue with these message bodies (message ids m0, m1, ...)."""
    template = load_event("calls_sqs.json")["Records"][0]
    records = []
    for index, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record["messageId"] = f"m{index}"
        record["body"] = body
        records.append(record)
    return {"Records": records}


def dynamodb() -> Any:
    return aws_client("dynamodb")


def create_accounts(client: Any, *account_ids: str) -> None:
    for account_id in account_ids:
        client.put_item(TableName=os.environ["ACCOUNTS_TABLE"], Item={"account_id": {"S": account_id},
                                                                      "status": {"S": "active"}})


class Crash(Exception):
    """A write failed for good (a lost connection, retries exhausted): the invocation answers an error."""


class ProcessDied(BaseException):
    """The process died here (a Lambda timeout, an out-of-memory kill): no answer at all."""


class CrashingClient:
    """A DynamoDB client whose `crash_at`-th write (1-based) dies, before or after it reaches DynamoDB;
    every other call goes through. Thread-safe: the handler writes from several threads."""

    def __init__(self, client: Any, crash_at: int | None = None, *, after: bool = False,
                 error: Callable[[str], Exception] | None = None):
        self._client = client
        self._crash_at = crash_at
        self._after = after
        self._error = error or (lambda operation: Crash(f"crashed at write {crash_at} ({operation})"))
        self._lock = threading.Lock()
        self.writes: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in WRITE_OPERATIONS:
            return attribute

        def write(**kwargs: Any) -> Any:
            with self._lock:
                self.writes.append(name)
                crashes = len(self.writes) == self._crash_at
            if crashes and not self._after:
                raise self._error(name)
            answer = attribute(**kwargs)
            if crashes:
                raise self._error(name)
            return answer

        return write


def throttled(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                       operation)


# --- the Calls stream, as Lambda delivers it ------------------------------------------------------

def _streams_client() -> Any:
    # botocore would address moto's streams endpoint by account id, which mock_aws does not serve.
    return boto3.client("dynamodbstreams", region_name="us-east-1",
                        config=Config(account_id_endpoint_mode="disabled"))


def _lambda_shaped(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    record = copy.deepcopy(record)
    change = record["dynamodb"]
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    record["eventSourceARN"] = stream_arn
    return record


def stream_records(stream_arn: str, *, after: str | None = None) -> list[dict[str, Any]]:
    """The stream's records (after the sequence number `after`, if given), oldest first, in the shape of a
    Lambda stream event's records."""
    streams = _streams_client()
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        position = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after
                    else {"ShardIteratorType": "TRIM_HORIZON"})
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              **position)["ShardIterator"]
        while True:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += [_lambda_shaped(record, stream_arn) for record in page["Records"]]
            if not page["Records"]:
                break
            iterator = page["NextShardIterator"]
    return records


def stream_event(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": list(records)}


class LambdaStreamDelivery:
    """Lambda's poller for one stream shard: batches in order; after a partial failure it resumes from
    the first failed record; after an error (an exception) it retries the same batch. `cuts` gives
    each batch's size in turn, so retries meet other batch boundaries than the first attempt."""

    def __init__(self, handler: Callable[[dict[str, Any]], Any], cuts: Sequence[int], max_rounds: int = 10_000):
        self._handler = handler
        self._cuts = list(cuts)
        self._max_rounds = max_rounds
        self.invocations = 0

    def deliver(self, records: Sequence[dict[str, Any]], *, start: int = 0) -> None:
        position = start
        while position < len(records):
            if self.invocations >= self._max_rounds:
                raise AssertionError("the stream never drained")
            size = self._cuts[self.invocations % len(self._cuts)]
            self.invocations += 1
            batch = list(records[position:position + size])
            try:
                answer = self._handler(stream_event(batch))
            except (Exception, ProcessDied):
                continue
            failures = [failure["itemIdentifier"] for failure in (answer or {}).get("batchItemFailures", [])]
            numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
            if failures:
                position += min(numbers.index(failed) for failed in failures)
            else:
                position += len(batch)


# --- what the tables hold -------------------------------------------------------------------------

def scan(client: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        items += [from_attributes(item) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _query(client: Any, table: str, key_name: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True, "KeyConditionExpression": "#k = :k",
                               "ExpressionAttributeNames": {"#k": key_name},
                               "ExpressionAttributeValues": {":k": {"S": key}}}
    while True:
        page = client.query(**request)
        items += [from_attributes(item) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def stored_calls(client: Any, *account_ids: str) -> list[dict[str, Any]]:
    """The calls stored (not the NFC windows): every one, or those of these accounts (queried by shard)."""
    table = os.environ["CALLS_TABLE"]
    if account_ids:
        return [item for account_id in account_ids for shard in range(CALL_SHARDS)
                for item in _query(client, table, "pk", f"{account_id}#{shard}")]
    return [item for item in scan(client, table) if not item["pk"].endswith("#nfc")]


def counters_from_calls(calls: Sequence[dict[str, Any]]) -> dict[tuple[str, str], dict[str, int]]:
    """The counters as they must be: recomputed from the stored calls."""
    counters: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for call in calls:
        counter = counters[(call["account_id"], f"{call['billing_date']}#{call['billing_tag']}")]
        counter["calls"] += 1
        counter["billable"] += int(call["billable"])
        counter["unclassified"] += int(call["reason"] == "UNCLASSIFIED_CODE")
        counter[f"rc#{call['return_code']}"] += 1
    return {key: {"billable": 0, "unclassified": 0, **dict(counter)} for key, counter in counters.items()}


def calls_with_keys(client: Any, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """The stored calls among these (account_id, request_id) keys (a BatchGetItem: cheap on moto)."""
    wanted = [{"pk": {"S": call_partition_key(account_id, request_id)}, "request_id": {"S": request_id}}
              for account_id, request_id in dict.fromkeys(keys)]
    return [from_attributes(item) for item in batch_get(client, os.environ["CALLS_TABLE"], wanted)]


def counters_stored(client: Any, *account_ids: str) -> dict[tuple[str, str], dict[str, int]]:
    """The counters held in the Usage table: every one, or those of these accounts."""
    table = os.environ["USAGE_TABLE"]
    items = ([item for account_id in account_ids for item in _query(client, table, "account_id", account_id)]
             if account_ids else scan(client, table))
    return {
        (item["account_id"], item["usage_key"]): {
            name: int(value) for name, value in item.items()
            if name in ("calls", "billable", "unclassified") or name.startswith("rc#")
        }
        for item in items
    }


# --- the delivery simulation above, checked on its own -------------------------------------------

def _numbered(count: int) -> list[dict[str, Any]]:
    return [{"dynamodb": {"SequenceNumber": str(100 + index)}} for index in range(count)]


def test_the_simulated_poller_resumes_from_the_first_failed_record_of_a_batch():
    seen: list[list[str]] = []

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        numbers = [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
        seen.append(numbers)
        failed = [{"itemIdentifier": "103"}, {"itemIdentifier": "104"}] if len(seen) == 1 else []
        return {"batchItemFailures": failed}

    LambdaStreamDelivery(handler, cuts=[5, 3]).deliver(_numbered(6))

    assert seen == [["100", "101", "102", "103", "104"], ["103", "104", "105"]]


def test_the_simulated_poller_retries_a_batch_that_raised_with_the_next_cut():
    seen: list[int] = []

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        seen.append(len(event["Records"]))
        if len(seen) == 1:
            raise RuntimeError("boom")
        return {"batchItemFailures": []}

    LambdaStreamDelivery(handler, cuts=[4, 2]).deliver(_numbered(4))

    assert seen == [4, 2, 2]
