"""The ingest function invoked as Lambda invokes it (API Gateway proxy events and SQS batches), on moto."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from functions.wiring import with_clients
from functions.wiring.ingestion import build_ingestion_service
from infra.local.intrinsics import PhysicalResources
from shared.store.calls import CallRepository, call_partition_key, call_shard, item_size
from tests.aws import template_resources
from tests.integration.test_ingest_support import (
    CrashingClient,
    FakeContext,
    api_event,
    clock_at,
    create_accounts,
    dynamodb,
    ingest_app,
    scan,
    sqs_event,
    stored_calls,
    throttled,
)
from tests.support import load_event

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai; the canonical event's calls are just before


@dataclass
class Stack:
    physical: PhysicalResources
    client: Any
    monkeypatch: pytest.MonkeyPatch

    def use(self, client: Any) -> None:
        self.monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(
            build_ingestion_service, dynamodb=client))


@pytest.fixture
def stack(monkeypatch) -> Stack:
    with template_resources() as physical, clock_at(NOW):
        client = dynamodb()
        create_accounts(client, "acme", "globex")
        monkeypatch.setattr(ingest_app, "ingestion_service", with_clients(build_ingestion_service, dynamodb=client))
        yield Stack(physical, client, monkeypatch)


def post(body: Any) -> tuple[int, dict]:
    answer = ingest_app.handler(api_event(body), FakeContext())
    return answer["statusCode"], json.loads(answer["body"])


def call(request_id: str, at: datetime = NOW - timedelta(minutes=10), **fields: Any) -> dict:
    return {"request_id": request_id, "account_id": "acme", "channel": "enhanced.wechat_miniprogram",
            "source": "authority", "return_code": 0, "occurred_at": at.isoformat(), **fields}


def results(*calls: dict) -> list[dict]:
    status, body = post({"calls": list(calls)})
    assert status == 200, body
    return body["results"]


def error_of(result: dict) -> tuple[str, str]:
    return result["error"]["code"], result["error"]["field"]


def test_the_canonical_event_is_recorded_call_by_call_in_order(stack):
    answer = ingest_app.handler(load_event("calls_post.json"), FakeContext())

    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"results": [
        {"request_id": "req-0001", "status": "accepted", "billable": True, "billing_tag": "enhanced_authority_wechat",
         "billing_date": "2026-11-24", "error": None},
        {"request_id": "req-0002", "status": "accepted", "billable": True, "billing_tag": "phone_2e",
         "billing_date": "2026-11-24", "error": None},
        {"request_id": "req-0003", "status": "accepted", "billable": True, "billing_tag": "nfc_id_reading",
         "billing_date": "2026-11-24", "error": None},
    ]}


def test_a_call_is_stored_once_with_everything_the_lookup_and_the_counters_need(stack):
    results(call("r-1", NOW - timedelta(hours=1), return_code="0"))

    (item,) = stored_calls(stack.client)
    assert item["pk"] == call_partition_key("acme", "r-1") == f"acme#{call_shard('r-1')}"
    assert {key: item[key] for key in ("account_id", "request_id", "channel", "source", "return_code", "occurred_at",
                                       "received_at", "billing_date", "billing_tag", "billable", "reason")} == {
        "account_id": "acme", "request_id": "r-1", "channel": "enhanced.wechat_miniprogram", "source": "authority",
        "return_code": "0", "occurred_at": "2026-11-24T07:00:00+00:00", "received_at": "2026-11-24T08:00:00+00:00",
        "billing_date": "2026-11-24", "billing_tag": "enhanced_authority_wechat", "billable": True,
        "reason": "BILLABLE_CODE"}
    assert int(item["expires_at"]) == int(datetime(2027, 12, 24, 7, 0, tzinfo=UTC).timestamp())
    assert len(item["fingerprint"]) == 32

    stored = CallRepository(stack.client, os.environ["CALLS_TABLE"]).get("acme", "r-1")
    assert stored is not None and stored.occurred_at == NOW - timedelta(hours=1) and stored.billable
    assert CallRepository(stack.client, os.environ["CALLS_TABLE"]).get("acme", "r-404") is None


def test_a_call_item_stays_under_one_write_unit_even_with_the_longest_fields(stack):
    longest = {key: value for key, value in call("r" * 128, channel="nfc", return_code="9" * 64,
                                                  nfc_req_id="n" * 128).items() if key != "source"}
    results(longest, {**longest, "request_id": "s" * 128, "return_code": 0})

    raw = stack.client.scan(TableName=os.environ["CALLS_TABLE"])["Items"]
    assert raw and all(item_size(item) < 1024 for item in raw)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"occurred_at": "2026-11-24 15:00"}, "VALIDATION_ERROR", "calls[1].occurred_at"),
        ({"return_code": True}, "VALIDATION_ERROR", "calls[1].return_code"),
        ({"request_id": ""}, "VALIDATION_ERROR", "calls[1].request_id"),
        ({"channel": "enhanced.fax"}, "UNKNOWN_CHANNEL", "calls[1].channel"),
        ({"source": None}, "SOURCE_REQUIRED", "calls[1].source"),
        ({"channel": "verify.id_2e", "source": "upload"}, "VALIDATION_ERROR", "calls[1].source"),
        ({"channel": "nfc", "source": None}, "VALIDATION_ERROR", "calls[1].nfc_req_id"),
        ({"account_id": "initech"}, "ACCOUNT_NOT_FOUND", "calls[1].account_id"),
        ({"occurred_at": (NOW - timedelta(days=35, seconds=1)).isoformat()}, "CALL_TOO_OLD", "calls[1].occurred_at"),
        ({"occurred_at": (NOW + timedelta(minutes=5, seconds=1)).isoformat()}, "CALL_IN_FUTURE",
         "calls[1].occurred_at"),
    ],
)
def test_each_refusal_rejects_its_call_alone_and_the_others_go_in(stack, changes, code, field):
    bad = {key: value for key, value in {**call("r-bad"), **changes}.items() if value is not None}

    first, refused, last = results(call("r-1"), bad, call("r-2"))

    assert (first["status"], last["status"]) == ("accepted", "accepted")
    assert refused["status"] == "rejected" and error_of(refused) == (code, field)
    assert refused["error"]["message"]
    assert (refused["billable"], refused["billing_tag"], refused["billing_date"]) == (None, None, None)
    assert sorted(item["request_id"] for item in stored_calls(stack.client)) == ["r-1", "r-2"]


def test_exactly_35_days_late_and_exactly_5_minutes_ahead_are_accepted(stack):
    late, ahead = results(call("r-late", NOW - timedelta(days=35)), call("r-ahead", NOW + timedelta(minutes=5)))

    assert (late["status"], ahead["status"]) == ("accepted", "accepted")
    assert late["billing_date"] == "2026-10-20"


def test_the_same_call_again_is_a_duplicate_with_its_first_decision_and_a_reused_request_id_is_refused(stack):
    (first,) = results(call("r-1", return_code=2006))

    with clock_at(NOW + timedelta(days=2)):
        again, other_day = results(call("r-1", return_code=2006), call("r-1", NOW + timedelta(days=1)))

    assert again == {**first, "status": "duplicate"}
    assert error_of(other_day) == ("REQUEST_ID_REUSED", "calls[1].request_id")
    assert len(stored_calls(stack.client)) == 1


def test_the_second_of_two_identical_calls_of_a_batch_is_a_duplicate(stack):
    first, second, changed = results(call("r-1"), call("r-1"), call("r-1", return_code=1))

    assert (first["status"], second["status"]) == ("accepted", "duplicate")
    assert second["billable"] is True and error_of(changed)[0] == "REQUEST_ID_REUSED"
    assert len(stored_calls(stack.client)) == 1


def test_request_ids_are_unique_per_account_not_globally(stack):
    mine, theirs = results(call("r-1"), call("r-1", account_id="globex"))

    assert (mine["status"], theirs["status"]) == ("accepted", "accepted")


def test_nfc_repeats_of_a_reqid_are_free_until_5_minutes_after_the_billed_one(stack):
    start = NOW - timedelta(minutes=20)
    nfc = {"channel": "nfc", "nfc_req_id": "nfc-9"}
    batch = [call("n-1", start, **nfc), call("n-2", start + timedelta(minutes=4, seconds=59), **nfc)]
    batch = [{key: value for key, value in item.items() if key != "source"} for item in batch]

    first, repeat = results(*batch)
    (after,) = results({**batch[0], "request_id": "n-3", "occurred_at": (start + timedelta(minutes=5, seconds=1))
                        .isoformat()})

    assert [first["billable"], repeat["billable"], after["billable"]] == [True, False, True]
    reasons = {item["request_id"]: item["reason"] for item in stored_calls(stack.client)}
    assert reasons == {"n-1": "BILLABLE_CODE", "n-2": "NFC_REPEAT_WITHIN_5_MIN", "n-3": "BILLABLE_CODE"}
    windows = [item for item in scan(stack.client, os.environ["CALLS_TABLE"]) if item["pk"] == "acme#nfc"]
    assert [(w["request_id"], w["opener"]) for w in windows] == [("window#nfc-9", "n-3")]


def test_2007_on_a_wechat_channel_is_billable_on_2021_07_18_and_not_from_2021_07_19(stack):
    with clock_at(datetime(2021, 7, 20, 12, tzinfo=UTC)):
        before, after = results(call("w-1", datetime.fromisoformat("2021-07-18T23:59:59+08:00"), return_code=2007),
                                call("w-2", datetime.fromisoformat("2021-07-19T00:00:00+08:00"), return_code=2007))

    assert (before["billable"], before["billing_date"]) == (True, "2021-07-18")
    assert (after["billable"], after["billing_date"]) == (False, "2021-07-19")


def test_an_unknown_return_code_is_accepted_and_stored_as_unclassified(stack):
    (result,) = results(call("r-1", return_code="E_SOMETHING_NEW"))

    assert result["status"] == "accepted" and result["billable"] is False
    assert stored_calls(stack.client)[0]["reason"] == "UNCLASSIFIED_CODE"


@pytest.mark.parametrize(
    "body",
    ["not json", '{"calls": ', json.dumps({"calls": []}), json.dumps({"calls": [{"request_id": "x"}] * 501}),
     json.dumps({}), json.dumps({"calls": "r-1"}), json.dumps([{"request_id": "r-1"}]),
     json.dumps({"calls": [7]}), json.dumps({"calls": [{}], "extra": 1})],
)
def test_a_malformed_envelope_is_400_and_stores_nothing(stack, body):
    status, answer = post(body)

    assert status == 400
    assert answer["error"]["code"] == "VALIDATION_ERROR" and answer["error"]["details"]
    assert stored_calls(stack.client) == []


def test_500_calls_in_one_batch_are_all_recorded(stack):
    batch = [call(f"r-{index}", account_id=("acme", "globex")[index % 2], return_code=(0, 2006, 1)[index % 3])
             for index in range(500)]

    answered = results(*batch)

    assert [result["status"] for result in answered] == ["accepted"] * 500
    assert len(stored_calls(stack.client)) == 500


def test_accounts_are_read_once_per_batch_with_only_their_key(stack):
    reads: list[dict] = []

    class Recording(CrashingClient):
        def batch_get_item(self, **request):
            reads.append(request)
            return stack.client.batch_get_item(**request)

    stack.use(Recording(stack.client))
    results(*[call(f"r-{index}", account_id=("acme", "globex", "initech")[index % 3]) for index in range(30)])

    (read,) = reads
    (request,) = read["RequestItems"].values()
    assert request["ProjectionExpression"] == "account_id" and request["ConsistentRead"] is True
    assert len(request["Keys"]) == 3


def test_a_storage_failure_answers_500_and_the_same_batch_sent_again_is_safe(stack):
    batch = [call(f"r-{index}") for index in range(20)]
    stack.use(CrashingClient(stack.client, crash_at=7, error=throttled))

    status, body = post({"calls": batch})
    assert status == 500 and body["error"]["code"] == "INTERNAL_ERROR"
    written = {item["request_id"] for item in stored_calls(stack.client)}

    stack.use(stack.client)
    again = results(*batch)

    assert [r["status"] for r in again] == ["duplicate" if f"r-{i}" in written else "accepted" for i in range(20)]
    assert len(stored_calls(stack.client)) == 20


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return json.dumps([vars(record) for record in caplog.records], default=str, ensure_ascii=False)


def summaries(caplog: pytest.LogCaptureFixture) -> list[Any]:
    return [record for record in caplog.records if record.getMessage() == "calls ingested"]


def test_the_logs_carry_no_key_and_no_call_contents(stack, caplog):
    results(call("r-1"), call("r-2", channel="nope"))

    logged_text = logged(caplog)
    assert "fbk_" not in logged_text and "Bearer" not in logged_text
    assert "UNKNOWN_CHANNEL" in logged_text and "enhanced.wechat_miniprogram" not in logged_text


# --- the ingest queue ----------------------------------------------------------------------------

def envelope(*calls: dict) -> str:
    return json.dumps({"calls": list(calls)})


def test_the_canonical_sqs_event_is_ingested(stack):
    answer = ingest_app.handler(load_event("calls_sqs.json"), FakeContext())

    assert answer == {"batchItemFailures": []}
    assert [(item["billing_tag"], item["billable"]) for item in stored_calls(stack.client)] == [("basic_upload", True)]


def test_a_queue_message_that_fails_to_store_is_retried_and_the_others_are_done(stack):
    class FailingForBad(CrashingClient):
        def put_item(self, **request):
            if request["Item"]["request_id"]["S"].startswith("bad-"):
                raise throttled("PutItem")
            return stack.client.put_item(**request)

    stack.use(FailingForBad(stack.client))
    event = sqs_event(envelope(call("ok-1"), call("ok-2")), envelope(call("bad-1"), call("ok-3")),
                      envelope(call("ok-4", channel="nope")))

    answer = ingest_app.handler(event, FakeContext())

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert {item["request_id"] for item in stored_calls(stack.client)} >= {"ok-1", "ok-2"}

    stack.use(stack.client)
    retry = ingest_app.handler(sqs_event(event["Records"][1]["body"]), FakeContext())

    assert retry == {"batchItemFailures": []}
    assert {item["request_id"] for item in stored_calls(stack.client)} == {"ok-1", "ok-2", "ok-3", "bad-1"}


def test_a_malformed_queue_message_is_dropped_not_retried(stack):
    event = sqs_event("not json", envelope(), json.dumps({"calls": [1]}), envelope(call("ok-1")))

    answer = ingest_app.handler(event, FakeContext())

    assert answer == {"batchItemFailures": []}
    assert [item["request_id"] for item in stored_calls(stack.client)] == ["ok-1"]


def test_calls_rejected_in_a_queue_message_are_final_and_logged_with_counts(stack, caplog):
    event = sqs_event(envelope(call("ok-1"), call("r-2", account_id="initech"), call("r-3", channel="nope")))

    answer = ingest_app.handler(event, FakeContext())

    assert answer == {"batchItemFailures": []}
    (summary,) = summaries(caplog)
    assert (summary.accepted, summary.rejected) == (1, 2)
    assert summary.rejected_by_code == {"ACCOUNT_NOT_FOUND": 1, "UNKNOWN_CHANNEL": 1}


def test_the_calls_billing_date_follows_the_deployments_time_zone():
    with template_resources({"BillingTimeZone": "America/New_York"}), clock_at(NOW):
        client = dynamodb()
        create_accounts(client, "acme")
        (result,) = results(call("r-1", datetime(2026, 11, 24, 3, 0, tzinfo=UTC)))

    assert result["billing_date"] == date(2026, 11, 23).isoformat()
