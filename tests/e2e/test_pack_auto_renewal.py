"""Pack auto-renewal (自动续费) through the local stack, the walk of issue 17: two accounts each buy a phone_2e pack
and turn its auto-renewal on (one with its own account key); a year on, the 00:00 that expires the packs renews the
one whose balance pays for it and tells the other its balance is short; the next night it is refused again; after a
recharge the night after renews it. Each step is checked in the packs, the 明细账单 rows, the outbox and the in-site
messages. Other tests share the stack, so the walk reads the clock and moves it only forward."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.pricing import billing_date, start_of_billing_day
from tests.support import HttpClient

SHANGHAI = ZoneInfo("Asia/Shanghai")
TAG = "phone_2e"  # 1,000 calls for 380.00
RICH, SHORT = "renew-rich", "renew-short"


def ok(answer):
    assert answer.status in (200, 201), answer.body
    return answer.json()


def move(operator: HttpClient, to: datetime, *, fire: bool = True) -> list[dict]:
    return ok(operator.post("/_local/clock", {"now": to.isoformat(), "fire": fire}))["runs"]


def bought_packs(operator: HttpClient, account_id: str) -> list[dict]:
    return [pack for pack in ok(operator.get(f"/v1/accounts/{account_id}/packs"))["packs"]
            if pack["origin"] == "purchase"]


def purchase_rows(operator: HttpClient, account_id: str, day: date) -> list[dict]:
    return ok(operator.get(f"/v1/accounts/{account_id}/bills/details?month={day:%Y-%m}&transaction_type=pack_purchase")
              )["rows"]


def sent(operator: HttpClient, account_id: str, *types: str) -> Counter:
    return Counter((message["channel"], message["type"]) for message in ok(operator.get("/_local/outbox"))["messages"]
                   if message["account_id"] == account_id and message["type"] in types)


def inbox(operator: HttpClient, account_id: str) -> list[dict]:
    return ok(operator.get(f"/v1/accounts/{account_id}/messages?limit=100"))["messages"]


@pytest.fixture(scope="module")
def walk(operator: HttpClient) -> Iterator[dict]:
    now = datetime.fromisoformat(ok(operator.get("/_local/clock"))["now"])
    day = billing_date(now, SHANGHAI) + timedelta(days=1)
    move(operator, start_of_billing_day(day, SHANGHAI) + timedelta(hours=10), fire=False)
    packs = {}
    for account_id, money in ((RICH, "1000.00"), (SHORT, "380.00")):
        ok(operator.post("/v1/accounts", {"account_id": account_id, "locale": "en" if account_id == RICH else "zh-CN",
                                          "contacts": {"email": f"ops@{account_id}.example",
                                                       "phone": "+8613800000000"}}))
        ok(operator.post(f"/v1/accounts/{account_id}/recharges", {"recharge_id": f"{account_id}-r1", "wallet": "cash",
                                                                  "amount": money}))
        pack = ok(operator.post(f"/v1/accounts/{account_id}/packs", {"purchase_id": f"{account_id}-p1",
                                                                     "billing_tag": TAG, "size": 1000}))["packs"][0]
        assert pack["auto_renew"] is False
        packs[account_id] = pack
    key = ok(operator.post(f"/v1/accounts/{RICH}/keys"))["api_key"]
    switched = ok(operator.with_key(key).patch(f"/v1/accounts/{RICH}/packs/{packs[RICH]['pack_id']}",
                                               {"auto_renew": True}))
    assert switched["auto_renew"] is True
    assert ok(operator.patch(f"/v1/accounts/{SHORT}/packs/{packs[SHORT]['pack_id']}",
                             {"auto_renew": True}))["auto_renew"] is True

    last_day = billing_date(datetime.fromisoformat(packs[RICH]["expires_at"]), SHANGHAI)
    move(operator, start_of_billing_day(last_day, SHANGHAI) + timedelta(hours=23), fire=False)  # a year on
    expiry_run = start_of_billing_day(last_day + timedelta(days=1), SHANGHAI)
    runs = move(operator, expiry_run + timedelta(minutes=1))
    assert {"job": "pack-lifecycle", "at": expiry_run.isoformat(), "ok": True} in runs
    yield {"packs": packs, "expiry_run": expiry_run}


def test_the_pack_paid_for_by_the_balance_is_renewed_as_a_purchase_at_its_expiry(walk, operator: HttpClient):
    old = walk["packs"][RICH]
    run_day = billing_date(walk["expiry_run"], SHANGHAI)

    packs = {pack["pack_id"]: pack for pack in bought_packs(operator, RICH)}
    [new] = [pack for pack in packs.values() if pack["pack_id"] != old["pack_id"]]
    assert packs[old["pack_id"]]["status"] == "expired"
    assert (new["status"], new["billing_tag"], new["size"], new["auto_renew"], new["acquired_at"]) == (
        "active", TAG, 1000, True, walk["expiry_run"].isoformat())
    assert ok(operator.get(f"/v1/accounts/{RICH}"))["balance"] == "240.00"
    assert [(row["resource_id"], row["amount"], row["calls"]) for row in purchase_rows(operator, RICH, run_day)] == [
        (f"renew:{old['pack_id']}", "380.00", 1000)]
    assert sent(operator, RICH, "pack_renewed", "pack_renewal_failed") == {
        ("sms", "pack_renewed"): 1, ("email", "pack_renewed"): 1}
    [message] = [message for message in inbox(operator, RICH) if message["type"] == "pack_renewed"]
    assert message["title"] == "Pack renewed" and "CNY 380.00" in message["text"]


def test_the_short_balance_is_told_then_refused_again_then_renewed_after_a_recharge(walk, operator: HttpClient):
    old = walk["packs"][SHORT]
    first_night = walk["expiry_run"]

    assert [pack["status"] for pack in bought_packs(operator, SHORT)] == ["expired"]
    assert sent(operator, SHORT, "pack_renewal_failed") == {("sms", "pack_renewal_failed"): 1,
                                                             ("email", "pack_renewal_failed"): 1}
    [failed] = [message for message in inbox(operator, SHORT) if message["type"] == "pack_renewal_failed"]
    assert failed["title"] == "资源包自动续费失败通知" and "还差380.00元" in failed["text"]

    move(operator, first_night + timedelta(days=1, minutes=1))  # the next 00:00: refused again, told again
    assert sent(operator, SHORT, "pack_renewal_failed") == {("sms", "pack_renewal_failed"): 2,
                                                             ("email", "pack_renewal_failed"): 2}
    assert [pack["status"] for pack in bought_packs(operator, SHORT)] == ["expired"]

    ok(operator.post(f"/v1/accounts/{SHORT}/recharges", {"recharge_id": f"{SHORT}-r2", "wallet": "cash",
                                                          "amount": "400.00"}))
    third_night = first_night + timedelta(days=2)
    move(operator, third_night + timedelta(minutes=1))

    [new] = [pack for pack in bought_packs(operator, SHORT) if pack["pack_id"] != old["pack_id"]]
    assert (new["status"], new["auto_renew"], new["acquired_at"]) == ("active", True, third_night.isoformat())
    assert ok(operator.get(f"/v1/accounts/{SHORT}"))["balance"] == "20.00"
    rows = purchase_rows(operator, SHORT, billing_date(third_night, SHANGHAI))
    assert (f"renew:{old['pack_id']}", "380.00") in [(row["resource_id"], row["amount"]) for row in rows]
    assert sent(operator, SHORT, "pack_renewed", "pack_renewal_failed") == {
        ("sms", "pack_renewal_failed"): 2, ("email", "pack_renewal_failed"): 2,
        ("sms", "pack_renewed"): 1, ("email", "pack_renewed"): 1}
    kinds = Counter(message["type"] for message in inbox(operator, SHORT))
    assert (kinds["pack_renewal_failed"], kinds["pack_renewed"], kinds["pack_delivered"]) == (2, 1, 2)

    move(operator, third_night + timedelta(days=1, hours=2, minutes=30))  # nothing more the night after
    assert sent(operator, SHORT, "pack_renewed", "pack_renewal_failed")[("sms", "pack_renewed")] == 1
    assert len(bought_packs(operator, SHORT)) == 2
    # The nightly reconciliation of the days walked finds the renewals' books, wallets and packs as they should be.
    for day in (billing_date(first_night, SHANGHAI), billing_date(third_night, SHANGHAI)):
        found = ok(operator.get(f"/v1/reconciliation?date={day}"))
        assert [d for d in found["differences"] if d["account_id"] in (RICH, SHORT)] == [], day
