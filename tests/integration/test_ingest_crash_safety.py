"""Crash safety, proven by sweeping the crash point: a batch (with duplicates, reused ids, NFC windows and
bad calls) is killed at its 1st, 2nd, ... last write, before or after the write lands; the whole batch
is then sent again, and the usage aggregator runs over the stream with its own crash, other batch
boundaries and redeliveries. Whatever the crash point:

- every call is stored exactly once, with the decision a crash-free run makes;
- the retry answers each call "accepted" or "duplicate" as the first attempt left it, with the same
  billable, tag and date as a crash-free run, and the same refusals;
- the counters equal a count of the stored calls: nothing counted twice, nothing lost.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import shared.services.ingestion as ingestion_service
from functions.wiring import with_clients
from functions.wiring.ingestion import build_ingestion_service
from functions.wiring.usage_counters import build_usage_counters
from tests.aws import template_resources
from tests.integration.test_ingest_support import (
    CrashingClient,
    FakeContext,
    LambdaStreamDelivery,
    ProcessDied,
    aggregator_app,
    api_event,
    calls_with_keys,
    clock_at,
    counters_from_calls,
    counters_stored,
    create_accounts,
    dynamodb,
    ingest_app,
    stream_records,
)

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
T = NOW - timedelta(minutes=30)


def scenario(run: str) -> tuple[list[dict], list[dict]]:
    """(an earlier batch, the batch that crashes) for the accounts of this run."""
    acme, globex = f"acme-{run}", f"globex-{run}"

    def call(request_id: str, at: datetime = T, account: str = acme, **fields: Any) -> dict:
        return {"request_id": request_id, "account_id": account, "channel": "verify.phone_2e", "return_code": 0,
                "occurred_at": at.isoformat(), **fields}

    def nfc(request_id: str, at: datetime, reqid: str, account: str = acme, code: int = 0) -> dict:
        return call(request_id, at, account, channel="nfc", return_code=code, nfc_req_id=reqid)

    earlier = [call("seen"), call("taken"), nfc("seen-nfc", T - timedelta(minutes=10), "n-1")]
    batch = [
        call("p-1"),
        call("p-2", channel="enhanced.app_sdk", source="upload", return_code=66660005),
        call("p-3", return_code="E_UNKNOWN"),
        call("p-4", account=globex, channel="verify.phone_3e_cmcc", return_code=-4),
        call("p-1"),  # the same call twice in one batch
        call("p-2", return_code=0),  # its request_id reused within the batch
        call("seen"),  # sent before
        call("taken", return_code=1),  # request_id reused from before
        nfc("n-a", T, "n-1"),  # 10 minutes after the earlier one: billed, new window
        nfc("n-b", T + timedelta(minutes=2), "n-1"),  # repeat: free
        nfc("n-c", T + timedelta(minutes=6), "n-1"),  # billed, new window
        nfc("n-d", T + timedelta(minutes=7), "n-1", code=66664003),  # free code: no window
        nfc("n-f", T + timedelta(minutes=3), "n-2", account=globex),  # sent first, happened second: repeat
        nfc("n-e", T + timedelta(minutes=1), "n-2", account=globex),  # billed
        call("bad-1", channel="enhanced.fax"),
        call("bad-2", occurred_at="soon"),
        call("bad-3", account=f"nobody-{run}"),
        call("bad-4", NOW + timedelta(minutes=10)),
    ]
    return earlier, batch


def post(calls: list[dict]) -> tuple[int, Any]:
    answer = ingest_app.handler(api_event({"calls": calls}), FakeContext())
    return answer["statusCode"], json.loads(answer["body"])


def accounts(run: str) -> tuple[str, ...]:
    return (f"acme-{run}", f"globex-{run}", f"nobody-{run}")


def stored_of_run(client: Any, run: str) -> list[dict]:
    earlier, batch = scenario(run)
    return calls_with_keys(client, [(call["account_id"], call["request_id"]) for call in earlier + batch])


def decisions(client: Any, run: str) -> dict[tuple[str, str], tuple]:
    """What is stored for this run's accounts, by (account role, request_id)."""
    return {(item["account_id"].removesuffix(f"-{run}"), item["request_id"]):
            (item["billable"], item["reason"], item["billing_tag"], item["billing_date"], item["return_code"])
            for item in stored_of_run(client, run)}


