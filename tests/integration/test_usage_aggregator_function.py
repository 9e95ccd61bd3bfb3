"""The usage aggregator invoked with the Calls table's real stream records (read from moto), as Lambda
delivers them: counters equal the stored calls, whatever the batch boundaries and redeliveries."""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from functions.wiring import with_clients
from functions.wiring.ingestion import build_ingestion_service
from functions.wiring.usage_counters import build_usage_counters
from infra.local.intrinsics import PhysicalResources
from shared.store.usage import UsageCounter, UsageRepository, sequence_mark, unsettled_shard
from tests.aws import template_resources
from tests.integration.test_ingest_support import (
    CrashingClient,
    FakeContext,
    LambdaStreamDelivery,
    aggregator_app,
    api_event,
    clock_at,
    counters_from_calls,
    counters_stored,
    create_accounts,
    dynamodb,
    ingest_app,
    scan,
    stored_calls,
    stream_records,
    throttled,
)
from tests.support import load_event

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
DAY = date(2026, 3, 10)


@dataclass
class Stack:
    physical: PhysicalResources
    client: Any
    monkeypatch: pytest.MonkeyPatch
    delivered: int = 0

    def ingest(self, *calls: dict) -> list[dict]:
        answer = ingest_app.handler(api_event({"calls": list(calls)}), FakeContext())
        assert answer["statusCode"] == 200, answer["body"]
        return json.loads(answer["body"])["results"]

    def records(self) -> list[dict]:
        return stream_records(self.physical.attributes[("CallsTable", "StreamArn")])

    def aggregate(self, event: dict) -> dict:
        return aggregator_app.handler(event, FakeContext())

    def deliver_new(self, cuts: tuple[int, ...] = (1000,)) -> None:
        records = self.records()
        LambdaStreamDelivery(self.aggregate, cuts).deliver(records, start=self.delivered)
        self.delivered = len(records)

    @property
    def usage(self) -> UsageRepository:
        return UsageRepository(self.client, os.environ["USAGE_TABLE"])


@pytest.fixture
def stack(monkeypatch) -> Stack:
    with template_resources() as physical, clock_at(NOW):
        client = dynamodb()
        create_accounts(client, "acme", "globex")
        monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(build_ingestion_service, dynamodb=client))
        monkeypatch.setattr(aggregator_app, "usage_counters", with_clients(build_usage_counters, dynamodb=client))
        yield Stack(physical, client, monkeypatch)


def call(request_id: str, minutes_ago: int = 30, **fields: Any) -> dict:
    return {"request_id": request_id, "account_id": "acme", "channel": "verify.phone_2e", "return_code": 0,
            "occurred_at": (NOW - timedelta(minutes=minutes_ago)).isoformat(), **fields}


def mixed_batch(prefix: str, size: int) -> list[dict]:
    channels = [("verify.phone_2e", None), ("enhanced.app_sdk", "upload"), ("nfc", None)]
    batch = []
    for index in range(size):
        channel, source = channels[index % 3]
        fields: dict[str, Any] = {"channel": channel, "return_code": ("0", "-1", "1", "E_X", 66660004)[index % 5],
                                  "account_id": ("acme", "globex")[index % 2]}
        if source:
            fields["source"] = source
        if channel == "nfc":
            fields["nfc_req_id"] = f"n-{index % 4}"
        batch.append(call(f"{prefix}-{index}", minutes_ago=index % 200, **fields))
    return batch


def test_counters_count_calls_billable_unclassified_and_each_return_code(stack):
    stack.ingest(call("r-1"), call("r-2", return_code=1), call("r-3", return_code=-2),
                 call("r-4", return_code="E_NEW"), call("r-5", channel="verify.phone_3e_simple"))

    stack.deliver_new()

    counters = {(c.billing_tag): c for c in stack.usage.for_day("acme", DAY)}
    assert counters["phone_2e"] == UsageCounter(DAY, "phone_2e", calls=4, billable=2, unclassified=1,
                                                by_return_code={"-2": 1, "0": 1, "1": 1, "E_NEW": 1})
    assert counters["phone_3e_simple"].calls == 1
    assert counters_stored(stack.client) == counters_from_calls(stored_calls(stack.client))


def test_a_billable_counter_is_listed_in_the_unsettled_index_and_settled_billable_is_left_alone(stack):
    stack.ingest(call("r-1"), call("r-2", channel="verify.phone_3e_simple", return_code=-6))
    stack.deliver_new()
    key = {"account_id": {"S": "acme"}, "usage_key": {"S": f"{DAY}#phone_2e"}}
    stack.client.update_item(TableName=os.environ["USAGE_TABLE"], Key=key,
                             UpdateExpression="SET settled_billable = :one",
                             ExpressionAttributeValues={":one": {"N": "1"}})

    stack.ingest(call("r-3"))
    stack.deliver_new()

    items = {item["usage_key"]: item for item in scan(stack.client, os.environ["USAGE_TABLE"])}
    billable_day = items[f"{DAY}#phone_2e"]
    assert (billable_day["unsettled_shard"], billable_day["unsettled_key"]) == (unsettled_shard("acme"),
                                                                                f"acme#{DAY}")
    assert billable_day["settled_billable"] == 1 and billable_day["billable"] == 2
    assert "unsettled_shard" not in items[f"{DAY}#phone_3e_simple"]
    index = stack.client.query(TableName=os.environ["USAGE_TABLE"], IndexName="Unsettled",
                               KeyConditionExpression="unsettled_shard = :s",
                               ExpressionAttributeValues={":s": {"S": unsettled_shard("acme")}})["Items"]
    assert [item["unsettled_key"]["S"] for item in index] == [f"acme#{DAY}"]
    assert stack.usage.get("acme", DAY, "phone_2e").unsettled_billable == 1


