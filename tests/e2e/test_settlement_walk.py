"""Issue 5's seed example through the local stack: calls posted over HTTP, the clock moved past 00:00, and
the daily-settlement schedule of template.yaml settling through its queue as in AWS."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support import HttpClient

CALL = {"channel": "enhanced.wechat_miniprogram", "source": "authority", "return_code": 0}
BATCH = 500


def clock_now(operator: HttpClient) -> datetime:
    return datetime.fromisoformat(operator.get("/_local/clock").json()["now"])


def test_15000_calls_with_one_10000_pack_are_settled_at_midnight_for_17000_in_all(operator: HttpClient):
    # The next day at 10:00 (+08:00, the API's offset and the default billing zone), whatever ran before.
    day_start = (clock_now(operator) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    assert operator.post("/_local/clock", {"now": day_start.isoformat()}).status == 200
    account = "walk-seed"
    activated = (day_start - timedelta(days=2 * 365)).isoformat()  # daily, and its free quota expired
    opened = operator.post("/v1/accounts", {"account_id": account, "activated_at": activated, "contacts": {}})
    assert opened.status == 201
    assert operator.post(f"/v1/accounts/{account}/recharges",
                         {"recharge_id": "walk-seed-r1", "amount": "20000.00", "wallet": "cash"}).status == 200
    bought = operator.post(f"/v1/accounts/{account}/packs", {"purchase_id": "walk-seed-p1",
                                                            "billing_tag": "enhanced_authority_wechat", "size": 10000})
    assert bought.status == 201, bought.body

    occurred_at = (day_start + timedelta(seconds=1)).isoformat()
    for batch in range(15_000 // BATCH):
        calls = [{"request_id": f"walk-seed-{batch}-{index}", "account_id": account, "occurred_at": occurred_at, **CALL}
                 for index in range(BATCH)]
        answer = operator.post("/v1/calls", {"calls": calls})
        assert answer.status == 200
        assert {result["status"] for result in answer.json()["results"]} == {"accepted"}

    midnight = (day_start + timedelta(days=1)).replace(hour=0)
    moved = operator.post("/_local/clock", {"now": (midnight + timedelta(seconds=1)).isoformat()}).json()

    assert {"job": "daily-settlement", "at": midnight.isoformat(), "ok": True} in moved["runs"]
    shown = operator.get(f"/v1/accounts/{account}").json()
    assert (shown["balance"], shown["status"]) == ("3000.00", "active")
    packs = operator.get(f"/v1/accounts/{account}/packs?status=exhausted").json()["packs"]
    assert [(pack["pack_id"], pack["remaining"]) for pack in packs] == [(bought.json()["packs"][0]["pack_id"], 0)]
    day = day_start.date().isoformat()
    usage = operator.get(f"/v1/accounts/{account}/usage?date={day}").json()
    assert usage["settled"] is True
    (bill,) = operator.get(f"/v1/accounts/{account}/bills?from={day}&to={day}").json()["bills"]
    assert (bill["total_amount"], bill["cycle"], bill["period_start"]) == ("6000.00", "daily", day)
    (line,) = bill["lines"]
    assert (line["billable_calls"], line["postpaid_calls"], line["unit_price"], line["amount"], line["late"]) == (
        15000, 5000, "1.2", "6000.00", False)
    assert line["pack_deductions"] == [{"pack_id": bought.json()["packs"][0]["pack_id"], "calls": 10000}]