def without_status(result: dict) -> dict:
    """A result's decision: billable, tag, date, and the refusal's code and field (messages name accounts)."""
    error = result["error"] and {"code": result["error"]["code"], "field": result["error"]["field"]}
    return {**{key: value for key, value in result.items() if key != "status"}, "error": error}


class Sweep:
    def __init__(self, client: Any, physical: Any):
        self.client = client
        self.stream_arn = physical.attributes[("CallsTable", "StreamArn")]
        self.last_delivered: str | None = None

    def prepare(self, run: str) -> list[dict]:
        create_accounts(self.client, f"acme-{run}", f"globex-{run}")
        earlier, batch = scenario(run)
        status, _ = post(earlier)
        assert status == 200
        return batch

    def aggregate(self, event: dict) -> dict:
        return aggregator_app.handler(event, FakeContext())

    def count_new_records(self, crash_at: int, after: bool, cuts: tuple[int, ...]) -> None:
        records = stream_records(self.stream_arn, after=self.last_delivered)
        aggregator_app.usage_counters = with_clients(
            build_usage_counters, dynamodb=CrashingClient(self.client, crash_at, after=after,
                                                 error=lambda operation: ProcessDied(operation)))
        try:
            LambdaStreamDelivery(self.aggregate, cuts).deliver(records)
        finally:
            aggregator_app.usage_counters = with_clients(build_usage_counters, dynamodb=self.client)
        # At-least-once: part of it comes again, cut differently.
        LambdaStreamDelivery(self.aggregate, (4, 7)).deliver(records, start=len(records) // 3)
        self.last_delivered = records[-1]["dynamodb"]["SequenceNumber"] if records else self.last_delivered


@pytest.mark.parametrize("workers", [1, 32], ids=["sequential", "concurrent"])
def test_a_batch_killed_at_any_write_and_sent_again_is_stored_once_answered_consistently_and_counted_once(
        workers, monkeypatch):
    monkeypatch.setattr(ingestion_service, "MAX_WORKERS", workers)
    with template_resources() as physical, clock_at(NOW):
        client = dynamodb()
        monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(build_ingestion_service, dynamodb=client))
        monkeypatch.setattr(aggregator_app, "usage_counters", with_clients(build_usage_counters, dynamodb=client))
        sweep = Sweep(client, physical)

        batch = sweep.prepare("base")
        counting = CrashingClient(client)
        monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(build_ingestion_service, dynamodb=counting))
        status, baseline = post(batch)
        monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(build_ingestion_service, dynamodb=client))
        assert status == 200
        baseline_results = baseline["results"]
        baseline_stored = decisions(client, "base")
        writes = len(counting.writes)
        assert writes >= 15, counting.writes  # 10 puts of new calls, 2 of repeats, 3 NFC windows
        assert [r["status"] for r in baseline_results].count("accepted") == 10
        sweep.count_new_records(crash_at=0, after=False, cuts=(1000,))

        for crash_at in range(1, writes + 1):
            for after in (False, True):
                run = f"{crash_at}{'a' if after else 'b'}"
                batch = sweep.prepare(run)

                monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(
                    build_ingestion_service, dynamodb=CrashingClient(client, crash_at, after=after)))
                first_status, _ = post(batch)
                monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(
                    build_ingestion_service, dynamodb=client))
                stored_by_first = {request_id for _, request_id in decisions(client, run)}

                status, retry = post(batch)
                assert status == 200, (run, retry)
                for sent, expected, answered in zip(batch, baseline_results, retry["results"], strict=True):
                    assert without_status(answered) == without_status(expected), (run, sent)
                    if expected["status"] == "accepted":
                        written_before = first_status != 200 and sent["request_id"] in stored_by_first
                        assert answered["status"] == ("duplicate" if written_before or first_status == 200
                                                      else "accepted"), (run, sent)
                    else:
                        assert answered["status"] == expected["status"], (run, sent)

                status, third = post(batch)
                assert status == 200
                assert [r["status"] for r in third["results"]] == [
                    "duplicate" if r["status"] == "accepted" else r["status"] for r in baseline_results]

                assert decisions(client, run) == baseline_stored, run

                sweep.count_new_records(crash_at=crash_at % 9 + 1, after=after, cuts=(crash_at % 5 + 1, 4))
                counted = counters_stored(client, *accounts(run))
                assert counted == counters_from_calls(stored_of_run(client, run)), run
