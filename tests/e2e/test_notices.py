"""Customer notices through the local stack: the domain-event topic's subscription feeds the notifier, which
sends SMS and e-mail (GET /_local/outbox) and stores the in-site messages (GET .../messages), once per cause
and channel, in the account's language: for purchases and their repeats, and along a pack's life through
settlement, arrears, suspension, restore and refund."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.pricing import billing_date, start_of_billing_day
from tests.support import HttpClient

CJK = re.compile(r"[\u4e00-\u9fff]")
SHANGHAI = ZoneInfo("Asia/Shanghai")
PURCHASE = {"purchase_id": "notice-p1", "billing_tag": "enhanced_authority_wechat", "size": 1000}


@pytest.fixture(scope="module")
def customers(operator: HttpClient) -> dict[str, bool]:
    """Two accounts with both contacts, one Chinese and one English, that each bought a pack (twice over)."""
    for account_id, locale in (("notice-zh", "zh-CN"), ("notice-en", "en")):
        created = operator.post("/v1/accounts", {"account_id": account_id, "locale": locale, "contacts": {
            "email": f"ops@{account_id}.example", "phone": "+8613800000000"}})
        assert created.status == 201, created.body
        operator.post(f"/v1/accounts/{account_id}/recharges",
                      {"recharge_id": "notice-r1", "amount": "5000.00", "wallet": "cash"})
        for _ in range(2):  # the repeat re-publishes pack_delivered, as a client's retry does
            bought = operator.post(f"/v1/accounts/{account_id}/packs", PURCHASE)
            assert bought.status == 201, bought.body
    return {"notice-zh": True, "notice-en": False}


def test_each_notice_goes_once_by_sms_and_email_in_the_accounts_language(api: HttpClient, customers):
    outbox = api.get("/_local/outbox").json()["messages"]

    for account_id, chinese in customers.items():
        sent = [message for message in outbox if message["account_id"] == account_id]
        assert Counter((message["channel"], message["type"]) for message in sent) == {
            ("sms", "free_quota_granted"): 1, ("email", "free_quota_granted"): 1,
            ("sms", "pack_delivered"): 1, ("email", "pack_delivered"): 1,
        }
        assert all(bool(CJK.search(message["text"])) is chinese for message in sent)


def test_the_inbox_holds_each_notice_once_newest_first(operator: HttpClient, customers):
    for account_id in customers:
        key = operator.post(f"/v1/accounts/{account_id}/keys").json()["api_key"]

        answer = operator.with_key(key).get(f"/v1/accounts/{account_id}/messages")

        assert answer.status == 200, answer.body
        assert [message["type"] for message in answer.json()["messages"]] == ["pack_delivered", "free_quota_granted"]
    english = operator.get("/v1/accounts/notice-en/messages?limit=1").json()
    assert english["messages"][0]["title"] == "Pack delivered" and english["next_cursor"]


def _move_clock(operator: HttpClient, to: datetime, *, fire: bool = True) -> None:
    answer = operator.post("/_local/clock", {"now": to.isoformat(), "fire": fire})
    assert answer.status == 200, answer.body


def _settle_the_day_of(operator: HttpClient, instant: datetime) -> datetime:
    """Jump to just before the next 00:00 and run the jobs of 00:00 (settlement); answer that midnight."""
    midnight = start_of_billing_day(billing_date(instant, SHANGHAI) + timedelta(days=1), SHANGHAI)
    _move_clock(operator, midnight - timedelta(minutes=1), fire=False)
    _move_clock(operator, midnight + timedelta(minutes=1))
    return midnight


def _call(operator: HttpClient, account_id: str, count: int, prefix: str) -> None:
    now = operator.get("/_local/clock").json()["now"]
    for start in range(0, count, 500):
        calls = [{"request_id": f"{prefix}-{n}", "account_id": account_id, "channel": "verify.phone_2e",
                  "return_code": "0", "occurred_at": now} for n in range(start, min(start + 500, count))]
        assert operator.post("/v1/calls", {"calls": calls}).status == 200


def test_a_packs_life_arrears_suspension_restore_and_refund_each_notify_once_per_channel(operator: HttpClient):
    account = "notice-walk"
    operator.post("/v1/accounts", {"account_id": account, "locale": "en",
                                   "contacts": {"email": "ops@walk.example", "phone": "+14155550100"}})
    operator.post(f"/v1/accounts/{account}/recharges", {"recharge_id": "walk-r1", "amount": "680.00", "wallet": "cash"})
    operator.post(f"/v1/accounts/{account}/packs", {"purchase_id": "walk-p1", "billing_tag": "phone_2e", "size": 1000})
    kept = operator.post(f"/v1/accounts/{account}/packs",
                         {"purchase_id": "walk-p2", "billing_tag": "id_verification", "size": 1000}).json()
    kept_pack = kept["packs"][0]["pack_id"]  # never used: refunded at the end
    _call(operator, account, 850, "walk-day1")  # the phone_2e pack to 150 of 1,000: below 20%
    first_midnight = _settle_the_day_of(operator, datetime.fromisoformat(operator.get("/_local/clock").json()["now"]))
    _call(operator, account, 160, "walk-day2")  # to 0, and 10 calls postpaid: 4.00 owed
    settled_at = _settle_the_day_of(operator, first_midnight + timedelta(hours=1))
    suspend_at = settled_at + timedelta(hours=24)
    _move_clock(operator, suspend_at - timedelta(minutes=1), fire=False)
    _move_clock(operator, suspend_at + timedelta(minutes=1))
    operator.post(f"/v1/accounts/{account}/recharges", {"recharge_id": "walk-r2", "amount": "4.00", "wallet": "cash"})
    refund = operator.post(f"/v1/accounts/{account}/packs/{kept_pack}/refund", {"refund_id": "walk-f1"})
    assert refund.status == 200, refund.body

    sent = [message for message in operator.get("/_local/outbox").json()["messages"]
            if message["account_id"] == account]
    inbox = operator.get(f"/v1/accounts/{account}/messages?limit=100").json()["messages"]

    causes = {"free_quota_granted": 1, "pack_delivered": 2, "pack_low": 1, "pack_exhausted": 1, "arrears": 1,
              "suspended": 1, "restored": 1, "refund_completed": 1}
    assert Counter(message["type"] for message in sent if message["channel"] == "sms") == causes
    assert Counter(message["type"] for message in sent if message["channel"] == "email") == causes
    assert Counter(message["type"] for message in inbox) == causes
    assert not any(CJK.search(message["text"]) for message in sent + inbox)
