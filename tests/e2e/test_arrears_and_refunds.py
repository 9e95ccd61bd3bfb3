"""Arrears, suspension, restore and refunds through the local stack: a settlement leaves an account below zero,
the arrears check suspends it 24 hours later, a recharge restores it at once; and a pack refunded at the last
second of its window."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.pricing import billing_date, start_of_billing_day
from tests.support import HttpClient

SHANGHAI = ZoneInfo("Asia/Shanghai")


def clock_now(api: HttpClient) -> datetime:
    return datetime.fromisoformat(api.get("/_local/clock").json()["now"])


def jump(operator: HttpClient, to: datetime) -> None:
    """Straight to `to`, without the jobs in between (they do not matter here)."""
    answer = operator.post("/_local/clock", {"now": to.isoformat(), "fire": False})
    assert answer.status == 200, answer.body


def run_until(operator: HttpClient, to: datetime) -> list[dict]:
    """To `to`, running every job that fires on the way."""
    answer = operator.post("/_local/clock", {"now": to.isoformat()})
    assert answer.status == 200, answer.body
    return answer.json()["runs"]


def next_midnight(instant: datetime) -> datetime:
    return start_of_billing_day(billing_date(instant, SHANGHAI) + timedelta(days=1), SHANGHAI)


def test_arrears_after_a_settlement_suspension_at_24_hours_and_restore_by_a_recharge(operator: HttpClient):
    assert operator.post("/v1/accounts", {"account_id": "arrears-acme", "contacts": {}}).status == 201
    now = clock_now(operator)
    calls = [{"request_id": f"arrears-c{n}", "account_id": "arrears-acme", "channel": "verify.id_2e",
              "return_code": "0", "occurred_at": now.isoformat()} for n in range(10)]
    assert operator.post("/v1/calls", {"calls": calls}).status == 200
    settled_at = next_midnight(now)
    jump(operator, settled_at - timedelta(minutes=1))

    settlement = run_until(operator, settled_at + timedelta(minutes=1))

    assert {"job": "daily-settlement", "at": settled_at.isoformat(), "ok": True} in settlement
    owing = operator.get("/v1/accounts/arrears-acme").json()
    assert (owing["status"], owing["balance"]) == ("arrears", "-3.00")  # 10 x 0.30 postpaid
    suspend_at = settled_at + timedelta(hours=24)
    assert owing["suspend_at"] == suspend_at.isoformat()

    jump(operator, suspend_at - timedelta(minutes=1))
    served = operator.get("/v1/accounts/arrears-acme").json()["status"]
    checks = run_until(operator, suspend_at + timedelta(minutes=1))

    assert served == "arrears"
    assert {"job": "arrears-check", "at": suspend_at.isoformat(), "ok": True} in checks
    stopped = operator.get("/v1/accounts/arrears-acme").json()
    assert (stopped["status"], stopped["suspension_reason"]) == ("suspended", "arrears")
    assert stopped["release_at"] == (suspend_at + timedelta(days=15)).isoformat()
    entitlement = operator.get("/v1/accounts/arrears-acme/entitlement?channel=verify.id_2e").json()
    assert entitlement == {"allowed": False, "reason": "SUSPENDED"}

    restored = operator.post("/v1/accounts/arrears-acme/recharges",
                             {"recharge_id": "arrears-r1", "amount": "3.00", "wallet": "cash"}).json()

    assert (restored["status"], restored["suspension_reason"], restored["balance"]) == ("active", None, "0.00")
    assert operator.get("/v1/accounts/arrears-acme/entitlement?channel=verify.id_2e").json()["allowed"] is True


def test_a_pack_is_refundable_until_23_59_59_of_the_7th_day_and_not_at_00_00_of_the_8th(operator: HttpClient):
    operator.post("/v1/accounts", {"account_id": "refund-acme", "contacts": {}})
    key = operator.post("/v1/accounts/refund-acme/keys").json()["api_key"]
    customer = operator.with_key(key)
    operator.post("/v1/accounts/refund-acme/recharges", {"recharge_id": "refund-r1", "amount": "600", "wallet": "cash"})
    bought = customer.post("/v1/accounts/refund-acme/packs", {"purchase_id": "refund-p1",
                                                             "billing_tag": "id_verification", "size": 1000,
                                                             "quantity": 2})
    assert bought.status == 201, bought.body
    first, second = (pack["pack_id"] for pack in bought.json()["packs"])
    closes_at = start_of_billing_day(billing_date(datetime.fromisoformat(bought.json()["packs"][0]["acquired_at"]),
                                                  SHANGHAI) + timedelta(days=8), SHANGHAI)

    jump(operator, closes_at - timedelta(seconds=1))
    in_time = customer.post(f"/v1/accounts/refund-acme/packs/{first}/refund", {"refund_id": "refund-1"})
    jump(operator, closes_at)
    too_late = customer.post(f"/v1/accounts/refund-acme/packs/{second}/refund", {"refund_id": "refund-2"})

    assert in_time.status == 200, in_time.body
    assert in_time.json()["refund"] == {"refund_id": "refund-1", "pack_id": first, "amount": "300.00",
                                        "to": {"cash": "300.00", "income": "0.00", "gift": "0.00"}}
    assert (too_late.status, too_late.json()["error"]["code"]) == (409, "REFUND_WINDOW_CLOSED")
    assert customer.get("/v1/accounts/refund-acme").json()["balance"] == "300.00"
