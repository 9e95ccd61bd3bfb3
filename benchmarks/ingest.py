"""Call ingestion: DynamoDB write units per accepted call, and the handler's speed against bare writes.

results.json: {"ingest": {"write_units_per_call": {"1": x, "100": y, "500": z},
                          "billable_share": {"1": s, "100": t, "500": u},
                          "handler_calls_per_s": a, "bare_writes_per_s": b}}

Both run on moto's server (ThreadedMotoServer on 127.0.0.1, the template's tables provisioned as the
local stack does), reached over HTTP through AWS_ENDPOINT_URL as Lambda reaches DynamoDB.

- write_units_per_call: batches of 1, 100 and 500 calls (mixed accounts, tags and codes, with some
  NFC calls whose reqIds repeat) through the handler; every write request the handler sends is
  priced as DynamoDB bills it (a standard write 1 unit per started KB of the item, a transactional
  one 2, one more per GSI the item lands in, an update by the size of the whole item; a failed
  conditional write is billed too, for its item alone: it changes no index), divided by the calls
  accepted. A billable call lands in the sparse BillableByDay index (the reconciliation's count of a
  day's calls), so the floor is 1 + the share of billable calls among those accepted (billable_share).
  Goal <= the floor + 0.1 at 100 and 500.
- handler_calls_per_s: whole 500-call batches through the handler (API Gateway event in, answer out).
- bare_writes_per_s: the same kind of items written by a bare boto3 loop, conditional puts with the
  handler's concurrency, to the same emulator in the same run. Goal: handler >= 0.8 x bare.

run(quick=True) (`make bench QUICK=1`) times one round of the 500-call batches instead of three.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._isolation import isolated
from benchmarks._lambda import LambdaContext

SECTION = "ingest"
BATCH_SIZES = (1, 100, 500)
THROUGHPUT_ROUNDS = 3  # each round: one 500-call batch through the handler, then 500 bare writes
QUICK_THROUGHPUT_ROUNDS = 1
GOAL_UNITS_OVER_FLOOR = 0.1  # the floor: 1 write unit a call, and 1 more for a billable call's index entry
GOAL_RATIO = 0.8
ACCOUNTS = 20
REPO_ROOT = Path(__file__).resolve().parents[1]

_CHANNELS = (
    ("enhanced.wechat_miniprogram", "authority", (0, 2006, 2001)),
    ("enhanced.app_sdk", "upload", (0, 66660004, 66660005)),
    ("basic.pc_h5", "authority", (0, 66660010, -5008)),
    ("verify.phone_2e", None, (0, 1, -2)),
    ("verify.id_2e", None, (0, -1, -3, "E_UNKNOWN")),
    ("face_risk", None, ("Success", 0, "FailedOperation.X")),
)


def mixed_batch(prefix: str, size: int, now: datetime) -> list[dict[str, Any]]:
    """`size` calls over the accounts, channels and codes above; one in 20 (not the first) is an NFC call
    with a billable code, on 10 reqIds revisited every ~3 minutes, so some are free repeats and some open
    a window (one more write: an NFC call that opens a window costs 2 units)."""
    calls = []
    for index in range(size):
        occurred_at = (now - timedelta(seconds=size - index)).isoformat()
        call: dict[str, Any] = {"request_id": f"{prefix}-{index:05d}", "account_id": f"bench-{index % ACCOUNTS:02d}",
                                "occurred_at": occurred_at}
        if index % 20 == 10:
            call.update(channel="nfc", return_code=0, nfc_req_id=f"{prefix}-nfc-{(index // 20) % 10}")
        else:
            channel, source, codes = _CHANNELS[index % len(_CHANNELS)]
            call.update(channel=channel, return_code=codes[(index // len(_CHANNELS)) % len(codes)])
            if source:
                call["source"] = source
        calls.append(call)
    return calls


def api_event(calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resource": "/v1/calls", "path": "/v1/calls", "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"}, "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"resourcePath": "/v1/calls", "httpMethod": "POST", "stage": "live",
                           "requestId": "benchmark", "path": "/live/v1/calls", "identity": {"sourceIp": "127.0.0.1"}},
        "body": json.dumps({"calls": calls}), "isBase64Encoded": False,
    }


_CONTEXT = LambdaContext("IngestFunction", memory_limit_in_mb=1024, timeout_ms=60_000)


# --- write units, as DynamoDB bills them ----------------------------------------------------------

class WriteUnitMeter:
    """Wraps a DynamoDB client; prices every write request it passes on. Thread-safe."""

    def __init__(self, client: Any, indexes: dict[str, list[set[str]]]):
        self._client = client
        self._indexes = indexes  # table -> key attributes of each GSI
        self._lock = threading.Lock()
        self.units = 0

    def _add(self, units: int) -> None:
        with self._lock:
            self.units += units

    def _standard(self, table: str, item: dict[str, Any], *, factor: int = 1, indexed: bool = True) -> int:
        from shared.store.calls import item_size

        kilobytes = max(1, math.ceil(item_size(item) / 1024))
        landings = sum(1 for keys in self._indexes.get(table, []) if keys <= item.keys()) if indexed else 0
        return factor * kilobytes * (1 + landings)

    def _whole_item(self, table: str, key: dict[str, Any]) -> dict[str, Any]:
        return self._client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item") or key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_item(self, **request: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            answer = self._client.put_item(**request)
        except ClientError as error:  # a failed conditional write is billed as well
            old = error.response.get("Item") or {}
            self._add(self._standard(request["TableName"], max(request["Item"], old, key=len), indexed=False))
            raise
        self._add(self._standard(request["TableName"], request["Item"]))
        return answer

    def update_item(self, **request: Any) -> Any:
        answer = self._client.update_item(**request)
        self._add(self._standard(request["TableName"], self._whole_item(request["TableName"], request["Key"])))
        return answer

    def delete_item(self, **request: Any) -> Any:
        self._add(1)
        return self._client.delete_item(**request)

    def batch_write_item(self, **request: Any) -> Any:
        for table, writes in request["RequestItems"].items():
            for write in writes:
                self._add(self._standard(table, write["PutRequest"]["Item"]) if "PutRequest" in write else 1)
        return self._client.batch_write_item(**request)

    def transact_write_items(self, **request: Any) -> Any:
        for entry in request["TransactItems"]:
            (kind, operation), = entry.items()
            item = operation.get("Item") or operation.get("Key", {})
            self._add(self._standard(operation["TableName"], item, factor=2) if kind != "ConditionCheck" else 2)
        return self._client.transact_write_items(**request)


# --- the emulator -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def emulator() -> Iterator[dict[str, Any]]:
    """moto's server with the template's resources, AWS_ENDPOINT_URL pointing at it; the environment of
    the template's functions set meanwhile. Stopped, it leaves nothing behind (benchmarks/_isolation.py)."""
    import boto3
    from moto.server import ThreadedMotoServer

    from infra.local import provision
    from infra.local.intrinsics import PhysicalResources
    from infra.local.template import StackTemplate, load_template

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    with isolated():
        server.start()
        host, port = server.get_host_and_port()
        try:
            os.environ.update({
                "AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "benchmark", "AWS_SECRET_ACCESS_KEY": "benchmark",
                "POWERTOOLS_SERVICE_NAME": "faceid-billing", "POWERTOOLS_METRICS_NAMESPACE": "FaceIdBilling",
                "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING",
            })
            template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
            physical = PhysicalResources(region="us-east-1", account_id="123456789012", stack_name="benchmark")
            physical.parameters = template.parameter_values({})
            provision.provision(lambda service: boto3.client(service, region_name="us-east-1"), template, physical)
            os.environ.update(provision.function_environment(template, physical))
            yield {"physical": physical}
        finally:
            server.stop()


