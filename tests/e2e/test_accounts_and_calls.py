"""Accounts, keys, packs and calls through the local stack, as a new user does it with curl. Other tests share the
stack and move its clock, so the calls are made at whatever the clock says now."""

from __future__ import annotations

import json

import pytest

from infra.local.stack import LocalStack
from tests.support import HttpClient


@pytest.fixture(scope="module")
def now(operator: HttpClient) -> str:
    """The stack's clock when the module starts (RFC 3339 in +08:00, so its first 10 characters are the billing
    date): the calls occur then."""
    return operator.get("/_local/clock").json()["now"]


@pytest.fixture(scope="module")
def call(now: str) -> dict:
    """A billable call's fields but its ids."""
    return {"channel": "enhanced.wechat_miniprogram", "source": "authority", "return_code": 0, "occurred_at": now}


@pytest.fixture(scope="module")
def acme(operator: HttpClient) -> str:
    answer = operator.post("/v1/accounts", {"account_id": "walk-acme", "contacts": {"email": "ops@acme.example"}})
    assert answer.status == 201, answer.body
    return "walk-acme"


def test_a_new_account_lists_its_free_quota_packs(operator: HttpClient, acme: str):
    packs = operator.get(f"/v1/accounts/{acme}/packs").json()["packs"]

    assert len(packs) == 9  # 增强版 ×6, 基础版 ×2 and 照片人脸核身V2.0 (activated after 2024-05-15)
    assert {pack["origin"] for pack in packs} == {"free_quota"}
    assert all(pack["size"] == pack["remaining"] == 100 and not pack["refundable"] for pack in packs)


def test_recharge_buy_and_gift_move_money_and_packs(operator: HttpClient, acme: str):
    recharged = operator.post(f"/v1/accounts/{acme}/recharges",
                              {"recharge_id": "walk-r1", "amount": "20000.00", "wallet": "cash"})
    bought = operator.post(f"/v1/accounts/{acme}/packs",
                           {"purchase_id": "walk-p1", "billing_tag": "enhanced_authority_wechat", "size": 10000})
    again = operator.post(f"/v1/accounts/{acme}/packs",
                          {"purchase_id": "walk-p1", "billing_tag": "enhanced_authority_wechat", "size": 10000})
    reused = operator.post(f"/v1/accounts/{acme}/packs",
                           {"purchase_id": "walk-p1", "billing_tag": "enhanced_authority_wechat", "size": 1000})
    gift = operator.post(f"/v1/accounts/{acme}/grants",
                         {"grant_id": "walk-g1", "billing_tag": "phone_2e", "size": 500})

    assert recharged.status == 200 and recharged.json()["balance"] == "20000.00"
    assert bought.status == 201 and bought.json()["paid"]["cash"] == "11000.00"
    assert again.status == 201 and again.json() == bought.json()
    assert reused.status == 409 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert gift.status == 201 and gift.json()["pack"]["origin"] == "promotion"
    assert operator.get(f"/v1/accounts/{acme}").json()["balance"] == "9000.00"


def test_a_batch_with_good_duplicate_and_bad_calls_answers_each_call(operator: HttpClient, acme: str, call: dict):
    batch = {"calls": [
        {"request_id": "walk-c1", "account_id": acme, **call},
        {"request_id": "walk-c1", "account_id": acme, **call},
        {"request_id": "walk-c2", "account_id": acme, **call, "return_code": "2015"},
        {"request_id": "walk-c3", "account_id": "nobody-here", **call},
        {"request_id": "walk-c4", "account_id": acme, **call, "channel": "fax"},
        {"request_id": "walk-c5", "account_id": acme, **call, "occurred_at": "yesterday"},
    ]}

    results = operator.post("/v1/calls", batch).json()["results"]

    assert [(r["status"], r["billable"]) for r in results[:3]] == [
        ("accepted", True), ("duplicate", True), ("accepted", False)]
    assert [r["error"]["code"] for r in results[3:]] == ["ACCOUNT_NOT_FOUND", "UNKNOWN_CHANNEL", "VALIDATION_ERROR"]
    assert results[5]["error"]["field"] == "calls[5].occurred_at"


