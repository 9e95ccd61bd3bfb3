"""POST /v1/accounts/{account_id}/grants: an operator's gift pack (活动赠送), idempotent by grant_id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from shared.config import settings
from tests.integration.test_accounts_support import BillingApi, billing_api

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(NOW) as api:
        api.open_account("acme")
        api.events()
        yield api


def grant(api: BillingApi, account_id: str = "acme", **fields) -> tuple[int, dict]:
    body = {"grant_id": "g-1", "billing_tag": "phone_2e", "size": 2500, **fields}
    return api.post(f"/v1/accounts/{account_id}/grants", body)


def test_a_grant_is_a_promotion_pack_valid_from_today_for_365_days_by_default_and_never_refundable(api):
    status, body = grant(api)

    assert status == 201
    assert body["pack"] == {
        **body["pack"], "billing_tag": "phone_2e", "origin": "promotion", "size": 2500, "remaining": 2500,
        "used": 0, "used_percent": 0.0, "acquired_at": "2026-03-02T10:00:00+08:00", "effective_from": "2026-03-02",
        "expires_at": "2027-03-02T10:00:00+08:00", "status": "active", "refundable": False,
    }
    listed = api.get("/v1/accounts/acme/packs")[1]["packs"]
    assert body["pack"] in listed


def test_a_grant_of_valid_days_expires_that_many_days_later_to_the_instant(api):
    _, body = grant(api, valid_days=1, size=1)

    assert body["pack"]["expires_at"] == "2026-03-03T10:00:00+08:00"


def test_a_grant_publishes_pack_delivered(api):
    _, body = grant(api)

    [event] = api.events()

    assert (event["event_type"], event["event_id"]) == ("pack_delivered", f"pack_delivered#{body['pack']['pack_id']}")
    assert event["detail"]["pack"]["grant_id"] == "g-1"


def test_the_same_grant_again_answers_the_same_pack_and_stores_it_once(api):
    first = grant(api)
    api.events()
    api.clock.advance(hours=1)

    again = grant(api, valid_days=365)

    assert again == first
    promotions = [i for i in api.items(settings().packs_table, "acme") if i["origin"] == "promotion"]
    assert len(promotions) == 1
    assert [e["event_id"] for e in api.events()] == [f"pack_delivered#{first[1]['pack']['pack_id']}"]


def test_the_same_grant_id_with_another_body_is_409_idempotency_key_reused(api):
    grant(api)

    status, body = grant(api, size=2501)

    assert (status, body["error"]["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_a_postpaid_only_tag_cannot_be_granted(api):
    status, body = grant(api, billing_tag="face_risk_detection")

    assert (status, body["error"]["code"]) == (409, "NO_PACKS_FOR_TAG")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"billing_tag": "no_such_tag"}, "billing_tag"),
        ({"size": 0}, "size"),
        ({"size": 10_000_001}, "size"),
        ({"valid_days": 0}, "valid_days"),
        ({"valid_days": 3651}, "valid_days"),
        ({"valid_days": "30"}, "valid_days"),
        ({"grant_id": ""}, "grant_id"),
        ({"origin": "purchase"}, "origin"),
    ],
)
def test_a_malformed_grant_is_400(api, fields, field):
    status, body = grant(api, **fields)

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert [d["field"] for d in body["error"]["details"]] == [field]


def test_the_largest_grant_lasts_ten_years(api):
    status, body = grant(api, size=10_000_000, valid_days=3650)

    assert status == 201
    assert body["pack"]["expires_at"] == "2036-02-28T10:00:00+08:00"


def test_a_grant_to_an_unknown_account_is_404_and_claims_no_id(api):
    status, body = grant(api, account_id="nobody")

    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")
    assert api.dynamodb.scan(TableName=settings().idempotency_table)["Items"] == []
