"""The nightly reconciliation through the template's functions on moto, over a history made through the real
API, ingestion and settlement: nothing to report on a healthy night (late calls waiting included), then each
kind of stored figure tampered with straight in the tables, found by its own check with the exact figures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from shared.config import settings
from shared.services import reconciliation as reconciliation_service
from shared.store.codec import from_attributes, to_attributes
from shared.store.packs import PackRepository, pack_to_item
from tests.aws import aws_client
from tests.integration.reconciliation_support import (
    bill_item,
    differences,
    drain,
    findings,
    put_bill_item,
    reconcile,
    update_item,
    worker_app,
)
from tests.integration.test_ingest_support import FakeContext
from tests.integration.test_settlement_support import Settlement, settlement_system
from tests.support import load_event

ACTIVATED_LONG_AGO = "2024-06-01T09:00:00+08:00"  # daily, and its free quota expired long ago
D1, D2 = date(2026, 3, 1), date(2026, 3, 2)
ID_CHECK = "verify.id_2e"  # id_verification: 0.30 a call, packs of 1,000 for 300.00
PHONE_CHECK = "verify.phone_2e"  # phone_2e: 0.40 a call, postpaid here


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def call(request_id: str, occurred_at: str, channel: str = ID_CHECK, return_code: int = 0) -> dict:
    return {"request_id": request_id, "account_id": "recon", "channel": channel, "return_code": return_code,
            "occurred_at": occurred_at}


def ingest(system: Settlement, *calls: dict) -> None:
    assert {result["status"] for result in system.ingest(*calls)} == {"accepted"}


@pytest.fixture(autouse=True)
def no_pause_before_the_second_reading(monkeypatch):
    monkeypatch.setattr(reconciliation_service, "RECHECK_AFTER_S", 0.0)


@pytest.fixture
def walk() -> Iterator[tuple[Settlement, dict[str, str]]]:
    """One account's day: money in two wallets, a gift of 50 calls and a bought pack of 1,000 (300.00, 100.00 by
    voucher), 120 billable ID checks, 2 free ones and 5 postpaid phone checks, settled at midnight; then 3 late
    ID checks of that day after the settlement. Answers the system and the pack ids."""
    with settlement_system(at("2026-03-01T12:00:00+08:00")) as system:
        system.open_account("recon", activated_at=ACTIVATED_LONG_AGO)
        system.recharge("recon", "1000.00")
        system.recharge("recon", "20.00", wallet="gift")
        gift = system.grant_pack("recon", 50, billing_tag="id_verification")
        status, bought = system.api.post("/v1/accounts/recon/packs", {
            "purchase_id": "recon-p1", "billing_tag": "id_verification", "size": 1000, "voucher_amount": "100.00"})
        assert status == 201, bought
        calls = [call(f"id-{n}", "2026-03-01T10:00:00+08:00") for n in range(120)]
        calls += [call(f"free-{n}", "2026-03-01T10:00:00+08:00", return_code=-2) for n in range(2)]
        calls += [call(f"phone-{n}", "2026-03-01T11:00:00+08:00", PHONE_CHECK) for n in range(5)]
        ingest(system, *calls)
        system.api.clock.instant = at("2026-03-02T00:00:00+08:00")
        system.run("daily-settlement", "2026-03-02T00:00:00+08:00")
        system.api.clock.instant = at("2026-03-02T00:30:00+08:00")
        ingest(system, *(call(f"late-{n}", "2026-03-01T23:00:00+08:00") for n in range(3)))
        system.api.clock.instant = at("2026-03-02T02:00:00+08:00")
        yield system, {"gift": gift, "bought": bought["packs"][0]["pack_id"]}


def one_difference(check: str, expected: str, actual: str) -> list[dict[str, str]]:
    return [{"account_id": "recon", "check": check, "expected": expected, "actual": actual}]


def test_before_the_job_ran_for_a_date_the_answer_is_404_in_the_api_s_error_shape(walk):
    system, _ = walk

    status, body = findings(system, D1)

    assert status == 404
    assert body["error"]["code"] == "NOT_FOUND" and body["error"]["details"] == []
    assert "2026-03-01" in body["error"]["message"]


def test_a_healthy_night_finds_nothing_though_late_calls_still_wait_for_their_bill(walk):
    system, packs = walk
    (bill,) = system.bills("recon")
    assert [(line["billing_tag"], int(line["billable_calls"])) for line in bill["lines"]] == [
        ("id_verification", 120), ("phone_2e", 5)]
    remaining = system.packs("recon")
    assert (remaining.pop(packs["gift"]), remaining.pop(packs["bought"])) == (0, 930)
    assert len(remaining) == 9  # the free quota of its first year, expired long ago and never used

    summary = reconcile(system, "2026-03-02T02:00:00+08:00")

    assert (summary["date"], summary["accounts"], summary["messages"]) == ("2026-03-01", 1, 1)
    status, body = findings(system, D1)
    assert status == 200
    assert body == {"date": "2026-03-01", "ran_at": "2026-03-02T02:00:00+08:00", "accounts_checked": 1,
                    "packs_checked": 11, "differences": []}


def test_the_next_night_the_late_calls_are_on_a_late_line_and_both_days_still_tie_out(walk):
    system, packs = walk
    system.api.clock.instant = at("2026-03-02T09:00:00+08:00")
    ingest(system, *(call(f"d2-{n}", "2026-03-02T09:00:00+08:00") for n in range(4)))
    system.api.clock.instant = at("2026-03-03T00:00:00+08:00")
    system.run("daily-settlement", "2026-03-03T00:00:00+08:00")
    late_bill = system.bills("recon")[1]
    assert [(line["usage_date"], int(line["billable_calls"]), line["late"]) for line in late_bill["lines"]] == [
        ("2026-03-01", 3, True), ("2026-03-02", 4, False)]

    reconcile(system, "2026-03-02T02:00:00+08:00")
    reconcile(system, "2026-03-03T02:00:00+08:00")
    reconcile(system, "2026-03-02T07:00:00+08:00")  # an operator's rerun of 03-01, after its late calls were billed

    assert differences(system, D2) == []
    assert differences(system, D1) == []
    assert findings(system, D1)[1]["ran_at"] == "2026-03-02T07:00:00+08:00"
    assert system.packs("recon")[packs["bought"]] == 923


def test_a_wallet_changed_on_the_account_item_is_a_wallet_balance_difference(walk):
    system, _ = walk
    cash = system.account("recon")["wallets"]["cash"]
    update_item(settings().accounts_table, {"account_id": "recon"}, "SET wallets.cash = :cash",
                {":cash": cash + Decimal("1.00")})

    reconcile(system, "2026-03-02T02:00:00+08:00")

    assert differences(system, D1) == one_difference("WALLET_BALANCE", f"{cash:.2f}", f"{cash + 1:.2f}")


def test_a_pack_s_remaining_changed_is_a_pack_remaining_difference_alone(walk):
    system, packs = walk
    update_item(settings().packs_table, {"account_id": "recon", "pack_id": packs["bought"]},
                "SET remaining = :remaining", {":remaining": 931})

    reconcile(system, "2026-03-02T02:00:00+08:00")

    assert differences(system, D1) == one_difference("PACK_REMAINING", "930", "931")


def test_a_bill_line_s_calls_changed_is_a_billed_calls_difference(walk):
    system, _ = walk
    stored = bill_item("recon", D1)
    stored["lines"][0]["billable_calls"] = 121
    put_bill_item(stored)

    reconcile(system, "2026-03-02T02:00:00+08:00")

    # 123 recorded (3 of them late, waiting); the bill now carries 121 + the 3 waiting
    assert differences(system, D1) == one_difference("BILLED_CALLS", "123", "124")


def test_a_deleted_pack_deduction_is_a_pack_remaining_difference_of_that_pack(walk):
    system, packs = walk
    stored = bill_item("recon", D1)
    line = stored["lines"][0]
    assert [deduction["pack_id"] for deduction in line["pack_deductions"]] == [packs["gift"], packs["bought"]]
    line["pack_deductions"] = [d for d in line["pack_deductions"] if d["pack_id"] != packs["gift"]]
    put_bill_item(stored)

    reconcile(system, "2026-03-02T02:00:00+08:00")

    # the gift's 50 calls are no longer deducted anywhere: its 0 remaining contradicts the bills
    assert differences(system, D1) == one_difference("PACK_REMAINING", "50", "0")


def test_a_deferred_value_changed_is_a_deferred_revenue_difference(walk):
    system, packs = walk
    # 200.00 paid from wallets, 70 of 1,000 calls deducted: 14.00 recognized, 186.00 deferred
    stored = PackRepository(aws_client("dynamodb"), settings().packs_table).get("recon", packs["bought"])
    assert stored is not None and stored.deferred == Decimal("186.00")
    aws_client("dynamodb").put_item(TableName=settings().packs_table, Item=to_attributes(
        pack_to_item(replace(stored, deferred=Decimal("150.00")), settings().zone)))

    reconcile(system, "2026-03-02T02:00:00+08:00")

    assert differences(system, D1) == one_difference("DEFERRED_REVENUE", "186.00", "150.00")


def test_a_redelivered_message_overwrites_its_own_result_and_counts_nothing_twice(walk):
    system, _ = walk
    reconcile(system, "2026-03-02T02:00:00+08:00")
    body = json.dumps({"date": "2026-03-01", "ran_at": "2026-03-01T18:00:00Z", "batch": 0, "accounts": ["recon"]})
    event = load_event("reconciliation_sqs.json")
    event["Records"][0]["body"] = body

    assert worker_app.handler(event, FakeContext()) == {"batchItemFailures": []}
    assert worker_app.handler(event, FakeContext()) == {"batchItemFailures": []}

    status, answer = findings(system, D1)
    assert (status, answer["accounts_checked"], answer["packs_checked"], answer["differences"]) == (200, 1, 11, [])


def emitted_metrics(capsys) -> list[dict]:
    """The worker's EMF documents (the API function prints its own, without this metric)."""
    return [json.loads(text) for text in capsys.readouterr().out.splitlines()
            if '"ReconciliationDifferences"' in text and '"_aws"' in text]