def _indexes(client: Any) -> dict[str, list[set[str]]]:
    indexes: dict[str, list[set[str]]] = {}
    for table in client.list_tables()["TableNames"]:
        description = client.describe_table(TableName=table)["Table"]
        indexes[table] = [{key["AttributeName"] for key in index["KeySchema"]}
                          for index in description.get("GlobalSecondaryIndexes", [])]
    return indexes


def _bare_items(calls: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The items the handler would store for these calls (same shape and size)."""
    from shared.config import settings
    from shared.ingestion.rules import ValidCall, check_call, expires_at
    from shared.store.calls import StoredCall, call_item

    items = []
    for index, raw in enumerate(calls):
        checked = check_call(index, raw, settings().zone)
        assert isinstance(checked, ValidCall), checked
        items.append(call_item(StoredCall(
            account_id=checked.account_id, request_id=checked.request_id, channel=checked.channel,
            source=checked.source, return_code=checked.return_code, occurred_at=checked.occurred_at, received_at=now,
            billing_date=checked.billing_date, billing_tag=checked.billing_tag, billable=checked.decision.billable,
            reason=checked.decision.reason, fingerprint=checked.fingerprint, nfc_req_id=checked.nfc_req_id,
            expires_at=expires_at(checked.occurred_at))))
    return items


def run(quick: bool = False) -> dict[str, Any]:
    with emulator():
        import functions.ingest.app as ingest
        from functions.wiring import with_clients
        from functions.wiring.ingestion import build_ingestion_service
        from shared.aws import dynamodb_client
        from shared.config import settings
        from shared.services import ingestion as service

        client = dynamodb_client()
        for number in range(ACCOUNTS):
            client.put_item(TableName=settings().accounts_table, Item={"account_id": {"S": f"bench-{number:02d}"}})
        indexes = _indexes(client)
        now = datetime.now(UTC)

        units: dict[str, float] = {}
        billable_share: dict[str, float] = {}
        for size in BATCH_SIZES:
            meter = WriteUnitMeter(client, indexes)
            ingest.ingestion_service = with_clients(build_ingestion_service, dynamodb=meter)
            answer = ingest.handler(api_event(mixed_batch(f"units{size}", size, now)), _CONTEXT)
            results = json.loads(answer["body"])["results"]
            accepted = sum(result["status"] == "accepted" for result in results)
            assert accepted and meter.units, "the handler wrote nothing through the meter: is it still wired to it?"
            units[str(size)] = round(meter.units / accepted, 4)
            billable_share[str(size)] = round(sum(result["status"] == "accepted" and result["billable"]
                                                  for result in results) / accepted, 4)

        ingest.ingestion_service = with_clients(build_ingestion_service, dynamodb=client)
        handler_s = bare_s = 0.0
        calls_done = writes_done = 0
        table = settings().calls_table
        with ThreadPoolExecutor(max_workers=service.MAX_WORKERS) as pool:

            def bare_put(item: dict[str, Any]) -> None:
                client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(request_id)",
                                ReturnValuesOnConditionCheckFailure="ALL_OLD")

            for round_number in range(QUICK_THROUGHPUT_ROUNDS if quick else THROUGHPUT_ROUNDS):
                event = api_event(mixed_batch(f"speed{round_number}", 500, now))
                started = time.perf_counter()
                answer = ingest.handler(event, _CONTEXT)
                handler_s += time.perf_counter() - started
                assert answer["statusCode"] == 200, answer["body"]
                calls_done += 500

                items = _bare_items(mixed_batch(f"bare{round_number}", 500, now), now)
                started = time.perf_counter()
                list(pool.map(bare_put, items))
                bare_s += time.perf_counter() - started
                writes_done += len(items)

        return {
            "write_units_per_call": units,
            "billable_share": billable_share,
            "handler_calls_per_s": round(calls_done / handler_s, 1),
            "bare_writes_per_s": round(writes_done / bare_s, 1),
        }


def table(section: dict[str, Any]) -> str:
    units = section["write_units_per_call"]
    shares = section["billable_share"]
    ratio = section["handler_calls_per_s"] / section["bare_writes_per_s"]
    lines = [f"{'batch':<8}{'write units / accepted call':>28}{'floor':>8}  goal <= floor + {GOAL_UNITS_OVER_FLOOR} "
             "at 100 and 500 (floor: 1 + the billable share, a billable call's index entry)"]
    for size, value in units.items():
        floor = 1 + shares[size]
        verdict = "" if size == "1" else ("ok" if value <= floor + GOAL_UNITS_OVER_FLOOR else "OVER")
        lines.append(f"{size:<8}{value:>28.3f}{floor:>8.3f}  {verdict}")
    verdict = "ok" if ratio >= GOAL_RATIO else "UNDER"
    lines.append(f"handler {section['handler_calls_per_s']:.1f} calls/s, bare writes "
                 f"{section['bare_writes_per_s']:.1f}/s, ratio {ratio:.2f}  goal >= {GOAL_RATIO}: {verdict}")
    return "\n".join(lines)
