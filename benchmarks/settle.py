"""Settlement: DynamoDB requests and time to settle one account-day, and a 10,000-account run through the fan-out.

results.json: {"settle": {"requests_per_account_day": {"1000": n, "10000": n, "100000": n},
                          "seconds_per_account_day": {"1000": s, "10000": s, "100000": s},
                          "accounts_10000_s": t}}

On moto in this process (mock_aws; the template's resources provisioned as the local stack does), through
the template's two functions: the scheduled dispatcher and the settlement worker fed from the queue.

- requests_per_account_day: one account whose day holds that many billable calls over 3 tags, 2 of them
  with a pack (the gifted one exhausted, the bought one left below 20%, the rest postpaid), settled by the
  worker from one queue message: every DynamoDB request the worker sends, reads and writes alike. Calls
  are counted in the usage counters (one item per account, day and tag), which are seeded directly, so
  the goal is a figure flat in calls.
- seconds_per_account_day: the worker's time for that message.
- accounts_10000_s: 10,000 accounts of 10 calls each (one tag, no pack), from the dispatcher's first read to
  the last message done, with the worker taking the queue 5 messages at a time as the template's event
  source does (one worker: Lambda would run many in parallel, so AWS would be far quicker).

moto answers a Query by scanning every item of the table (DynamoDB reads one partition) and backs up every
table a transaction writes to, whole, to roll it back: that would make the 10,000-account run quadratic in
accounts and measure moto rather than settlement. Here a Query on a table's own key looks in its partition
only, and a transaction backs up only the items it writes. Index queries (the dispatcher's) still scan.

run(quick=True) (`make bench QUICK=1`) sends 50 accounts through the fan-out, reported as accounts_50_s; the
account-days are as above (their cost does not grow with the calls).
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks._isolation import isolated
from benchmarks._lambda import LambdaContext

SECTION = "settle"
CALL_COUNTS = (1_000, 10_000, 100_000)
FANOUT_ACCOUNTS = 10_000
QUICK_FANOUT_ACCOUNTS = 50
FANOUT_CALLS = 10
TAGS = ("enhanced_authority_wechat", "basic_upload", "phone_2e")
DAY = date(2026, 3, 1)
RUN_AT = "2026-03-01T16:00:00Z"  # 00:00 on 03-02 in Shanghai
WORKER_BATCH = 5  # the SettlementWorkerFunction's BatchSize
REPO_ROOT = Path(__file__).resolve().parents[1]

_DYNAMODB_OPERATIONS = frozenset({
    "get_item", "put_item", "update_item", "delete_item", "query", "scan", "batch_get_item", "batch_write_item",
    "transact_get_items", "transact_write_items",
})


class RequestCounter:
    """Wraps a DynamoDB client and counts the requests sent through it."""

    def __init__(self, client: Any):
        self._client = client
        self._lock = threading.Lock()
        self.requests = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in _DYNAMODB_OPERATIONS:
            return attribute

        def counted(**request: Any) -> Any:
            with self._lock:
                self.requests += 1
            return attribute(**request)

        return counted


_CONTEXT = LambdaContext("SettlementWorkerFunction")


@contextmanager
def _partitioned_queries() -> Iterator[None]:
    """moto's Table.query, answering a query on the table's own key from that key's partition alone."""
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name is not None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: partition  # an instance attribute, for this call only
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query
    try:
        yield
    finally:
        Table.query = original


