"""The nightly reconciliation: DynamoDB read units and requests to check one account-day, and a 10,000-account run.

results.json: {"reconcile": {"read_units_per_call": x,
                             "requests_per_account_day": {"1000": n, "10000": n, "100000": n},
                             "accounts_10000_s": t}}

On moto in this process (benchmarks/settle.py's emulator: the template's resources, partitioned table queries,
item-level transaction rollback), through the template's two functions: the scheduled dispatcher and the
reconciliation worker fed from the queue.

- One account-day of that many billable calls over 3 tags (a bought pack, a gift and postpaid, as settle's),
  settled: the account, its ledger, packs, bill and counters, and the calls in the Calls table (items as
  ingestion writes them, so they land in the BillableByDay index), checked by the worker from one message;
  every history is seeded to tie out, and the run must find no difference.
- requests_per_account_day: every DynamoDB request the worker sends for that message, its one result write
  included. Goal: flat in calls but for the index's pages, growing by at most calls / 1000.
- read_units_per_call: the read units of those requests as DynamoDB bills them, divided by the calls: a read
  of n bytes costs ceil(n / 4 KB) x 1 strongly consistent or x 0.5 eventually consistent, n the summed size of
  the items a Query returns (or of the one item a GetItem reads, at least one unit); an index Query reads
  index entries, each the index's keys, the table's keys and the projected attributes plus 100 bytes, always
  eventually consistent. The figure is the worst of the three account-days. Goal: at most 0.1.
- accounts_10000_s: 10,000 accounts of 10 billable calls each (one tag, settled postpaid), from the
  dispatcher's first read to the last message done, the worker taking the queue 5 messages at a time as the
  template's event source does (one worker; Lambda would run up to 20 at once here).

moto answers an index Query by reading every item of the table (DynamoDB reads the index's partition); as
BillableByDay's partition key is the table's own `pk`, the run gives such a Query the item's partition alone,
as settle's emulator does for table queries, so that the run measures the reconciliation and not moto.

run(quick=True) (`make bench QUICK=1`) sends 50 accounts through the fan-out, reported as accounts_50_s.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from benchmarks._lambda import LambdaContext
from benchmarks.settle import RequestCounter, drain_queue, sqs_event
from benchmarks.settle import emulator as settle_emulator

SECTION = "reconcile"
CALL_COUNTS = (1_000, 10_000, 100_000)
FANOUT_ACCOUNTS = 10_000
QUICK_FANOUT_ACCOUNTS = 50
FANOUT_CALLS = 10
TAGS = ("enhanced_authority_wechat", "basic_upload", "phone_2e")
DAY = date(2026, 3, 1)
RAN_AT = "2026-03-01T18:00:00Z"  # 02:00 on 03-02 in Shanghai
GOAL_READ_UNITS = 0.1
INDEX_ENTRY_OVERHEAD = 100  # bytes DynamoDB adds to each index entry
PAGE = 4096


_CONTEXT = LambdaContext("ReconciliationWorkerFunction")


@contextmanager
def _index_queries_on_the_table_s_partition() -> Iterator[None]:
    """moto's Table.query, answering a query on an index whose partition key is the table's own from that
    partition alone (settle's emulator already does this for queries on the table itself). The worker queries
    the index's shards from several threads at once, so the partition is handed over per thread."""
    from moto.dynamodb.models.table import Table

    original_query, original_all_items = Table.query, Table.all_items
    handed = threading.local()

    def all_items(self: Any) -> Any:
        partition = getattr(handed, "partition", None)
        return original_all_items(self) if partition is None else partition

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        conditions = kwargs.get("hash_key_conditions") or []
        index = next((index for index in self.all_indexes() if index.name == index_name), None)
        hash_names = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"] if index else []
        if index is None or hash_names != [self.hash_key_attr] or len(conditions) != 1:
            return original_query(self, hash_key, *args, **kwargs)
        handed.partition = list(self.items.get(conditions[0][1], {}).values())
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            handed.partition = None

    Table.query, Table.all_items = query, all_items
    try:
        yield
    finally:
        Table.query, Table.all_items = original_query, original_all_items


@contextmanager
def emulator() -> Iterator[Any]:
    with settle_emulator() as physical, _index_queries_on_the_table_s_partition():
        yield physical


# --- read units, as DynamoDB bills them --------------------------------------------------------------

class ReadUnitMeter:
    """Wraps a DynamoDB client; prices every read it passes on (writes pass unpriced). Thread-safe.

    `entry_attributes`: per table and index, the attributes an index entry holds (its keys, the table's keys and
    its projected attributes). An index Query is sent with those added to its projection, so that the entries'
    sizes can be priced, and answered with only what was asked for."""

    def __init__(self, client: Any, entry_attributes: dict[tuple[str, str], list[str]]):
        self._client = client
        self._entry_attributes = entry_attributes
        self._lock = threading.Lock()
        self.units = 0.0
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def _add(self, size: int, consistent: bool) -> None:
        with self._lock:
            self.units += max(1, math.ceil(size / PAGE)) * (1.0 if consistent else 0.5)
            self.reads += 1

    def get_item(self, **request: Any) -> Any:
        from shared.store.calls import item_size

        answer = self._client.get_item(**request)
        self._add(item_size(answer.get("Item") or {}), bool(request.get("ConsistentRead")))
        return answer

    def query(self, **request: Any) -> Any:
        from shared.store.calls import item_size

        if "IndexName" not in request:
            if "ProjectionExpression" in request:
                raise AssertionError("a projected table query: price it from the whole items")
            answer = self._client.query(**request)
            self._add(sum(item_size(item) for item in answer.get("Items", [])), bool(request.get("ConsistentRead")))
            return answer
        names = dict(request.get("ExpressionAttributeNames", {}))
        asked = [names.get(name.strip(), name.strip()) for name in request.get("ProjectionExpression", "").split(",")
                 if name.strip()]
        entry = self._entry_attributes[(request["TableName"], request["IndexName"])]
        placeholders = {f"#entry{number}": attribute for number, attribute in enumerate(entry)}
        answer = self._client.query(**{**request, "ProjectionExpression": ", ".join(placeholders),
                                       "ExpressionAttributeNames": {**names, **placeholders}})
        self._add(sum(item_size(item) + INDEX_ENTRY_OVERHEAD for item in answer.get("Items", [])), False)
        if asked:
            answer["Items"] = [{name: value for name, value in item.items() if name in asked}
                               for item in answer.get("Items", [])]
        return answer

    def batch_get_item(self, **request: Any) -> Any:
        raise AssertionError("the worker was not expected to batch-get: price it")

    def scan(self, **request: Any) -> Any:
        raise AssertionError("the worker must never scan")


def index_entry_attributes(client: Any) -> dict[tuple[str, str], list[str]]:
    """What each index entry of each table holds: the index's keys, the table's keys, the projected attributes."""
    found = {}
    for table in client.list_tables()["TableNames"]:
        description = client.describe_table(TableName=table)["Table"]
        table_keys = [key["AttributeName"] for key in description["KeySchema"]]
        for index in description.get("GlobalSecondaryIndexes", []):
            projection = index["Projection"]
            if projection["ProjectionType"] == "ALL":
                continue  # priced as whole items would be; the worker reads none
            keys = [key["AttributeName"] for key in index["KeySchema"]]
            found[(table, index["IndexName"])] = list(dict.fromkeys(
                keys + table_keys + projection.get("NonKeyAttributes", [])))
    return found


# --- seeding ------------------------------------------------------------------------------------------

def _put_all(items_by_table: dict[str, list[dict[str, Any]]]) -> None:
    """Items already in attribute values, straight into moto's backend: seeding 100,000 calls through its HTTP
    layer would take minutes, and only the worker's own requests are measured."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    for table, items in items_by_table.items():
        for item in items:
            backend.put_item(table, item)


def _call_items(account_id: str, per_tag: list[int]) -> list[dict[str, Any]]:
    """The items ingestion writes for these billable calls of DAY (one return code, each tag's channel)."""
    from shared.pricing import BillingReason
    from shared.store.calls import StoredCall, call_item

    received = datetime(2026, 3, 1, 10, tzinfo=UTC)
    items = []
    for tag, count in zip(TAGS, per_tag, strict=True):
        for number in range(count):
            items.append(call_item(StoredCall(
                account_id=account_id, request_id=f"{tag[:8]}-{number:07d}-5c0b5c7e0f8b4a1c", channel="benchmark",
                source=None, return_code="0", occurred_at=received, received_at=received, billing_date=DAY,
                billing_tag=tag, billable=True, reason=BillingReason.BILLABLE_CODE, fingerprint="f" * 32,
                nfc_req_id=None, expires_at=1_900_000_000)))
    return items


def _account_day(account_id: str, per_tag: list[int], with_packs: bool) -> dict[str, list[dict[str, Any]]]:
    """One account's settled day, tying out: every table's items, as attribute values, by setting name."""
    from shared.accounts.models import (
        Account,
        AccountStatus,
        Contacts,
        LedgerEntry,
        LedgerKind,
        Locale,
        Pack,
        PackOrigin,
        Payment,
        Wallet,
        Wallets,
    )
    from shared.books.value import deferred_value
    from shared.config import settings
    from shared.pricing import SettlementCycle
    from shared.settlement.models import Bill, BillLine, PackDeduction
    from shared.store.accounts import account_to_item
    from shared.store.bills import bill_to_item
    from shared.store.codec import to_attributes
    from shared.store.ledger import entry_to_item
    from shared.store.packs import pack_to_item
    from shared.store.usage import CounterKey, sequence_mark

    zone = settings().zone
    activated, settled_at = datetime(2025, 6, 1, tzinfo=UTC), datetime(2026, 3, 1, 16, tzinfo=UTC)
    recharge = Decimal("1000000.00")
    packs, lines = [], []
    for index, (tag, calls) in enumerate(zip(TAGS, per_tag, strict=True)):
        unit_price = Decimal("0.40")
        deductions: tuple[PackDeduction, ...] = ()
        if with_packs and index < 2:
            size, paid = (calls * 10 // 9, Decimal("1100.00")) if index == 0 else (calls // 2, Decimal(0))
            taken = min(calls, size)
            pack = Pack(account_id=account_id, pack_id=f"pk_{index}", billing_tag=tag,
                        origin=PackOrigin.PURCHASE if index == 0 else PackOrigin.PROMOTION, size=size,
                        remaining=size - taken, acquired_at=datetime(2026, 1, 5, tzinfo=UTC),
                        effective_from=date(2026, 1, 5), expires_at=datetime(2027, 1, 5, tzinfo=UTC),
                        paid=Payment(cash=paid) if index == 0 else None,
                        deferred=deferred_value(paid, size, size - taken) if index == 0 else None)
            packs.append(pack)
            deductions = (PackDeduction(pack.pack_id, taken),)
        postpaid = calls - sum(deduction.calls for deduction in deductions)
        lines.append(BillLine(usage_date=DAY, billing_tag=tag, billable_calls=calls, pack_deductions=deductions,
                              postpaid_calls=postpaid, unit_price=unit_price, amount=unit_price * postpaid))
    bill = Bill(account_id=account_id, cycle=SettlementCycle.DAILY, period_start=DAY, period_end=DAY,
                settled_at=settled_at, lines=tuple(lines))
    spent = {"purchase": sum((pack.paid_value for pack in packs), Decimal(0)), "postpaid": bill.total_amount}
    entries = [LedgerEntry(account_id, LedgerKind.RECHARGE, Wallet.CASH, recharge, activated, "r1")]
    entries += [LedgerEntry(account_id, kind, Wallet.CASH, -amount, settled_at, ref)
                for (kind, ref, amount) in ((LedgerKind.PACK_PURCHASE, "p1", spent["purchase"]),
                                            (LedgerKind.POSTPAID_CHARGE, bill.bill_id, spent["postpaid"]))
                if amount]
    cash = sum((entry.amount for entry in entries), Decimal(0))
    account = Account(account_id=account_id, status=AccountStatus.ACTIVE, suspension_reason=None,
                      settlement_cycle=SettlementCycle.DAILY, postpaid_enabled=True, balance=cash,
                      wallets=Wallets(cash=cash), contacts=Contacts(), locale=Locale.ZH_CN, daily_report=False,
                      activated_at=activated, created_at=activated)
    counters = [{"account_id": account_id, "usage_key": CounterKey(account_id, DAY, tag).usage_key, "calls": calls,
                 "billable": calls, "unclassified": 0, "rc#0": calls, "seq#0": sequence_mark(1),
                 "settled_billable": calls} for tag, calls in zip(TAGS, per_tag, strict=True) if calls]
    return {
        "accounts_table": [to_attributes(account_to_item(account))],
        "ledger_table": [to_attributes(entry_to_item(entry)) for entry in entries],
        "packs_table": [to_attributes(pack_to_item(pack, zone)) for pack in packs],
        "bills_table": [to_attributes(bill_to_item(bill))],
        "usage_table": [to_attributes(counter) for counter in counters],
        "calls_table": _call_items(account_id, per_tag),
    }


def _seed(days: list[dict[str, list[dict[str, Any]]]]) -> None:
    from shared.config import settings

    config = settings()
    merged: dict[str, list[dict[str, Any]]] = {}
    for day in days:
        for setting, items in day.items():
            merged.setdefault(getattr(config, setting), []).extend(items)
    _put_all(merged)


# --- the runs -----------------------------------------------------------------------------------------

def _differences(client: Any) -> list[dict[str, Any]]:
    from shared.config import settings
    from shared.store.reconciliations import ReconciliationResults

    report = ReconciliationResults(client, settings().books_table).report(DAY)
    assert report is not None, "no run header: did the dispatcher run?"
    return [difference.__dict__ for difference in report.differences]


def check_account_day(client: Any, worker: Any, calls: int, queue_arn: str) -> tuple[int, float]:
    """One account-day of `calls` billable calls checked from one message: (requests, read units)."""
    from functions.wiring import with_clients
    from functions.wiring.reconciliation import build_reconciliation_stores
    from shared.reconciliation.models import ReconciliationRun
    from shared.reconciliation.queue import ReconciliationMessage
    from shared.store.reconciliations import ReconciliationResults

    account_id = f"day-{calls}"
    per_tag = [calls // 3 + (1 if index < calls % 3 else 0) for index in range(3)]
    _seed([_account_day(account_id, per_tag, with_packs=True)])
    from shared.config import settings
    from shared.instants import parse_instant

    run = ReconciliationRun(DAY, parse_instant(RAN_AT))
    ReconciliationResults(client, settings().books_table).start_run(run, 1, 1)
    body = ReconciliationMessage(run, CALL_COUNTS.index(calls), (account_id,)).to_json()
    meter = ReadUnitMeter(client, index_entry_attributes(client))
    counter = RequestCounter(meter)
    worker.reconciliation_stores = with_clients(build_reconciliation_stores, dynamodb=counter)
    try:
        answer = worker.handler(sqs_event([(f"m-{calls}", f"r-{calls}", body)], queue_arn), _CONTEXT)
    finally:
        worker.reconciliation_stores = with_clients(build_reconciliation_stores, dynamodb=client)
    assert answer == {"batchItemFailures": []}, answer
    assert counter.requests and meter.reads, "the worker made no request through the meter: is it still wired to it?"
    found = [difference for difference in _differences(client) if difference["account_id"] == account_id]
    assert found == [], f"a seeded history that ties out shows differences: {found[:5]}"
    return counter.requests, meter.units


def reconcile_fanout(client: Any, dispatcher: Any, worker: Any, accounts: int, queue_arn: str) -> float:
    """`accounts` accounts of FANOUT_CALLS calls each through the dispatcher and the worker; wall seconds."""
    from shared.aws import sqs_client
    from shared.config import settings
    from shared.store.codec import to_attributes

    config = settings()
    ids = [f"fan-{number:05d}" for number in range(accounts)]
    for start in range(0, len(ids), 500):
        _seed([_account_day(account_id, [FANOUT_CALLS, 0, 0], with_packs=False)
                       for account_id in ids[start:start + 500]])
    sqs = sqs_client()  # the dispatcher's own
    started = time.perf_counter()
    summary = dispatcher.handler({"job": "reconciliation", "scheduled_at": RAN_AT}, _CONTEXT)
    assert summary["accounts"] == accounts, summary
    drain_queue(sqs, config.reconciliation_queue_url, queue_arn, lambda event: worker.handler(event, _CONTEXT))
    seconds = time.perf_counter() - started
    header = client.get_item(TableName=config.books_table,
                             Key=to_attributes({"pk": f"reconciliation#{DAY.isoformat()}", "sk": "run"}))["Item"]
    assert int(header["accounts_due"]["N"]) == accounts
    found = _differences(client)
    assert found == [], f"the fan-out found differences in histories that tie out: {found[:5]}"
    return seconds


def run(quick: bool = False) -> dict[str, Any]:
    import logging

    import boto3

    from shared.services import reconciliation as service

    logging.getLogger("aws_lambda_powertools").setLevel(logging.WARNING)
    recheck_after, service.RECHECK_AFTER_S = service.RECHECK_AFTER_S, 0.0  # nothing may differ: fail, never wait
    try:
        with emulator() as physical:
            import functions.reconciliation_worker.app as worker

            client = boto3.client("dynamodb", region_name="us-east-1")
            queue_arn = physical.attributes[("ReconciliationQueue", "Arn")]
            days = {calls: check_account_day(client, worker, calls, queue_arn) for calls in CALL_COUNTS}
        # A deployment of its own, so that the account-days above are not part of the fan-out's accounts.
        with emulator() as physical:
            import functions.reconciliation_dispatcher.app as dispatcher
            import functions.reconciliation_worker.app as worker

            client = boto3.client("dynamodb", region_name="us-east-1")
            accounts = QUICK_FANOUT_ACCOUNTS if quick else FANOUT_ACCOUNTS
            fanout_s = reconcile_fanout(client, dispatcher, worker, accounts,
                                        physical.attributes[("ReconciliationQueue", "Arn")])
    finally:
        service.RECHECK_AFTER_S = recheck_after
    return {
        "read_units_per_call": round(max(units / calls for calls, (_requests, units) in days.items()), 4),
        "requests_per_account_day": {str(calls): requests for calls, (requests, _units) in days.items()},
        f"accounts_{accounts}_s": round(fanout_s, 1),
    }


def table(section: dict[str, Any]) -> str:
    units = section["read_units_per_call"]
    lines = [f"read units per call (worst account-day): {units:.4f}  goal <= {GOAL_READ_UNITS}: "
             f"{'ok' if units <= GOAL_READ_UNITS else 'OVER'}",
             f"{'calls in the day':<18}{'DynamoDB requests':>19}  goal: growth <= calls / 1000"]
    requests = section["requests_per_account_day"]
    first_calls, first_requests = min((int(calls), count) for calls, count in requests.items())
    for calls, count in requests.items():
        allowed = first_requests + (int(calls) - first_calls) / 1000
        lines.append(f"{calls:<18}{count:>19}  {'ok' if count <= allowed else 'OVER'}")
    (key, fanout_s), = ((key, value) for key, value in section.items() if key.startswith("accounts_"))
    accounts = int(key.removeprefix("accounts_").removesuffix("_s"))
    lines.append(f"{accounts} accounts x {FANOUT_CALLS} calls through the fan-out: "
                 f"{fanout_s:.1f} s (one worker, moto in-process)")
    return "\n".join(lines)