def test_marks_are_kept_per_calls_partition_as_40_digit_sequence_numbers(stack):
    stack.ingest(call("r-1"))
    (record,) = stack.records()
    stack.deliver_new()

    (item,) = scan(stack.client, os.environ["USAGE_TABLE"])
    shard = record["dynamodb"]["Keys"]["pk"]["S"].rsplit("#", 1)[1]
    assert item[f"seq#{shard}"] == sequence_mark(record["dynamodb"]["SequenceNumber"])
    assert len(item[f"seq#{shard}"]) == 40


def test_redelivery_with_other_batch_boundaries_never_counts_twice(stack):
    stack.ingest(*mixed_batch("a", 60))
    records = stack.records()

    LambdaStreamDelivery(stack.aggregate, cuts=(7,)).deliver(records)
    LambdaStreamDelivery(stack.aggregate, cuts=(3, 11, 1)).deliver(records, start=5)
    LambdaStreamDelivery(stack.aggregate, cuts=(1000,)).deliver(records)

    assert counters_stored(stack.client) == counters_from_calls(stored_calls(stack.client))


def test_nfc_windows_modifications_and_removals_are_not_counted(stack):
    stack.ingest(call("n-1", channel="nfc", nfc_req_id="req-1"))
    table = os.environ["CALLS_TABLE"]
    (stored,) = stack.client.scan(TableName=table, FilterExpression="begins_with(request_id, :r)",
                                  ExpressionAttributeValues={":r": {"S": "n-1"}})["Items"]
    key = {"pk": stored["pk"], "request_id": stored["request_id"]}
    stack.client.update_item(TableName=table, Key=key, UpdateExpression="SET note = :n",
                             ExpressionAttributeValues={":n": {"S": "x"}})
    stack.client.delete_item(TableName=table, Key=key)

    assert {record["eventName"] for record in stack.records()} == {"INSERT", "MODIFY", "REMOVE"}
    stack.deliver_new()

    (counter,) = stack.usage.for_day("acme", DAY)
    assert (counter.billing_tag, counter.calls, counter.billable) == ("nfc_id_reading", 1, 1)


def test_a_counter_that_cannot_be_updated_reports_its_records_and_they_come_back(stack):
    stack.ingest(*mixed_batch("a", 30))
    records = stack.records()

    class ThrottledForGlobex(CrashingClient):
        def update_item(self, **request):
            if request["Key"]["account_id"]["S"] == "globex":
                raise throttled("UpdateItem")
            return stack.client.update_item(**request)

    stack.monkeypatch.setattr(aggregator_app, "usage_counters", with_clients(
        build_usage_counters, dynamodb=ThrottledForGlobex(stack.client)))
    answer = stack.aggregate({"Records": records})

    globex = {r["dynamodb"]["SequenceNumber"] for r in records
              if r["dynamodb"]["NewImage"].get("account_id", {}).get("S") == "globex"
              and not r["dynamodb"]["Keys"]["pk"]["S"].endswith("#nfc")}
    assert {failure["itemIdentifier"] for failure in answer["batchItemFailures"]} == globex

    stack.monkeypatch.setattr(aggregator_app, "usage_counters", with_clients(
        build_usage_counters, dynamodb=stack.client))
    first_failed = min(i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] in globex)
    LambdaStreamDelivery(stack.aggregate, cuts=(9,)).deliver(records, start=first_failed)

    assert counters_stored(stack.client) == counters_from_calls(stored_calls(stack.client))


def test_the_canonical_stream_event_counts_its_call_and_skips_the_rest(stack):
    answer = stack.aggregate(load_event("calls_stream.json"))

    assert answer == {"batchItemFailures": []}
    (counter,) = stack.usage.for_day("acme", date(2026, 11, 24))
    assert (counter.billing_tag, counter.calls, counter.billable, dict(counter.by_return_code)) == (
        "nfc_id_reading", 1, 1, {"0": 1})


def test_records_as_the_local_stack_passes_them_are_accepted_too(stack):
    stack.ingest(call("r-1"))
    (record,) = stack.records()
    local = copy.deepcopy(record)
    local["dynamodb"]["ApproximateCreationDateTime"] = datetime.now(UTC)  # boto3's type, not Lambda's epoch

    assert stack.aggregate({"Records": [local]}) == {"batchItemFailures": []}
    assert stack.usage.for_day("acme", DAY)[0].calls == 1


def test_reads_for_a_day_and_since_a_day(stack):
    stack.ingest(call("r-1", minutes_ago=60 * 24 * 2), call("r-2", minutes_ago=60 * 24),
                 call("r-3", channel="verify.phone_3e_simple"), call("r-4"), call("r-5", account_id="globex"))
    stack.deliver_new()

    assert [(c.usage_date, c.billing_tag, c.calls) for c in stack.usage.since("acme", DAY - timedelta(days=1))] == [
        (DAY - timedelta(days=1), "phone_2e", 1), (DAY, "phone_2e", 1), (DAY, "phone_3e_simple", 1)]
    assert [c.billing_tag for c in stack.usage.for_day("acme", DAY)] == ["phone_2e", "phone_3e_simple"]
    assert stack.usage.for_day("acme", DAY + timedelta(days=1)) == []
    assert stack.usage.get("acme", DAY, "phone_2e").by_return_code == {"0": 1}
    assert stack.usage.get("acme", DAY, "basic_upload") is None
