"""POST /v1/accounts/{account_id}/recharges: a wallet credit booked in the ledger in the same transaction,
idempotent by recharge_id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest

from shared.config import settings
from tests.integration.test_accounts_support import BillingApi, billing_api

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(NOW) as api:
        api.open_account("acme")
        yield api


def recharge(api: BillingApi, body: dict, account_id: str = "acme") -> tuple[int, dict]:
    return api.post(f"/v1/accounts/{account_id}/recharges", body)


def test_a_recharge_credits_the_wallet_and_the_balance_and_answers_the_account(api):
    status, account = recharge(api, {"recharge_id": "r-1", "amount": "1000.5", "wallet": "income"})

    assert status == 200
    assert account["balance"] == "1000.50"
    assert account["wallets"] == {"cash": "0.00", "income": "1000.50", "gift": "0.00"}
    assert api.get("/v1/accounts/acme") == (200, account)


def test_a_recharge_is_booked_as_one_ledger_entry(api):
    recharge(api, {"recharge_id": "r-1", "amount": "300", "wallet": "gift"})

    [entry] = api.items(settings().ledger_table, "acme")

    assert entry == {**entry, "kind": "recharge", "wallet": "gift", "amount": Decimal("300"), "ref": "r-1",
                     "at": "2026-03-02T02:00:00.000000Z"}
    assert entry["entry_id"] == "2026-03-02T02:00:00.000000Z#recharge#r-1#gift"


def test_the_same_recharge_again_answers_the_first_answer_and_credits_once(api):
    first = recharge(api, {"recharge_id": "r-1", "amount": "100.00", "wallet": "cash"})
    recharge(api, {"recharge_id": "r-2", "amount": "5", "wallet": "cash"})
    api.clock.advance(minutes=5)

    again = recharge(api, {"recharge_id": "r-1", "amount": "100", "wallet": "cash"})

    assert again == first
    assert first[1]["balance"] == "100.00"
    assert api.get("/v1/accounts/acme")[1]["balance"] == "105.00"
    assert len(api.items(settings().ledger_table, "acme")) == 2


@pytest.mark.parametrize("other", [{"amount": "100.01", "wallet": "cash"}, {"amount": "100", "wallet": "gift"}])
def test_the_same_recharge_id_with_another_body_is_409_idempotency_key_reused(api, other):
    recharge(api, {"recharge_id": "r-1", "amount": "100", "wallet": "cash"})

    status, body = recharge(api, {"recharge_id": "r-1", **other})

    assert (status, body["error"]["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert api.get("/v1/accounts/acme")[1]["balance"] == "100.00"


def test_a_recharge_id_is_per_account(api):
    api.open_account("globex")

    recharge(api, {"recharge_id": "r-1", "amount": "100", "wallet": "cash"})
    status, other = recharge(api, {"recharge_id": "r-1", "amount": "7", "wallet": "cash"}, account_id="globex")

    assert (status, other["balance"]) == (200, "7.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"recharge_id": "r-1", "amount": 100, "wallet": "cash"}, "amount"),
        ({"recharge_id": "r-1", "amount": 100.5, "wallet": "cash"}, "amount"),
        ({"recharge_id": "r-1", "amount": "0", "wallet": "cash"}, "amount"),
        ({"recharge_id": "r-1", "amount": "-5", "wallet": "cash"}, "amount"),
        ({"recharge_id": "r-1", "amount": "1.001", "wallet": "cash"}, "amount"),
        ({"recharge_id": "r-1", "amount": "1e3", "wallet": "cash"}, "amount"),
        ({"recharge_id": "r-1", "amount": "10", "wallet": "voucher"}, "wallet"),
        ({"recharge_id": "", "amount": "10", "wallet": "cash"}, "recharge_id"),
        ({"recharge_id": "r 1", "amount": "10", "wallet": "cash"}, "recharge_id"),
        ({"amount": "10", "wallet": "cash"}, "recharge_id"),
        ({"recharge_id": "r-1", "amount": "10", "wallet": "cash", "note": "x"}, "note"),
    ],
)
def test_a_malformed_recharge_is_400_and_moves_no_money(api, body, field):
    status, answer = recharge(api, body)

    assert (status, answer["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert [detail["field"] for detail in answer["error"]["details"]] == [field]
    assert api.items(settings().ledger_table, "acme") == []
    assert api.get("/v1/accounts/acme")[1]["balance"] == "0.00"


def test_a_recharge_of_an_unknown_account_is_404_and_claims_no_id(api):
    status, body = recharge(api, {"recharge_id": "r-1", "amount": "10", "wallet": "cash"}, account_id="nobody")

    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")
    assert api.dynamodb.scan(TableName=settings().idempotency_table)["Items"] == []


def test_a_recharge_leaves_a_suspension_for_a_violation_in_place(api):
    api.post("/v1/accounts/acme/violations", {"suspend": True})

    _, account = recharge(api, {"recharge_id": "r-1", "amount": "10", "wallet": "cash"})

    assert (account["status"], account["suspension_reason"], account["balance"]) == ("suspended", "violation", "10.00")
