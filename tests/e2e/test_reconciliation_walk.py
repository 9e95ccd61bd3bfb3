"""The nightly reconciliation through the local stack: the clock passing 02:00 fires the template's schedule, the
dispatcher fans every account of the stack out to the reconciliation queue and the worker checks them; GET
/v1/reconciliation answers what it found. A healthy stack has nothing to report (whatever the tests before left in
it); a figure tampered with in the emulator is found, with its account and both figures, and a rerun after
it is put back finds nothing again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from infra.local.stack import LocalStack
from shared.pricing import billing_date, start_of_billing_day
from shared.services import reconciliation as reconciliation_service
from shared.store.codec import from_attributes, to_attributes
from tests.support import HttpClient

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def no_pause_before_the_second_reading(monkeypatch):
    monkeypatch.setattr(reconciliation_service, "RECHECK_AFTER_S", 0.0)


def clock_now(operator: HttpClient) -> datetime:
    return datetime.fromisoformat(operator.get("/_local/clock").json()["now"])


def next_day_at(operator: HttpClient, hour: int) -> datetime:
    day = billing_date(clock_now(operator), SHANGHAI) + timedelta(days=1)
    return start_of_billing_day(day, SHANGHAI) + timedelta(hours=hour)


def ok(answer):
    assert answer.status in (200, 201), answer.body
    return answer.json()


@pytest.fixture(scope="module")
def walk(operator: HttpClient) -> Iterator[dict]:
    """The issue's walk: a 1,000-call id_verification pack bought for 300.00, 100.00 of it by voucher; 100 calls
    that day, settled at 00:00; a late call of that day after the settlement. The clock stops at 01:30."""
    day_at_10 = next_day_at(operator, 10)
    ok(operator.post("/_local/clock", {"now": day_at_10.isoformat(), "fire": False}))
    ok(operator.post("/v1/accounts", {"account_id": "recon-walk", "contacts": {},
                                      "activated_at": (day_at_10 - timedelta(days=730)).isoformat()}))
    ok(operator.post("/v1/accounts/recon-walk/recharges", {"recharge_id": "recon-r1", "wallet": "cash",
                                                            "amount": "500.00"}))
    bought = ok(operator.post("/v1/accounts/recon-walk/packs", {
        "purchase_id": "recon-p1", "billing_tag": "id_verification", "size": 1000, "voucher_amount": "100.00"}))
    pack = bought["packs"][0]
    calls = [{"request_id": f"recon-{n}", "account_id": "recon-walk", "channel": "verify.id_2e", "return_code": "0",
              "occurred_at": day_at_10.isoformat()} for n in range(100)]
    assert {result["status"] for result in ok(operator.post("/v1/calls", {"calls": calls}))["results"]} == {"accepted"}
    midnight = start_of_billing_day(billing_date(day_at_10, SHANGHAI) + timedelta(days=1), SHANGHAI)
    runs = ok(operator.post("/_local/clock", {"now": (midnight + timedelta(minutes=30)).isoformat()}))["runs"]
    assert {"job": "daily-settlement", "at": midnight.isoformat(), "ok": True} in runs
    late = [{**calls[0], "request_id": "recon-late", "occurred_at": (midnight - timedelta(hours=1)).isoformat()}]
    assert ok(operator.post("/v1/calls", {"calls": late}))["results"][0]["status"] == "accepted"
    ok(operator.post("/_local/clock", {"now": (midnight + timedelta(hours=1, minutes=30)).isoformat()}))
    yield {"day": billing_date(day_at_10, SHANGHAI), "midnight": midnight, "pack_id": pack["pack_id"]}


def same_second(answered: str, run_at: str) -> bool:
    """The scheduler's instant, as the schedule passes it: whole seconds."""
    return datetime.fromisoformat(answered) == datetime.fromisoformat(run_at).replace(microsecond=0)


def findings(operator: HttpClient, day) -> tuple[int, dict]:
    answer = operator.get(f"/v1/reconciliation?date={day.isoformat()}")
    return answer.status, answer.json()


def test_before_the_02_00_run_the_day_s_findings_are_not_found(walk, operator: HttpClient):
    status, body = findings(operator, walk["day"])

    assert status == 404
    assert body["error"]["code"] == "NOT_FOUND" and body["error"]["details"] == []


def test_an_account_key_may_not_read_the_findings(walk, operator: HttpClient):
    key = ok(operator.post("/v1/accounts/recon-walk/keys"))["api_key"]

    assert operator.with_key(key).get(f"/v1/reconciliation?date={walk['day'].isoformat()}").status == 403


def test_the_clock_passing_02_00_runs_the_reconciliation_and_the_stack_ties_out(walk, operator: HttpClient):
    two = walk["midnight"] + timedelta(hours=2)

    runs = ok(operator.post("/_local/clock", {"advance": "PT31M"}))["runs"]

    assert {"job": "reconciliation", "at": two.isoformat(), "ok": True} in runs
    status, body = findings(operator, walk["day"])
    assert status == 200
    assert (body["date"], body["ran_at"]) == (walk["day"].isoformat(), two.isoformat())
    assert body["accounts_checked"] >= 1 and body["packs_checked"] >= 1
    # every account of the stack, the other tests' included: 100 billed, 1 late call waiting, 20.00 recognized
    assert body["differences"] == []
    packs = ok(operator.get("/v1/accounts/recon-walk/packs"))["packs"]
    assert [p["remaining"] for p in packs if p["pack_id"] == walk["pack_id"]] == [900]


@pytest.fixture
def tampered_wallet(walk, local_stack: LocalStack) -> Iterator[Decimal]:
    """recon-walk's cash wallet 1.00 above its ledger, straight in the emulator; put back afterwards."""
    dynamodb = local_stack.aws.client("dynamodb")
    key = to_attributes({"account_id": "recon-walk"})
    cash = from_attributes(dynamodb.get_item(TableName="AccountsTable", Key=key)["Item"])["wallets"]["cash"]

    def set_cash(amount: Decimal) -> None:
        dynamodb.update_item(TableName="AccountsTable", Key=key, UpdateExpression="SET wallets.cash = :cash",
                             ExpressionAttributeValues=to_attributes({":cash": amount}))

    set_cash(cash + Decimal("1.00"))
    try:
        yield cash
    finally:
        set_cash(cash)


def test_a_tampered_wallet_is_found_by_a_run_from_the_jobs_route_and_gone_once_put_back(
        walk, operator: HttpClient, tampered_wallet: Decimal):
    now = clock_now(operator)
    day = billing_date(now, SHANGHAI) - timedelta(days=1)

    run = ok(operator.post("/_local/jobs/reconciliation"))

    assert (run["job"], run["ok"]) == ("reconciliation", True)
    status, body = findings(operator, day)
    assert status == 200 and same_second(body["ran_at"], run["at"])
    assert body["differences"] == [{"account_id": "recon-walk", "check": "WALLET_BALANCE",
                                    "expected": f"{tampered_wallet:.2f}", "actual": f"{tampered_wallet + 1:.2f}"}]


def test_after_the_tamper_is_put_back_a_rerun_finds_nothing(walk, operator: HttpClient):
    ok(operator.post("/_local/clock", {"advance": "PT1M", "fire": False}))

    run = ok(operator.post("/_local/jobs/reconciliation"))

    status, body = findings(operator, billing_date(clock_now(operator), SHANGHAI) - timedelta(days=1))
    assert status == 200 and same_second(body["ran_at"], run["at"])
    assert body["differences"] == []
