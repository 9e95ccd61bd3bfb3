"""The Accounts endpoints of API.md through the API function: create, read, list, change, violations,
keys and the E证通 free pack."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime

import pytest

from shared.auth.keys import Scope, key_hash
from shared.config import settings
from shared.store.api_keys import ApiKeyRepository
from tests.integration.test_accounts_support import BillingApi, billing_api

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
ACTIVATION_TAGS = {
    "enhanced_authority_wechat", "enhanced_upload_wechat", "enhanced_authority_app", "enhanced_upload_app",
    "enhanced_authority_overlay_h5", "enhanced_upload_overlay_h5", "basic_authority", "basic_upload",
}


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(NOW) as api:
        yield api


def error_code(answer: tuple[int, dict]) -> tuple[int, str]:
    status, body = answer
    return status, body["error"]["code"]


def fields_of(body: dict) -> list[str]:
    return sorted(detail["field"] for detail in body["error"]["details"])


# -- POST /v1/accounts


def test_a_new_account_is_active_daily_postpaid_with_empty_wallets_and_the_defaults(api):
    status, account = api.post("/v1/accounts", {
        "account_id": "acme", "contacts": {"email": "ops@acme.example", "phone": "+8613800000000"},
    })

    assert status == 201
    assert account == {
        "account_id": "acme", "status": "active", "suspension_reason": None, "settlement_cycle": "daily",
        "postpaid_enabled": True, "balance": "0.00", "wallets": {"cash": "0.00", "income": "0.00", "gift": "0.00"},
        "arrears_since": None, "suspend_at": None, "release_at": None,
        "activated_at": "2026-03-02T10:00:00+08:00", "created_at": "2026-03-02T10:00:00+08:00",
        "contacts": {"email": "ops@acme.example", "phone": "+8613800000000"}, "locale": "zh-CN",
        "daily_report": False, "balance_alert": None, "budgets": None, "runway_alert_days": None, "runway_days": 0,
    }
    assert api.get("/v1/accounts/acme") == (200, account)


def test_a_new_account_gets_100_free_calls_of_each_promised_tag_valid_one_year(api):
    api.open_account("acme", locale="en")

    _, body = api.get("/v1/accounts/acme/packs")

    assert {pack["billing_tag"] for pack in body["packs"]} == ACTIVATION_TAGS | {"photo_verification_v2"}
    for pack in body["packs"]:
        assert pack == {
            **pack, "origin": "free_quota", "size": 100, "remaining": 100, "used": 0, "used_percent": 0.0,
            "acquired_at": "2026-03-02T10:00:00+08:00", "effective_from": "2026-03-02",
            "expires_at": "2027-03-02T10:00:00+08:00", "status": "active", "refundable": False,
        }


def test_free_quota_granted_is_published_on_the_topic_with_the_packs(api):
    api.open_account("acme")

    events = api.events()

    assert [event["event_type"] for event in events] == ["free_quota_granted"]
    assert events[0]["account_id"] == "acme"
    assert events[0]["event_id"] == "free_quota_granted#acme#activation"
    assert len(events[0]["detail"]["packs"]) == 9


@pytest.mark.parametrize(
    ("activated_at", "photo_v2"),
    [("2024-05-14T23:59:59+08:00", False), ("2024-05-15T00:00:00+08:00", True), ("2024-05-14T16:00:00Z", True)],
)
def test_the_photo_v2_free_pack_comes_only_with_activations_from_2024_05_15(activated_at, photo_v2):
    with billing_api(datetime.fromisoformat("2024-06-01T12:00:00+08:00")) as api:
        api.open_account("acme", activated_at=activated_at)

        _, body = api.get("/v1/accounts/acme/packs")

    assert ("photo_verification_v2" in {pack["billing_tag"] for pack in body["packs"]}) is photo_v2
    assert len(body["packs"]) == (9 if photo_v2 else 8)


def test_an_account_activated_over_a_year_ago_gets_only_expired_free_packs_and_no_notice(api):
    account = api.open_account("old", activated_at="2025-03-01T09:00:00+08:00")

    _, body = api.get("/v1/accounts/old/packs")

    assert account["activated_at"] == "2025-03-01T09:00:00+08:00"
    assert len(body["packs"]) == 9
    assert {pack["status"] for pack in body["packs"]} == {"expired"}
    assert {pack["expires_at"] for pack in body["packs"]} == {"2026-03-01T09:00:00+08:00"}
    assert api.events() == []
    assert all("expiry_date" not in item for item in api.items(settings().packs_table, "old"))


def test_free_packs_still_within_their_year_stay_active_for_a_past_activation(api):
    api.open_account("moved-in", activated_at="2025-03-03T00:00:00+08:00")

    _, body = api.get("/v1/accounts/moved-in/packs")

    assert {pack["status"] for pack in body["packs"]} == {"active"}
    assert {item["expiry_date"] for item in api.items(settings().packs_table, "moved-in")} == {"2026-03-03"}


@pytest.mark.parametrize(
    ("activated_at", "cycle"),
    [
        ("2023-01-03T23:59:59+08:00", "monthly"),
        ("2023-01-04T00:00:00+08:00", "daily"),
        ("2023-01-03T15:59:59Z", "monthly"),
        ("2023-01-03T16:00:00Z", "daily"),
    ],
)
def test_accounts_activated_before_2023_01_04_settle_monthly_the_rest_daily(api, activated_at, cycle):
    account = api.open_account("acme", activated_at=activated_at)

    assert account["settlement_cycle"] == cycle


def test_activated_at_in_the_future_is_refused_and_nothing_is_stored(api):
    status, body = api.post("/v1/accounts", {"account_id": "acme", "contacts": {},
                                             "activated_at": "2026-03-02T10:00:01+08:00"})

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert fields_of(body) == ["activated_at"]
    assert error_code(api.get("/v1/accounts/acme")) == (404, "NOT_FOUND")
    assert api.items(settings().packs_table, "acme") == []


def test_an_account_id_taken_already_is_409_account_exists_and_changes_nothing(api):
    api.open_account("acme", contacts={"email": "first@acme.example"})

    answer = api.post("/v1/accounts", {"account_id": "acme", "contacts": {"email": "second@acme.example"}})

    assert error_code(answer) == (409, "ACCOUNT_EXISTS")
    assert api.get("/v1/accounts/acme")[1]["contacts"]["email"] == "first@acme.example"
    assert len(api.items(settings().packs_table, "acme")) == 9


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"account_id": "has space", "contacts": {}}, ["account_id"]),
        ({"account_id": "x" * 65, "contacts": {}}, ["account_id"]),
        ({"account_id": "", "contacts": {}}, ["account_id"]),
        ({"account_id": "acme"}, ["contacts"]),
        ({"account_id": "acme", "contacts": {"email": "not-an-email"}}, ["contacts.email"]),
        ({"account_id": "acme", "contacts": {"phone": "13800000000"}}, ["contacts.phone"]),
        ({"account_id": "acme", "contacts": {"phone": "+86 138 0000 0000"}}, ["contacts.phone"]),
        ({"account_id": "acme", "contacts": {"fax": "+8613800000000"}}, ["contacts.fax"]),
        ({"account_id": "acme", "contacts": {}, "locale": "fr"}, ["locale"]),
        ({"account_id": "acme", "contacts": {}, "activated_at": "2026-03-01T10:00:00"}, ["activated_at"]),
        ({"account_id": "acme", "contacts": {}, "activated_at": 1772330400}, ["activated_at"]),
        ({"account_id": "acme", "contacts": {}, "activated_at": "yesterday"}, ["activated_at"]),
        ({"account_id": "acme", "contacts": {}, "balance": "100.00"}, ["balance"]),
    ],
)
def test_a_malformed_new_account_is_400_with_the_field(api, body, fields):
    status, answer = api.post("/v1/accounts", body)

    assert (status, answer["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert fields_of(answer) == fields
    assert api.get("/v1/accounts", limit="500")[1]["accounts"] == []


def test_a_body_that_is_not_json_is_400(api):
    assert error_code(api.post("/v1/accounts", "{not json")) == (400, "VALIDATION_ERROR")


# -- GET /v1/accounts/{account_id}


def test_an_unknown_account_is_404_not_found(api):
    assert error_code(api.get("/v1/accounts/nobody")) == (404, "NOT_FOUND")


def test_an_account_id_that_no_account_can_have_is_400(api):
    status, body = api.get("/v1/accounts/" + "x" * 65)

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert fields_of(body) == ["account_id"]


# -- GET /v1/accounts


def open_accounts(api: BillingApi, count: int) -> list[str]:
    ids = []
    for index in range(count):
        account_id = f"zz-{count - index:03d}"  # ids sort against creation order: the listing must not
        api.open_account(account_id)
        api.clock.advance(seconds=1)
        ids.append(account_id)
    return ids


def test_accounts_are_listed_oldest_first_across_pages_with_an_opaque_cursor(api):
    ids = open_accounts(api, 7)

    pages, cursor = [], None
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        status, body = api.get("/v1/accounts", **query)
        assert status == 200
        pages.append([account["account_id"] for account in body["accounts"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == [ids[0:3], ids[3:6], ids[6:7]]


def test_a_page_that_ends_the_listing_exactly_has_no_cursor(api):
    ids = open_accounts(api, 4)

    _, first = api.get("/v1/accounts", limit="2")
    _, second = api.get("/v1/accounts", limit="2", cursor=first["next_cursor"])

    assert [a["account_id"] for a in first["accounts"] + second["accounts"]] == ids
    assert second["next_cursor"] is None


def test_the_listing_holds_50_accounts_a_page_by_default(api):
    open_accounts(api, 51)

    _, body = api.get("/v1/accounts")

    assert len(body["accounts"]) == 50
    assert body["next_cursor"] is not None


def test_the_status_filter_lists_only_accounts_in_that_status_oldest_first(api):
    ids = open_accounts(api, 5)
    for account_id in (ids[3], ids[1], ids[4]):
        api.post(f"/v1/accounts/{account_id}/violations", {"suspend": True})

    _, first = api.get("/v1/accounts", status="suspended", limit="2")
    _, second = api.get("/v1/accounts", status="suspended", limit="2", cursor=first["next_cursor"])
    _, active = api.get("/v1/accounts", status="active")

    assert [a["account_id"] for a in first["accounts"]] == [ids[1], ids[3]]
    assert [a["account_id"] for a in second["accounts"]] == [ids[4]]
    assert second["next_cursor"] is None
    assert [a["account_id"] for a in active["accounts"]] == [ids[0], ids[2]]
    assert api.get("/v1/accounts", status="arrears")[1] == {"accounts": [], "next_cursor": None}


def cursor_of(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        "e30",  # {}
        cursor_of(["a", "b"]),
        cursor_of({"account_id": "a", "listing": "account"}),
        cursor_of({"account_id": "a", "listing": "other", "created_key": "x"}),
        cursor_of({"account_id": 1, "listing": "account", "created_key": "x"}),
    ],
)
def test_a_cursor_the_listing_did_not_give_out_is_400(api, cursor):
    status, body = api.get("/v1/accounts", cursor=cursor)

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert fields_of(body) == ["cursor"]


def test_a_cursor_of_one_status_is_refused_for_another_listing(api):
    ids = open_accounts(api, 3)
    for account_id in ids:
        api.post(f"/v1/accounts/{account_id}/violations", {"suspend": True})
    _, page = api.get("/v1/accounts", status="suspended", limit="1")

    assert error_code(api.get("/v1/accounts", status="active", cursor=page["next_cursor"])) == (400, "VALIDATION_ERROR")
    assert error_code(api.get("/v1/accounts", cursor=page["next_cursor"])) == (400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("query", "field"), [({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"), ({"limit": "ten"}, "limit"),
                         ({"status": "asleep"}, "status")],
)
def test_bad_listing_parameters_are_400(api, query, field):
    status, body = api.get("/v1/accounts", **query)

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert fields_of(body) == [field]


def test_a_page_may_hold_500_accounts(api):
    assert api.get("/v1/accounts", limit="500") == (200, {"accounts": [], "next_cursor": None})


# -- PATCH /v1/accounts/{account_id}


def test_patch_changes_only_the_fields_given(api):
    api.open_account("acme", contacts={"email": "ops@acme.example", "phone": "+8613800000000"})

    status, account = api.patch("/v1/accounts/acme", {"postpaid_enabled": False, "locale": "en",
                                                      "daily_report": True})

    assert status == 200
    assert (account["postpaid_enabled"], account["locale"], account["daily_report"]) == (False, "en", True)
    assert account["contacts"] == {"email": "ops@acme.example", "phone": "+8613800000000"}
    assert api.get("/v1/accounts/acme") == (200, account)


def test_patch_merges_contacts_and_null_removes_one(api):
    api.open_account("acme", contacts={"email": "ops@acme.example", "phone": "+8613800000000"})

    _, changed = api.patch("/v1/accounts/acme", {"contacts": {"email": "billing@acme.example"}})
    _, removed = api.patch("/v1/accounts/acme", {"contacts": {"phone": None}})

    assert changed["contacts"] == {"email": "billing@acme.example", "phone": "+8613800000000"}
    assert removed["contacts"] == {"email": "billing@acme.example", "phone": None}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["body"]),
        ({"status": "active"}, ["status"]),
        ({"postpaid_enabled": None}, ["postpaid_enabled"]),
        ({"postpaid_enabled": "yes"}, ["postpaid_enabled"]),
        ({"daily_report": 1}, ["daily_report"]),
        ({"locale": "de"}, ["locale"]),
        ({"contacts": {"email": "nope"}}, ["contacts.email"]),
    ],
)
def test_a_malformed_patch_is_400_and_changes_nothing(api, body, fields):
    before = api.open_account("acme")

    status, answer = api.patch("/v1/accounts/acme", body)

    assert (status, answer["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert fields_of(answer) == fields
    assert api.get("/v1/accounts/acme") == (200, before)


def test_patching_an_unknown_account_is_404(api):
    assert error_code(api.patch("/v1/accounts/nobody", {"locale": "en"})) == (404, "NOT_FOUND")


# -- POST /v1/accounts/{account_id}/violations


def test_a_violation_suspends_the_account_and_lifting_it_restores_it(api):
    api.open_account("acme")

    status, suspended = api.post("/v1/accounts/acme/violations", {"suspend": True})
    again = api.post("/v1/accounts/acme/violations", {"suspend": True})
    _, lifted = api.post("/v1/accounts/acme/violations", {"suspend": False})

    assert status == 200
    assert (suspended["status"], suspended["suspension_reason"]) == ("suspended", "violation")
    assert again == (200, suspended)
    assert (lifted["status"], lifted["suspension_reason"]) == ("active", None)


def test_lifting_a_violation_returns_an_account_with_arrears_to_arrears(api):
    api.open_account("acme")
    api.post("/v1/accounts/acme/violations", {"suspend": True})
    # settlement records arrears; here they are written as its run would leave them
    api.dynamodb.update_item(TableName=settings().accounts_table, Key={"account_id": {"S": "acme"}},
                             UpdateExpression="SET arrears_since = :t",
                             ExpressionAttributeValues={":t": {"S": "2026-03-01T16:00:00.000000Z"}})

    _, lifted = api.post("/v1/accounts/acme/violations", {"suspend": False})

    assert (lifted["status"], lifted["suspension_reason"]) == ("arrears", None)
    assert lifted["arrears_since"] == "2026-03-02T00:00:00+08:00"


def test_lifting_when_not_suspended_for_a_violation_is_409(api):
    api.open_account("acme")

    assert error_code(api.post("/v1/accounts/acme/violations", {"suspend": False})) == (
        409, "NOT_SUSPENDED_FOR_VIOLATION")


def test_a_violation_of_an_unknown_account_is_404_and_a_bad_body_400(api):
    api.open_account("acme")

    assert error_code(api.post("/v1/accounts/nobody/violations", {"suspend": True})) == (404, "NOT_FOUND")
    assert error_code(api.post("/v1/accounts/acme/violations", {"suspend": "true"})) == (400, "VALIDATION_ERROR")
    assert error_code(api.post("/v1/accounts/acme/violations", {})) == (400, "VALIDATION_ERROR")


# -- POST /v1/accounts/{account_id}/keys


def test_a_new_account_key_is_shown_once_and_stored_only_hashed(api):
    api.open_account("acme")

    status, body = api.post("/v1/accounts/acme/keys")

    assert status == 201
    key = body["api_key"]
    assert key.startswith("fbk_")
    grant = ApiKeyRepository(api.dynamodb, settings().api_keys_table).find(key_hash(key))
    assert (grant.scope, grant.account_id) == (Scope.ACCOUNT, "acme")
    stored = api.dynamodb.scan(TableName=settings().api_keys_table)["Items"]
    assert key not in json.dumps(stored)
    assert api.post("/v1/accounts/acme/keys")[1]["api_key"] != key


def test_a_key_for_an_unknown_account_is_404_and_nothing_is_stored(api):
    assert error_code(api.post("/v1/accounts/nobody/keys")) == (404, "NOT_FOUND")
    assert api.dynamodb.scan(TableName=settings().api_keys_table)["Items"] == []


# -- POST /v1/accounts/{account_id}/eid-merchant


def test_the_eid_merchant_grant_gives_the_eid_free_pack_once(api):
    api.open_account("acme")
    api.events()
    api.clock.advance(days=3)

    status, body = api.post("/v1/accounts/acme/eid-merchant")
    again = api.post("/v1/accounts/acme/eid-merchant")

    assert status == 201
    assert body["pack"] == {
        **body["pack"], "billing_tag": "eid_authority", "origin": "free_quota", "size": 100, "remaining": 100,
        "acquired_at": "2026-03-05T10:00:00+08:00", "effective_from": "2026-03-05",
        "expires_at": "2027-03-05T10:00:00+08:00", "status": "active", "refundable": False,
    }
    assert error_code(again) == (409, "ALREADY_GRANTED")
    eid_packs = [p for p in api.get("/v1/accounts/acme/packs")[1]["packs"] if p["billing_tag"] == "eid_authority"]
    assert [p["pack_id"] for p in eid_packs] == [body["pack"]["pack_id"]]
    events = api.events()
    assert [(e["event_type"], e["event_id"]) for e in events] == [("free_quota_granted", "free_quota_granted#acme#eid")]
    assert [p["pack_id"] for p in events[0]["detail"]["packs"]] == [body["pack"]["pack_id"]]


def test_the_eid_merchant_grant_of_an_unknown_account_is_404(api):
    assert error_code(api.post("/v1/accounts/nobody/eid-merchant")) == (404, "NOT_FOUND")


def test_patch_adds_contacts_to_an_account_opened_without_any(api):
    api.open_account("acme")

    _, account = api.patch("/v1/accounts/acme", {"contacts": {"phone": "+8613800000000"}})

    assert account["contacts"] == {"email": None, "phone": "+8613800000000"}
