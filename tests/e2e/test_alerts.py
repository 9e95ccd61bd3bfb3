"""The alerts through the local stack, night after night on its clock: the balance alert (five notices while the
balance sinks, then silence until a recharge arms it again), a day budget crossed at two thresholds by one
settlement (one notice, naming the higher), and the runway falling below its setting (one notice)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from tests.support import HttpClient

PHONE_2E_PRICE_CALLS = 25  # 25 手机号二要素 calls a day at 0.40: 10.00 a night (no free pack for that tag)


def _open(operator: HttpClient, account_id: str, balance: str, **settings: Any) -> None:
    created = operator.post("/v1/accounts", {"account_id": account_id, "locale": "en", "contacts": {
        "email": f"ops@{account_id}.example", "phone": "+14155550100"}})
    assert created.status == 201, created.body
    recharged = operator.post(f"/v1/accounts/{account_id}/recharges",
                              {"recharge_id": f"{account_id}-r0", "amount": balance, "wallet": "cash"})
    assert recharged.status == 200, recharged.body
    patched = operator.patch(f"/v1/accounts/{account_id}", settings)
    assert patched.status == 200, patched.body


def _a_day_of_calls_then_the_night(operator: HttpClient, account_id: str, day: int) -> None:
    """10.00 of calls now, then the clock a day on: that night's settlement bills them."""
    now = datetime.fromisoformat(operator.get("/_local/clock").json()["now"])
    calls = [{"request_id": f"{account_id}-{day}-{n}", "account_id": account_id, "channel": "verify.phone_2e",
              "return_code": "0", "occurred_at": now.isoformat()} for n in range(PHONE_2E_PRICE_CALLS)]
    assert operator.post("/v1/calls", {"calls": calls}).status == 200
    moved = operator.post("/_local/clock", {"now": (now + timedelta(days=1)).isoformat()})
    assert moved.status == 200 and all(run["ok"] for run in moved.json()["runs"]), moved.body


def _notices(operator: HttpClient, account_id: str, notice_type: str) -> tuple[list[dict], list[dict]]:
    """The notices of one type the account was sent (SMS and e-mail), and those in its inbox, oldest first."""
    sent = [message for message in operator.get("/_local/outbox").json()["messages"]
            if message["account_id"] == account_id and message["type"] == notice_type]
    inbox = operator.get(f"/v1/accounts/{account_id}/messages?limit=100").json()["messages"]
    return sent, [message for message in reversed(inbox) if message["type"] == notice_type]


def _balance(operator: HttpClient, account_id: str) -> str:
    return operator.get(f"/v1/accounts/{account_id}").json()["balance"]


def test_a_balance_sinking_for_six_nights_is_announced_five_times_then_again_after_a_recharge(operator):
    _open(operator, "alert-sink", "105.00", balance_alert={"threshold": "100.00"})
    assert operator.get("/v1/accounts/alert-sink").json()["balance_alert"] == {"threshold": "100.00"}

    for day in range(6):
        _a_day_of_calls_then_the_night(operator, "alert-sink", day)

    assert _balance(operator, "alert-sink") == "45.00"
    sent, inbox = _notices(operator, "alert-sink", "balance_low")
    assert Counter(message["channel"] for message in sent) == {"sms": 5, "email": 5}
    assert [message["text"].split(",")[0] for message in inbox] == [
        f"Your balance is CNY {amount}" for amount in ("95.00", "85.00", "75.00", "65.00", "55.00")]
    assert all("below your balance alert of CNY 100.00" in message["text"] for message in inbox)

    # Back exactly at the threshold: not below it, so the alert is armed again, and the next night's charge sends.
    assert operator.post("/v1/accounts/alert-sink/recharges",
                         {"recharge_id": "alert-sink-r1", "amount": "55.00", "wallet": "cash"}).status == 200
    assert len(_notices(operator, "alert-sink", "balance_low")[1]) == 5
    _a_day_of_calls_then_the_night(operator, "alert-sink", 6)

    inbox = _notices(operator, "alert-sink", "balance_low")[1]
    assert len(inbox) == 6 and inbox[-1]["text"].startswith("Your balance is CNY 90.00")


def test_a_day_budget_crossed_at_50_and_100_percent_by_one_settlement_sends_one_notice_naming_100(operator):
    _open(operator, "alert-budget", "500.00",
          budgets=[{"period": "day", "amount": "10.00", "thresholds": [100, 50]}])
    assert operator.get("/v1/accounts/alert-budget").json()["budgets"] == [
        {"period": "day", "amount": "10.00", "thresholds": [100, 50]}]  # as given

    _a_day_of_calls_then_the_night(operator, "alert-budget", 0)
    _a_day_of_calls_then_the_night(operator, "alert-budget", 1)

    sent, inbox = _notices(operator, "alert-budget", "budget_reached")
    assert Counter(message["channel"] for message in sent) == {"sms": 2, "email": 2}
    assert [message["title"] for message in inbox] == ["Budget alert: 100% reached"] * 2
    assert all("is CNY 10.00, 100% of your day budget of CNY 10.00" in message["text"] for message in inbox)


def test_a_runway_below_its_setting_is_announced_once(operator):
    _open(operator, "alert-runway", "30.00", runway_alert_days=7)
    assert operator.get("/v1/accounts/alert-runway").json()["runway_days"] is None  # no charges yet

    _a_day_of_calls_then_the_night(operator, "alert-runway", 0)  # 20.00 left at 10.00 / 7 a day: 14 days
    assert operator.get("/v1/accounts/alert-runway").json()["runway_days"] == 14
    assert _notices(operator, "alert-runway", "runway_low")[1] == []

    _a_day_of_calls_then_the_night(operator, "alert-runway", 1)  # 10.00 left at 20.00 / 7 a day: 3 days
    _a_day_of_calls_then_the_night(operator, "alert-runway", 2)  # 0.00: 0 days, still below: no second notice

    account = operator.get("/v1/accounts/alert-runway").json()
    assert (account["runway_days"], account["runway_alert_days"]) == (0, 7)
    inbox = _notices(operator, "alert-runway", "runway_low")[1]
    assert len(inbox) == 1 and "lasts about 3 more days, less than the 7 days of your runway alert" in inbox[0]["text"]