def test_a_call_is_looked_up_with_its_reason(operator: HttpClient, acme: str, call: dict):
    operator.post("/v1/calls", {"calls": [{"request_id": "walk-l1", "account_id": acme, **call,
                                           "return_code": "2015"}]})

    call = operator.get(f"/v1/accounts/{acme}/calls/walk-l1").json()
    missing = operator.get(f"/v1/accounts/{acme}/calls/never-sent")

    assert (call["billable"], call["reason"], call["return_code"]) == (False, "FREE_CODE", "2015")
    assert missing.status == 404


def test_usage_is_live_and_entitlement_answers(operator: HttpClient, acme: str, now: str, call: dict):
    operator.post("/v1/calls", {"calls": [{"request_id": f"walk-u{i}", "account_id": acme, **call}
                                          for i in range(3)]})

    usage = operator.get(f"/v1/accounts/{acme}/usage?date={now[:10]}").json()
    entitled = operator.get(f"/v1/accounts/{acme}/entitlement?channel=enhanced.wechat_miniprogram&source=authority")
    bad_channel = operator.get(f"/v1/accounts/{acme}/entitlement?channel=fax")

    tag = next(t for t in usage["tags"] if t["billing_tag"] == "enhanced_authority_wechat")
    assert usage["settled"] is False
    assert tag["billable_calls"] >= 4 and tag["by_return_code"]["0"] == tag["billable_calls"]
    assert tag["estimated_pack_calls"] == tag["billable_calls"]
    assert entitled.json() == {"allowed": True, "reason": "OK"}
    assert bad_channel.status == 400 and bad_channel.json()["error"]["details"][0]["field"] == "channel"


def test_the_operator_lists_accounts_and_filters_by_status(operator: HttpClient, acme: str):
    listed = operator.get("/v1/accounts?limit=500").json()
    suspended = operator.get("/v1/accounts?status=suspended").json()

    assert acme in [account["account_id"] for account in listed["accounts"]]
    assert acme not in [account["account_id"] for account in suspended["accounts"]]


def test_an_account_key_is_refused_on_another_account_and_on_posting_calls(operator: HttpClient, acme: str,
                                                                           call: dict):
    operator.post("/v1/accounts", {"account_id": "walk-globex", "contacts": {}})
    key = operator.post(f"/v1/accounts/{acme}/keys").json()["api_key"]
    as_acme = operator.with_key(key)

    assert as_acme.get(f"/v1/accounts/{acme}").status == 200
    assert as_acme.get(f"/v1/accounts/{acme}/packs").status == 200
    refused = as_acme.get("/v1/accounts/walk-globex")
    assert refused.status == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    assert as_acme.post("/v1/calls", {"calls": [{"request_id": "x", "account_id": acme, **call}]}).status == 403
    assert as_acme.post(f"/v1/accounts/{acme}/recharges",
                        {"recharge_id": "self", "amount": "1.00", "wallet": "cash"}).status == 403
    assert operator.with_key("fbk_not-a-key").get(f"/v1/accounts/{acme}").status == 401
    assert HttpClient(operator.base_url).get(f"/v1/accounts/{acme}").json()["error"]["code"] == "UNAUTHENTICATED"


def test_calls_sent_through_the_queue_are_recorded_like_posted_ones(local_stack: LocalStack, operator: HttpClient,
                                                                   acme: str, call: dict):
    sqs = local_stack.aws.client("sqs")
    queue_url = local_stack.physical.refs["IngestQueue"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(
        {"calls": [{"request_id": "walk-q1", "account_id": acme, **call}]}))
    local_stack.event_sources.drain()

    call = operator.get(f"/v1/accounts/{acme}/calls/walk-q1")

    assert call.status == 200 and call.json()["billable"] is True