@pytest.fixture
def metrics_on(monkeypatch, capsys):
    # While disabled, powertools keeps what earlier tests added without flushing it: start afresh.
    worker_app.metrics.clear_metrics()
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()


def test_the_worker_emits_the_night_s_difference_count_as_a_metric(walk, metrics_on, capsys):
    system, _ = walk
    update_item(settings().accounts_table, {"account_id": "recon"}, "SET balance = :balance",
                {":balance": Decimal("-1.00")})

    reconcile(system, "2026-03-02T02:00:00+08:00")

    (emitted,) = emitted_metrics(capsys)
    assert emitted["ReconciliationDifferences"] == [1.0]
    (directive,) = emitted["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == worker_app.metrics.namespace
    assert directive["Metrics"] == [{"Name": "ReconciliationDifferences", "Unit": "Count"}]


def test_a_healthy_night_emits_zero(walk, metrics_on, capsys):
    system, _ = walk

    reconcile(system, "2026-03-02T02:00:00+08:00")

    assert [metric["ReconciliationDifferences"] for metric in emitted_metrics(capsys)] == [[0.0]]


def test_the_runbook_s_recheck_of_one_account_writes_its_own_item_and_leaves_the_night_s_report(walk):
    """README, Runbook: one account sent alone to the reconciliation queue with a ran_at of its own."""
    system, packs = walk
    reconcile(system, "2026-03-02T02:00:00+08:00")
    update_item(settings().packs_table, {"account_id": "recon", "pack_id": packs["bought"]},
                "SET remaining = :remaining", {":remaining": 931})
    aws_client("sqs").send_message(QueueUrl=settings().reconciliation_queue_url, MessageBody=json.dumps(
        {"date": "2026-03-01", "ran_at": "2026-03-02T09:30:00Z", "batch": 1, "accounts": ["recon"]}))

    drain(system)

    item = from_attributes(aws_client("dynamodb").get_item(TableName=settings().books_table, Key=to_attributes(
        {"pk": "reconciliation#2026-03-01", "sk": "batch#2026-03-02T09:30:00.000000Z#00001"}))["Item"])
    assert [(found["check"], found["subject"]) for found in item["differences"]] == [
        ("PACK_REMAINING", packs["bought"])]
    assert differences(system, D1) == []  # the report still shows the night's run