@contextmanager
def _item_level_rollback() -> Iterator[None]:
    """moto's TransactWriteItems, rolling back only the items it touches instead of copying each table whole."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            (_, operation), = entry.items()
            table = self.get_table(operation["TableName"])
            key = operation.get("Key") or operation["Item"]
            partition = DynamoType(key[table.hash_key_attr])
            sort = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            held = table.items.get(partition, {}).get(sort) if sort is not None else table.items.get(partition)
            saved.append((table, partition, sort, copy.deepcopy(held)))
        Table.__deepcopy__ = lambda table, _memo: table  # moto's own backup becomes a no-op
        try:
            return original(self, transact_items)
        except Exception:
            for table, partition, sort, held in reversed(saved):
                if sort is None:
                    table.items.pop(partition, None) if held is None else table.items.__setitem__(partition, held)
                elif held is None:
                    table.items.get(partition, {}).pop(sort, None)
                else:
                    table.items[partition][sort] = held
            raise
        finally:
            del Table.__deepcopy__

    DynamoDBBackend.transact_write_items = transact_write_items
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = original


@contextmanager
def emulator() -> Iterator[Any]:
    """moto in this process with the template's resources; the environment of the template's functions set
    meanwhile. Done, it leaves nothing behind (benchmarks/_isolation.py). Yields the PhysicalResources."""
    import boto3
    from moto import mock_aws

    from infra.local import provision
    from infra.local.intrinsics import PhysicalResources
    from infra.local.template import StackTemplate, load_template

    with isolated():
        os.environ.update({
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "benchmark", "AWS_SECRET_ACCESS_KEY": "benchmark",
            "POWERTOOLS_SERVICE_NAME": "faceid-billing", "POWERTOOLS_METRICS_NAMESPACE": "FaceIdBilling",
            "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        })
        os.environ.pop("AWS_ENDPOINT_URL", None)
        with mock_aws(), _partitioned_queries(), _item_level_rollback():
            template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
            physical = PhysicalResources(region="us-east-1", account_id="123456789012", stack_name="benchmark")
            physical.parameters = template.parameter_values({})
            provision.provision(lambda service: boto3.client(service, region_name="us-east-1"), template, physical)
            os.environ.update(provision.function_environment(template, physical))
            yield physical


# --- seeding --------------------------------------------------------------------------------------

def _account_item(account_id: str) -> dict[str, Any]:
    from shared.accounts.models import Account, AccountStatus, Contacts, Locale, Wallets
    from shared.pricing import SettlementCycle
    from shared.store.accounts import account_to_item

    activated = datetime(2025, 6, 1, tzinfo=UTC)
    money = Decimal("1000000.00")
    return account_to_item(Account(
        account_id=account_id, status=AccountStatus.ACTIVE, suspension_reason=None,
        settlement_cycle=SettlementCycle.DAILY, postpaid_enabled=True, balance=money, wallets=Wallets(cash=money),
        contacts=Contacts(), locale=Locale.ZH_CN, daily_report=False, activated_at=activated, created_at=activated,
    ))


def _pack_item(account_id: str, pack_id: str, tag: str, size: int, origin: str) -> dict[str, Any]:
    from shared.accounts.models import Pack, PackOrigin
    from shared.config import settings
    from shared.store.packs import pack_to_item

    bought = datetime(2026, 1, 5, tzinfo=UTC)
    return pack_to_item(Pack(
        account_id=account_id, pack_id=pack_id, billing_tag=tag, origin=PackOrigin(origin), size=size,
        remaining=size, acquired_at=bought, effective_from=date(2026, 1, 5),
        expires_at=bought + timedelta(days=365)), settings().zone)


def _counter_item(account_id: str, tag: str, billable: int) -> dict[str, Any]:
    from shared.store.usage import (
        RETURN_CODE_PREFIX,
        SEQUENCE_PREFIX,
        CounterKey,
        sequence_mark,
        unsettled_key,
        unsettled_shard,
    )

    # The item UsageRepository.apply writes for `billable` calls of return code 0 from one stream record.
    return {"account_id": account_id, "usage_key": CounterKey(account_id, DAY, tag).usage_key, "calls": billable,
            "billable": billable, "unclassified": 0, f"{RETURN_CODE_PREFIX}0": billable,
            f"{SEQUENCE_PREFIX}0": sequence_mark(1),
            "unsettled_shard": unsettled_shard(account_id), "unsettled_key": unsettled_key(account_id, DAY)}


def _put_all(client: Any, items_by_table: dict[str, list[dict[str, Any]]]) -> None:
    from shared.store.codec import to_attributes

    for table, items in items_by_table.items():
        for start in range(0, len(items), 25):
            client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": to_attributes(item)}}
                                                          for item in items[start:start + 25]]})


# --- the runs -------------------------------------------------------------------------------------

def _message(account_ids: list[str]) -> str:
    accounts = [{"account_id": account_id, "since": DAY.isoformat()} for account_id in account_ids]
    return json.dumps({"cycle": "daily", "run_at": RUN_AT, "accounts": accounts})


def sqs_event(bodies: list[tuple[str, str, str]], queue_arn: str) -> dict[str, Any]:
    """The SQS event Lambda's poller gives a worker: (message id, receipt handle, body) each."""
    return {"Records": [{"messageId": message_id, "receiptHandle": receipt, "body": body, "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": queue_arn, "awsRegion": "us-east-1"}
                        for message_id, receipt, body in bodies]}


def drain_queue(sqs: Any, queue_url: str, queue_arn: str, handle: Any) -> None:
    """Lambda's poller over a fan-out queue: batches of WORKER_BATCH to `handle` (a worker's handler with its
    context) until the queue is empty; every message must succeed."""
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=WORKER_BATCH,
                                       VisibilityTimeout=600).get("Messages", [])
        if not messages:
            return
        answer = handle(sqs_event([(m["MessageId"], m["ReceiptHandle"], m["Body"]) for m in messages], queue_arn))
        assert answer == {"batchItemFailures": []}, answer
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(messages)])


@dataclass(frozen=True)
class AccountDay:
    requests: int
    seconds: float


