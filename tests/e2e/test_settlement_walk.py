"""Daily settlement through the local stack: calls posted over HTTP, the clock moved past 00:00, and the
daily-settlement schedule of template.yaml settling through its queue as in AWS.

The seed's 15,000-call example is marked `soak` (`make soak`): 15,000 calls through the emulator take
minutes; the same figures are checked on counters by tests/integration/test_settlement_runs.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support import HttpClient

ENHANCED_AUTHORITY = {"channel": "enhanced.wechat_miniprogram", "source": "authority", "return_code": 0}
ID_VERIFICATION = {"channel": "verify.id_2e", "return_code": 0}  # 身份信息核验, postpaid 0.3 a call
BATCH = 500


def clock_now(operator: HttpClient) -> datetime:
    return datetime.fromisoformat(operator.get("/_local/clock").json()["now"])


def next_day_at_10(operator: HttpClient) -> datetime:
    """The next day at 10:00 (+08:00, the API's offset and the default billing zone), whatever ran before."""
    day_start = (clock_now(operator) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    assert operator.post("/_local/clock", {"now": day_start.isoformat()}).status == 200
    return day_start


def open_account(operator: HttpClient, account: str, day_start: datetime, cash: str) -> None:
    activated = (day_start - timedelta(days=2 * 365)).isoformat()  # daily, and its free quota expired
    assert operator.post("/v1/accounts", {"account_id": account, "activated_at": activated,
                                          "contacts": {}}).status == 201
    assert operator.post(f"/v1/accounts/{account}/recharges",
                         {"recharge_id": f"{account}-r1", "amount": cash, "wallet": "cash"}).status == 200


def post_calls(operator: HttpClient, account: str, prefix: str, count: int, at: datetime, call: dict) -> None:
    for first in range(0, count, BATCH):
        calls = [{"request_id": f"{prefix}-{index}", "account_id": account, "occurred_at": at.isoformat(), **call}
                 for index in range(first, min(first + BATCH, count))]
        answer = operator.post("/v1/calls", {"calls": calls})
        assert answer.status == 200
        assert {result["status"] for result in answer.json()["results"]} == {"accepted"}


def move_to(operator: HttpClient, at: datetime, *, fire: bool = True) -> list[dict]:
    moved = operator.post("/_local/clock", {"now": at.isoformat(), "fire": fire})
    assert moved.status == 200
    return [run for run in moved.json()["runs"] if run["job"] == "daily-settlement"]


def bills(operator: HttpClient, account: str, first: datetime, last: datetime) -> list[dict]:
    answer = operator.get(f"/v1/accounts/{account}/bills?from={first.date()}&to={last.date()}")
    assert answer.status == 200
    return answer.json()["bills"]


def balance(operator: HttpClient, account: str) -> str:
    return operator.get(f"/v1/accounts/{account}").json()["balance"]


def lines(bill: dict) -> list[tuple]:
    return [(line["usage_date"], line["billable_calls"], line["postpaid_calls"], line["amount"], line["late"])
            for line in bill["lines"]]


def test_1000_id_checks_a_late_call_a_rerun_and_days_skipped_without_firing(operator: HttpClient):
    day = next_day_at_10(operator)
    account = "walk-late"
    open_account(operator, account, day, "1000.00")
    post_calls(operator, account, "d0", 1000, day, ID_VERIFICATION)

    midnight = (day + timedelta(days=1)).replace(hour=0)
    assert move_to(operator, midnight + timedelta(seconds=1)) == [
        {"job": "daily-settlement", "at": midnight.isoformat(), "ok": True}]
    (first_bill,) = bills(operator, account, day, day)
    assert (first_bill["total_amount"], lines(first_bill)) == ("300.00", [(str(day.date()), 1000, 1000, "300.00",
                                                                          False)])
    assert balance(operator, account) == "700.00"

    # 23:59:59 of the settled day arrives late; 00:00:00 belongs to the new day.
    post_calls(operator, account, "late", 1, midnight - timedelta(seconds=1), ID_VERIFICATION)
    post_calls(operator, account, "d1", 1, midnight, ID_VERIFICATION)
    move_to(operator, midnight + timedelta(days=1, seconds=1))
    settled = bills(operator, account, day, midnight)
    assert settled[0] == first_bill  # a closed bill is never edited
    assert lines(settled[1]) == [(str(day.date()), 1, 1, "0.30", True), (str(midnight.date()), 1, 1, "0.30", False)]
    assert balance(operator, account) == "699.40"

    rerun = operator.post("/_local/jobs/daily-settlement", {})
    assert rerun.status == 200 and rerun.json()["ok"] is True
    assert bills(operator, account, day, midnight + timedelta(days=5)) == settled
    assert balance(operator, account) == "699.40"

    # Calls on two days whose 00:00 runs never fire (the clock jumps): the next run settles both.
    third, fourth = midnight + timedelta(days=2, hours=8), midnight + timedelta(days=3, hours=8)
    move_to(operator, third, fire=False)
    post_calls(operator, account, "d2", 3, third, ID_VERIFICATION)
    move_to(operator, fourth, fire=False)
    post_calls(operator, account, "d3", 5, fourth, ID_VERIFICATION)
    move_to(operator, midnight + timedelta(days=5, hours=12), fire=False)
    assert bills(operator, account, third, fourth) == []

    runs = move_to(operator, midnight + timedelta(days=6, seconds=1))
    assert [run["ok"] for run in runs] == [True]
    made_good = bills(operator, account, third, fourth)
    assert [lines(bill) for bill in made_good] == [[(str(third.date()), 3, 3, "0.90", False)],
                                                   [(str(fourth.date()), 5, 5, "1.50", False)]]
    assert balance(operator, account) == "697.00"


@pytest.mark.soak
def test_15000_calls_with_one_10000_pack_are_settled_at_midnight_for_17000_in_all(operator: HttpClient):
    day = next_day_at_10(operator)
    account = "walk-seed"
    open_account(operator, account, day, "20000.00")
    bought = operator.post(f"/v1/accounts/{account}/packs", {"purchase_id": "walk-seed-p1",
                                                            "billing_tag": "enhanced_authority_wechat", "size": 10000})
    assert bought.status == 201, bought.body
    pack_id = bought.json()["packs"][0]["pack_id"]
    post_calls(operator, account, "walk-seed", 15_000, day + timedelta(seconds=1), ENHANCED_AUTHORITY)

    midnight = (day + timedelta(days=1)).replace(hour=0)
    assert move_to(operator, midnight + timedelta(seconds=1)) == [
        {"job": "daily-settlement", "at": midnight.isoformat(), "ok": True}]
    shown = operator.get(f"/v1/accounts/{account}").json()
    assert (shown["balance"], shown["status"]) == ("3000.00", "active")  # 20,000 − 11,000 − 6,000
    packs = operator.get(f"/v1/accounts/{account}/packs?status=exhausted").json()["packs"]
    assert [(pack["pack_id"], pack["remaining"]) for pack in packs] == [(pack_id, 0)]
    usage = operator.get(f"/v1/accounts/{account}/usage?date={day.date()}").json()
    assert usage["settled"] is True
    (bill,) = bills(operator, account, day, day)
    assert (bill["total_amount"], bill["cycle"], bill["period_start"]) == ("6000.00", "daily", str(day.date()))
    (line,) = bill["lines"]
    assert (line["billable_calls"], line["postpaid_calls"], line["unit_price"], line["amount"], line["late"]) == (
        15000, 5000, "1.2", "6000.00", False)
    assert line["pack_deductions"] == [{"pack_id": pack_id, "calls": 10000}]
