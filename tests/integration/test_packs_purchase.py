"""POST /v1/accounts/{account_id}/packs: the voucher, then cash, income and gift pay; packs, ledger entries,
the debit and the purchase id in one transaction; pack_delivered published per pack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest

from shared.accounts.models import AccountStatus
from shared.config import settings
from shared.store.accounts import AccountRepository
from shared.store.codec import to_attributes
from tests.integration.test_accounts_support import BillingApi, billing_api

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
TAG = "enhanced_authority_wechat"  # 1,000 calls cost 1,150.00; 10,000 cost 11,000.00


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(NOW) as api:
        api.open_account("acme")
        api.events()
        yield api


def buy(api: BillingApi, purchase_id: str = "p-1", account_id: str = "acme", **fields) -> tuple[int, dict]:
    body = {"purchase_id": purchase_id, "billing_tag": TAG, "size": 1000, **fields}
    return api.post(f"/v1/accounts/{account_id}/packs", body)


def purchased_items(api: BillingApi, account_id: str = "acme") -> list[dict]:
    return [item for item in api.items(settings().packs_table, account_id) if item["origin"] == "purchase"]


def set_wallets(api: BillingApi, cash: str, income: str, gift: str, status: str = "active") -> None:
    """Wallets as other jobs (settlement) may leave them: written directly, balance their sum."""
    wallets = {"cash": Decimal(cash), "income": Decimal(income), "gift": Decimal(gift)}
    api.dynamodb.update_item(
        TableName=settings().accounts_table, Key=to_attributes({"account_id": "acme"}),
        UpdateExpression="SET wallets = :w, balance = :b, #s = :s", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=to_attributes({":w": wallets, ":b": sum(wallets.values()), ":s": status}),
    )


def test_a_purchase_answers_the_packs_and_what_paid_for_them(api):
    api.recharge("acme", "r-1", "20000")

    status, body = buy(api, size=10000)

    assert status == 201
    assert body["paid"] == {"cash": "11000.00", "income": "0.00", "gift": "0.00", "voucher": "0.00"}
    [pack] = body["packs"]
    assert pack == {
        **pack, "billing_tag": TAG, "origin": "purchase", "size": 10000, "remaining": 10000, "used": 0,
        "used_percent": 0.0, "acquired_at": "2026-03-02T10:00:00+08:00", "effective_from": "2026-03-02",
        "expires_at": "2027-03-02T23:59:59+08:00", "status": "active", "refundable": True,
    }
    account = api.get("/v1/accounts/acme")[1]
    assert (account["balance"], account["wallets"]["cash"]) == ("9000.00", "9000.00")


def test_the_voucher_pays_first_then_cash_income_and_gift_with_exact_per_pack_splits(api):
    api.recharge("acme", "r-cash", "1000", "cash")
    api.recharge("acme", "r-income", "1500", "income")
    api.recharge("acme", "r-gift", "2000", "gift")

    status, body = buy(api, quantity=3, voucher_amount="100.01")

    assert status == 201
    assert body["paid"] == {"cash": "1000.00", "income": "1500.00", "gift": "849.99", "voucher": "100.01"}
    paid_by_pack = {item["pack_id"]: item["paid"] for item in purchased_items(api)}
    assert [paid_by_pack[pack["pack_id"]] for pack in body["packs"]] == [
        {"voucher": Decimal("100.01"), "cash": Decimal("1000"), "income": Decimal("49.99"), "gift": Decimal("0")},
        {"voucher": Decimal("0"), "cash": Decimal("0"), "income": Decimal("1150"), "gift": Decimal("0")},
        {"voucher": Decimal("0"), "cash": Decimal("0"), "income": Decimal("300.01"), "gift": Decimal("849.99")},
    ]
    assert api.get("/v1/accounts/acme")[1]["wallets"] == {"cash": "0.00", "income": "0.00", "gift": "1150.01"}


def test_one_ledger_entry_per_wallet_debited_with_negative_amounts(api):
    api.recharge("acme", "r-cash", "1000", "cash")
    api.recharge("acme", "r-gift", "1000", "gift")

    _, body = buy(api)

    entries = [e for e in api.items(settings().ledger_table, "acme") if e["kind"] == "pack_purchase"]
    assert sorted((e["wallet"], e["amount"]) for e in entries) == [("cash", Decimal("-1000")),
                                                                   ("gift", Decimal("-150"))]
    assert {e["ref"] for e in entries} == {"p-1"}
    assert all(e["pack_ids"] == [pack["pack_id"] for pack in body["packs"]] for e in entries)


def test_a_voucher_that_covers_the_whole_price_moves_no_money(api):
    status, body = buy(api, voucher_amount="1150")

    assert status == 201
    assert body["paid"]["voucher"] == "1150.00"
    assert body["paid"] == {"cash": "0.00", "income": "0.00", "gift": "0.00", "voucher": "1150.00"}
    [entry] = api.items(settings().ledger_table, "acme")
    # One entry still, moving nothing, so the purchase has its 明细账单 row with its voucher part.
    assert (entry["kind"], entry["wallet"], entry["amount"], entry["voucher_amount"]) == (
        "pack_purchase", "cash", Decimal("0"), Decimal("1150"))


def test_the_balance_is_always_the_sum_of_the_ledger_and_of_the_wallets(api):
    api.recharge("acme", "r-1", "5000.37", "cash")
    buy(api, "p-1", quantity=2, voucher_amount="0.37")
    api.recharge("acme", "r-2", "999.99", "income")
    api.recharge("acme", "r-3", "12000", "gift")
    buy(api, "p-2", size=10000)
    buy(api, "p-3", quantity=3, voucher_amount="3.33")
    buy(api, "p-3", quantity=3, voucher_amount="3.33")  # a replay moves nothing

    account = api.get("/v1/accounts/acme")[1]
    wallets = {name: Decimal(value) for name, value in account["wallets"].items()}

    assert Decimal(account["balance"]) == api.ledger_sum("acme") == sum(wallets.values())
    assert account["balance"] == "1254.06"  # 5000.37 - 2299.63 + 999.99 + 12000 - 11000 - 3446.67


def test_not_enough_in_the_wallets_is_409_and_nothing_is_stored_nor_the_id_claimed(api):
    api.recharge("acme", "r-1", "1149.99")

    refused = buy(api)
    api.recharge("acme", "r-2", "0.01")
    retried = buy(api)

    assert (refused[0], refused[1]["error"]["code"]) == (409, "INSUFFICIENT_BALANCE")
    assert retried[0] == 201
    assert len(purchased_items(api)) == 1


def test_a_negative_wallet_never_pays_and_a_purchase_never_takes_the_balance_below_zero(api):
    set_wallets(api, cash="-500", income="0", gift="1200")

    refused = buy(api)
    status, body = buy(api, "p-2", voucher_amount="450")

    assert refused[1]["error"]["code"] == "INSUFFICIENT_BALANCE"
    assert status == 201
    assert body["paid"] == {"cash": "0.00", "income": "0.00", "gift": "700.00", "voucher": "450.00"}
    account = api.get("/v1/accounts/acme")[1]
    assert (account["balance"], account["wallets"]["gift"], account["wallets"]["cash"]) == ("0.00", "500.00", "-500.00")


def test_a_concurrent_purchase_cannot_overdraw_the_wallets(api, monkeypatch):
    api.recharge("acme", "r-1", "1150")
    before = AccountRepository(api.dynamodb, settings().accounts_table).get("acme")
    buy(api, "p-1")
    # The second purchase read the account before the first one committed: its write is refused (the account's
    # version moved), it reads again and finds the wallets empty.
    fresh_get = AccountRepository.get
    reads = []

    def stale_first(self, account_id):
        reads.append(account_id)
        return before if len(reads) == 1 else fresh_get(self, account_id)

    monkeypatch.setattr(AccountRepository, "get", stale_first)

    status, body = buy(api, "p-2")

    assert (status, body["error"]["code"]) == (409, "INSUFFICIENT_BALANCE")
    assert len(reads) == 2
    assert len(purchased_items(api)) == 1
    monkeypatch.undo()
    assert api.get("/v1/accounts/acme")[1]["balance"] == "0.00"
    assert api.ledger_sum("acme") == 0


def test_an_account_suspended_meanwhile_cannot_buy(api, monkeypatch):
    api.recharge("acme", "r-1", "5000")
    before = AccountRepository(api.dynamodb, settings().accounts_table).get("acme")
    api.post("/v1/accounts/acme/violations", {"suspend": True})
    monkeypatch.setattr(AccountRepository, "get", lambda self, account_id: before)

    status, body = buy(api)

    assert (status, body["error"]["code"]) == (409, "ACCOUNT_SUSPENDED")
    assert purchased_items(api) == []


@pytest.mark.parametrize("status", [AccountStatus.SUSPENDED, AccountStatus.RELEASED])
def test_a_suspended_or_released_account_cannot_buy(api, status):
    set_wallets(api, cash="5000", income="0", gift="0", status=status.value)

    answer = buy(api)

    assert (answer[0], answer[1]["error"]["code"]) == (409, "ACCOUNT_SUSPENDED")
    assert purchased_items(api) == []


def test_an_account_in_arrears_may_buy_with_a_voucher(api):
    set_wallets(api, cash="-10", income="0", gift="0", status="arrears")

    status, body = buy(api, voucher_amount="1150")

    assert status == 201
    assert body["paid"]["voucher"] == "1150.00"


def test_a_postpaid_only_tag_has_no_packs_409(api):
    api.recharge("acme", "r-1", "5000")

    status, body = api.post("/v1/accounts/acme/packs", {"purchase_id": "p-1", "billing_tag": "nfc_id_reading",
                                                        "size": 1000})

    assert (status, body["error"]["code"]) == (409, "NO_PACKS_FOR_TAG")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"size": 1234}, "size"),
        ({"size": 0}, "size"),
        ({"size": "1000"}, "size"),
        ({"size": 1000.0}, "size"),
        ({"billing_tag": "no_such_tag"}, "billing_tag"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 96}, "quantity"),
        ({"voucher_amount": "1150.01"}, "voucher_amount"),
        ({"voucher_amount": 10}, "voucher_amount"),
        ({"voucher_amount": 10.5}, "voucher_amount"),
        ({"voucher_amount": "-1"}, "voucher_amount"),
        ({"purchase_id": "has space"}, "purchase_id"),
        ({"paid": "0"}, "paid"),
    ],
)
def test_a_malformed_purchase_is_400_and_moves_no_money(api, fields, field):
    api.recharge("acme", "r-1", "5000")

    status, body = buy(api, **fields)

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert [detail["field"] for detail in body["error"]["details"]] == [field]
    assert purchased_items(api) == []
    assert api.get("/v1/accounts/acme")[1]["balance"] == "5000.00"


def test_a_purchase_for_an_unknown_account_is_404(api):
    assert buy(api, account_id="nobody")[1]["error"]["code"] == "NOT_FOUND"


def test_each_pack_delivered_is_published_with_a_stable_event_id(api):
    api.recharge("acme", "r-1", "5000")

    _, body = buy(api, quantity=2)

    events = api.events()
    assert [e["event_type"] for e in events] == ["pack_delivered", "pack_delivered"]
    assert [e["event_id"] for e in events] == [f"pack_delivered#{pack['pack_id']}" for pack in body["packs"]]
    assert [e["detail"]["pack"]["purchase_id"] for e in events] == ["p-1", "p-1"]


def test_the_same_purchase_again_answers_the_first_answer_pays_once_and_republishes(api):
    api.recharge("acme", "r-1", "5000")
    first = buy(api, quantity=2, voucher_amount="10")
    first_events = api.events()
    api.clock.advance(days=1)
    api.post("/v1/accounts/acme/violations", {"suspend": True})

    again = buy(api, quantity=2, voucher_amount="10.00")

    assert again == first
    assert len(purchased_items(api)) == 2
    assert api.get("/v1/accounts/acme")[1]["balance"] == "2710.00"
    assert [e["event_id"] for e in api.events()] == [e["event_id"] for e in first_events]


@pytest.mark.parametrize("other", [{"quantity": 3}, {"size": 10000}, {"voucher_amount": "1"},
                                   {"billing_tag": "basic_authority"}])
def test_the_same_purchase_id_with_another_body_is_409_idempotency_key_reused(api, other):
    api.recharge("acme", "r-1", "50000")
    buy(api)

    status, body = buy(api, **other)

    assert (status, body["error"]["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert len(purchased_items(api)) == 1


def test_a_pack_bought_in_the_early_hours_takes_effect_on_the_billing_date_of_shanghai(api):
    api.recharge("acme", "r-1", "5000")
    api.clock.instant = datetime.fromisoformat("2026-03-02T17:30:00+00:00")  # 01:30 on 03-03 in Shanghai

    _, body = buy(api)

    assert body["packs"][0]["effective_from"] == "2026-03-03"
    assert body["packs"][0]["expires_at"] == "2027-03-03T23:59:59+08:00"
    assert purchased_items(api)[0]["expiry_date"] == "2027-03-03"


def test_93_packs_fit_in_one_purchase(api):
    api.recharge("acme", "r-1", "106950", "cash")

    status, body = buy(api, quantity=93)

    assert status == 201
    assert len(body["packs"]) == 93
    assert api.get("/v1/accounts/acme")[1]["balance"] == "0.00"
