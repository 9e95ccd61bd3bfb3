"""POST /v1/accounts/{account_id}/packs/{pack_id}/refund (退费说明): the refunds function on moto."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from shared.config import settings
from shared.store.codec import to_attributes
from tests.integration.test_arrears_support import Arrears, arrears_api

BOUGHT = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
LAST_SECOND = datetime.fromisoformat("2026-03-09T23:59:59+08:00")  # 23:59:59 of the 7th day after 03-02


@pytest.fixture
def billing() -> Iterator[Arrears]:
    with arrears_api(BOUGHT) as billing:
        billing.api.open_account("acme")
        billing.api.recharge("acme", "r-cash", "1000", "cash")
        billing.api.recharge("acme", "r-income", "1500", "income")
        billing.api.recharge("acme", "r-gift", "2000", "gift")
        billing.api.events()
        yield billing


def bought_pack(billing: Arrears, purchase_id: str = "p-1", **fields) -> str:
    return billing.buy("acme", purchase_id, **fields)["packs"][0]["pack_id"]


def pack_view(billing: Arrears, pack_id: str) -> dict:
    return next(pack for pack in billing.api.get("/v1/accounts/acme/packs")[1]["packs"] if pack["pack_id"] == pack_id)


def code(answer: tuple[int, dict]) -> tuple[int, str]:
    status, body = answer
    return status, body["error"]["code"]


def test_a_refund_gives_each_wallet_back_what_it_paid_and_keeps_the_voucher(billing):
    first, second, third = (pack["pack_id"] for pack in billing.buy("acme", quantity=3, voucher_amount="100.01")[
        "packs"])

    status, body = billing.refund("acme", first)

    assert status == 200
    assert body == {"refund": {"refund_id": "rf-1", "pack_id": first, "amount": "1049.99",
                               "to": {"cash": "1000.00", "income": "49.99", "gift": "0.00"}}}
    account = billing.api.get("/v1/accounts/acme")[1]
    assert account["wallets"] == {"cash": "1000.00", "income": "49.99", "gift": "1150.01"}
    assert billing.refund("acme", third, "rf-3")[1]["refund"]["to"] == {
        "cash": "0.00", "income": "300.01", "gift": "849.99"}
    assert pack_view(billing, second)["status"] == "active"


def test_a_refund_is_one_ledger_entry_per_wallet_and_the_balance_stays_the_sum_of_the_ledger(billing):
    pack_id = billing.buy("acme", quantity=3, voucher_amount="100.01")["packs"][0]["pack_id"]

    billing.refund("acme", pack_id)

    entries = [e for e in billing.api.items(settings().ledger_table, "acme") if e["kind"] == "refund"]
    assert sorted((e["wallet"], e["amount"]) for e in entries) == [("cash", Decimal("1000")),
                                                                   ("income", Decimal("49.99"))]
    assert {(e["ref"], e["pack_id"], e["billing_tag"], e["size"]) for e in entries} == {
        ("rf-1", pack_id, "enhanced_authority_wechat", 1000)}
    balance = Decimal(billing.api.get("/v1/accounts/acme")[1]["balance"])
    assert balance == billing.api.ledger_sum("acme") == Decimal("2200.00")  # 4500.00 - 3349.99 + 1049.99


def test_the_refunded_pack_is_listed_refunded_whole_and_no_longer_refundable(billing):
    pack_id = bought_pack(billing)

    billing.refund("acme", pack_id)

    view = pack_view(billing, pack_id)
    assert (view["status"], view["remaining"], view["refundable"]) == ("refunded", 1000, False)
    item = next(i for i in billing.api.items(settings().packs_table, "acme") if i["pack_id"] == pack_id)
    assert "expiry_date" not in item  # out of the lifecycle job's expiry index


def test_refund_completed_is_published_with_what_the_notice_tells(billing):
    pack_id = bought_pack(billing, voucher_amount="150")
    billing.api.events()

    billing.refund("acme", pack_id)

    [event] = billing.api.events()
    assert event == {
        "event_id": f"refund_completed#{pack_id}", "event_type": "refund_completed", "account_id": "acme",
        "at": "2026-03-02T10:00:00+08:00",
        "detail": {"refund_id": "rf-1", "pack_id": pack_id, "billing_tag": "enhanced_authority_wechat", "size": 1000,
                   "amount": "1000.00", "to": {"cash": "1000.00", "income": "0.00", "gift": "0.00"},
                   "voucher_not_returned": "150.00"},
    }


def test_a_pack_paid_by_voucher_alone_is_refunded_with_nothing_to_give_back(billing):
    pack_id = bought_pack(billing, voucher_amount="1150")

    status, body = billing.refund("acme", pack_id)

    assert (status, body["refund"]["amount"]) == (200, "0.00")
    assert pack_view(billing, pack_id)["status"] == "refunded"
    assert billing.api.get("/v1/accounts/acme")[1]["balance"] == "4500.00"


# -- the window, in the billing time zone


def test_refundable_until_23_59_59_of_the_7th_day_after_the_purchase_day(billing):
    pack_id = bought_pack(billing)
    billing.api.clock.instant = LAST_SECOND

    assert billing.refund("acme", pack_id)[0] == 200


def test_refused_from_00_00_of_the_8th_day(billing):
    pack_id = bought_pack(billing)
    billing.api.clock.instant = LAST_SECOND + timedelta(seconds=1)

    assert code(billing.refund("acme", pack_id)) == (409, "REFUND_WINDOW_CLOSED")
    assert pack_view(billing, pack_id)["status"] == "active"


# -- every refusal with its own code


def test_a_used_pack_is_409_pack_used(billing):
    pack_id = bought_pack(billing)
    billing.api.dynamodb.update_item(  # one call deducted, as a settlement does
        TableName=settings().packs_table, Key=to_attributes({"account_id": "acme", "pack_id": pack_id}),
        UpdateExpression="SET remaining = :left", ExpressionAttributeValues=to_attributes({":left": 999}))

    assert code(billing.refund("acme", pack_id)) == (409, "PACK_USED")


def test_free_quota_and_promotion_packs_are_409_not_refundable_origin(billing):
    free = billing.api.get("/v1/accounts/acme/packs")[1]["packs"][0]
    _, gift = billing.api.post("/v1/accounts/acme/grants",
                               {"grant_id": "g-1", "billing_tag": "phone_2e", "size": 500})

    assert free["origin"] == "free_quota"
    assert code(billing.refund("acme", free["pack_id"])) == (409, "NOT_REFUNDABLE_ORIGIN")
    assert code(billing.refund("acme", gift["pack"]["pack_id"], "rf-2")) == (409, "NOT_REFUNDABLE_ORIGIN")


def test_an_account_suspended_for_a_violation_is_409_account_suspended_for_violation(billing):
    pack_id = bought_pack(billing)
    billing.api.post("/v1/accounts/acme/violations", {"suspend": True})

    refused = billing.refund("acme", pack_id)
    billing.api.post("/v1/accounts/acme/violations", {"suspend": False})

    assert code(refused) == (409, "ACCOUNT_SUSPENDED_FOR_VIOLATION")
    assert billing.refund("acme", pack_id)[0] == 200  # the refused refund_id was not used up


def test_a_second_refund_of_the_same_pack_is_409_already_refunded(billing):
    pack_id = bought_pack(billing)
    billing.refund("acme", pack_id, "rf-1")

    assert code(billing.refund("acme", pack_id, "rf-2")) == (409, "ALREADY_REFUNDED")
    assert billing.api.get("/v1/accounts/acme")[1]["balance"] == "4500.00"


def test_an_unknown_pack_or_account_is_404(billing):
    pack_id = bought_pack(billing)

    assert code(billing.refund("acme", "pk_nothing")) == (404, "NOT_FOUND")
    assert code(billing.refund("nobody", pack_id)) == (404, "NOT_FOUND")


@pytest.mark.parametrize(("body", "field"), [({}, "refund_id"), ({"refund_id": "r 1"}, "refund_id"),
                                             ({"refund_id": "rf-1", "amount": "1"}, "amount")])
def test_a_malformed_request_is_400_and_refunds_nothing(billing, body, field):
    pack_id = bought_pack(billing)

    status, answer = billing.refund_request("acme", pack_id, body)

    assert (status, answer["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert [detail["field"] for detail in answer["error"]["details"]] == [field]
    assert pack_view(billing, pack_id)["status"] == "active"


# -- idempotency


def test_the_same_refund_again_answers_the_first_answer_moves_money_once_and_republishes(billing):
    pack_id = bought_pack(billing)
    billing.api.events()
    first = billing.refund("acme", pack_id)
    published = billing.api.events()
    billing.api.clock.advance(days=30)

    again = billing.refund("acme", pack_id)

    assert again == first
    assert billing.api.events() == published
    assert billing.api.get("/v1/accounts/acme")[1]["balance"] == "4500.00"
    assert sorted(e["wallet"] for e in billing.api.items(settings().ledger_table, "acme") if e["kind"] == "refund") == [
        "cash", "income"]


def test_the_same_refund_id_for_another_pack_is_409_idempotency_key_reused(billing):
    first, other = bought_pack(billing, "p-1"), bought_pack(billing, "p-2")
    billing.refund("acme", first)

    assert code(billing.refund("acme", other)) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert pack_view(billing, other)["status"] == "active"


# -- a refund ends arrears as a recharge does


def test_a_refund_that_leaves_the_balance_at_zero_or_above_restores_an_account_in_arrears(billing):
    pack_id = bought_pack(billing)  # 1,150.00 cash gone: 3,350.00 left
    billing.put_in_arrears("acme", "4000", BOUGHT + timedelta(hours=1))  # -650.00
    billing.check(BOUGHT + timedelta(hours=25))  # suspended
    billing.api.events()

    billing.refund("acme", pack_id)

    account = billing.api.get("/v1/accounts/acme")[1]
    assert (account["status"], account["balance"], account["arrears_since"]) == ("active", "500.00", None)
    refunded, restored = billing.api.events()
    assert refunded["event_type"] == "refund_completed"
    assert (restored["event_id"], restored["detail"]["ended_stage"], restored["detail"]["cause"]) == (
        "restored#acme#refund#rf-1", "suspended", "refund")
    assert billing.deadline("acme") == (None, None, None)
    assert billing.api.ledger_sum("acme") == Decimal("500.00")