def settle_account_day(client: Any, worker: Any, calls: int, queue_arn: str) -> AccountDay:
    """One account-day of `calls` billable calls over 3 tags and 2 packs, settled from one message."""
    from shared.config import settings

    account_id = f"day-{calls}"
    config = settings()
    per_tag = [calls // 3 + (1 if index < calls % 3 else 0) for index in range(3)]
    _put_all(client, {
        config.accounts_table: [_account_item(account_id)],
        config.packs_table: [_pack_item(account_id, "pk_bought", TAGS[0], per_tag[0] * 10 // 9, "purchase"),
                             _pack_item(account_id, "pk_gift", TAGS[1], per_tag[1] // 2, "promotion")],
        config.usage_table: [_counter_item(account_id, tag, count) for tag, count in zip(TAGS, per_tag, strict=True)],
    })
    from functions.wiring import with_clients
    from functions.wiring.settlement import build_settlement_stores

    counter = RequestCounter(client)
    worker.settlement_stores = with_clients(build_settlement_stores, dynamodb=counter)
    started = time.perf_counter()
    answer = worker.handler(sqs_event([("m-day", "r-day", _message([account_id]))], queue_arn), _CONTEXT)
    seconds = time.perf_counter() - started
    worker.settlement_stores = with_clients(build_settlement_stores, dynamodb=client)
    assert answer == {"batchItemFailures": []}, answer
    bills = client.query(TableName=config.bills_table, KeyConditionExpression="account_id = :a",
                         ExpressionAttributeValues={":a": {"S": account_id}})["Items"]
    assert len(bills) == 1, bills
    assert counter.requests, "the worker made no request through the counter: is it still wired to it?"
    return AccountDay(counter.requests, seconds)


def settle_fanout(client: Any, dispatcher: Any, worker: Any, accounts: int, queue_arn: str) -> float:
    """`accounts` accounts of FANOUT_CALLS calls each through the dispatcher and the worker; wall seconds."""
    from shared.aws import sqs_client
    from shared.config import settings

    config = settings()
    ids = [f"fan-{number:05d}" for number in range(accounts)]
    _put_all(client, {config.accounts_table: [_account_item(account_id) for account_id in ids],
                      config.usage_table: [_counter_item(account_id, TAGS[0], FANOUT_CALLS) for account_id in ids]})
    sqs = sqs_client()  # the dispatcher's own
    started = time.perf_counter()
    summary = dispatcher.handler({"job": "daily-settlement", "cycle": "daily", "scheduled_at": RUN_AT}, _CONTEXT)
    assert summary["accounts"] == accounts, summary
    drain_queue(sqs, config.settlement_queue_url, queue_arn, lambda event: worker.handler(event, _CONTEXT))
    seconds = time.perf_counter() - started
    left = client.scan(TableName=config.usage_table, IndexName="Unsettled", Select="COUNT")["Count"]
    assert left == 0, f"{left} counters still unsettled"
    return seconds


def run(quick: bool = False) -> dict[str, Any]:
    import logging

    import boto3

    logging.getLogger("aws_lambda_powertools").setLevel(logging.WARNING)
    with emulator() as physical:
        import functions.settlement_dispatcher.app as dispatcher
        import functions.settlement_worker.app as worker

        client = boto3.client("dynamodb", region_name="us-east-1")
        queue_arn = physical.attributes[("SettlementQueue", "Arn")]

        days = {calls: settle_account_day(client, worker, calls, queue_arn) for calls in CALL_COUNTS}
        accounts = QUICK_FANOUT_ACCOUNTS if quick else FANOUT_ACCOUNTS
        fanout_s = settle_fanout(client, dispatcher, worker, accounts, queue_arn)
    return {
        "requests_per_account_day": {str(calls): day.requests for calls, day in days.items()},
        "seconds_per_account_day": {str(calls): round(day.seconds, 4) for calls, day in days.items()},
        f"accounts_{accounts}_s": round(fanout_s, 1),
    }


def table(section: dict[str, Any]) -> str:
    lines = [f"{'calls in the day':<18}{'DynamoDB requests':>19}{'seconds':>10}  goal: requests flat in calls"]
    requests = section["requests_per_account_day"]
    for calls, count in requests.items():
        lines.append(f"{calls:<18}{count:>19}{section['seconds_per_account_day'][calls]:>10.3f}")
    flat = len(set(requests.values())) == 1
    lines.append(f"requests flat in calls: {'ok' if flat else 'NOT FLAT'}")
    (key, fanout_s), = ((key, value) for key, value in section.items() if key.startswith("accounts_"))
    accounts = int(key.removeprefix("accounts_").removesuffix("_s"))
    lines.append(f"{accounts} accounts x {FANOUT_CALLS} calls through the fan-out: "
                 f"{fanout_s:.1f} s (one worker, moto in-process)")
    return "\n".join(lines)

