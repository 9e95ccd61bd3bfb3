"""GET /v1/accounts/{account_id}/packs: every pack in deduction order, its status and refundability as
of the clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from shared.config import settings
from shared.store.codec import to_attributes
from tests.integration.test_accounts_support import BillingApi, billing_api

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
TAG = "enhanced_authority_wechat"


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(NOW) as api:
        api.open_account("acme")
        api.recharge("acme", "r-1", "100000")
        yield api


def buy(api: BillingApi, purchase_id: str, size: int = 1000, tag: str = TAG) -> dict:
    status, body = api.post("/v1/accounts/acme/packs", {"purchase_id": purchase_id, "billing_tag": tag,
                                                        "size": size})
    assert status == 201, body
    return body["packs"][0]


def grant(api: BillingApi, grant_id: str, valid_days: int, tag: str = TAG) -> dict:
    status, body = api.post("/v1/accounts/acme/grants", {"grant_id": grant_id, "billing_tag": tag, "size": 50,
                                                         "valid_days": valid_days})
    assert status == 201, body
    return body["pack"]


def packs(api: BillingApi, **query: str) -> list[dict]:
    status, body = api.get("/v1/accounts/acme/packs", **query)
    assert status == 200, body
    return body["packs"]


def record(api: BillingApi, pack_id: str, **values) -> None:
    """Write pack fields as settlement, expiry or refund jobs would."""
    names = {f"#{name}": name for name in values}
    api.dynamodb.update_item(
        TableName=settings().packs_table, Key=to_attributes({"account_id": "acme", "pack_id": pack_id}),
        UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=to_attributes({f":{name}": value for name, value in values.items()}),
    )


def test_packs_come_in_deduction_order_gifted_first_then_the_first_to_expire(api):
    bought_first = buy(api, "p-1")
    api.clock.advance(days=1)
    bought_later = buy(api, "p-2")
    short_gift = grant(api, "g-short", valid_days=30)
    long_gift = grant(api, "g-long", valid_days=3650)

    listed = packs(api)

    origins = [pack["origin"] for pack in listed]
    assert origins == ["promotion"] + ["free_quota"] * 9 + ["promotion", "purchase", "purchase"]
    assert listed[0]["pack_id"] == short_gift["pack_id"]
    assert listed[10]["pack_id"] == long_gift["pack_id"]
    assert [pack["pack_id"] for pack in listed[11:]] == [bought_first["pack_id"], bought_later["pack_id"]]


def test_a_used_pack_shows_used_calls_and_a_one_decimal_percentage_and_is_no_longer_refundable(api):
    pack = buy(api, "p-1")
    record(api, pack["pack_id"], remaining=875)

    [listed] = [p for p in packs(api) if p["pack_id"] == pack["pack_id"]]

    assert (listed["remaining"], listed["used"], listed["used_percent"]) == (875, 125, 12.5)
    assert (listed["status"], listed["refundable"]) == ("active", False)


def test_a_bought_pack_is_refundable_until_the_end_of_the_7th_day_after_its_purchase_day(api):
    pack = buy(api, "p-1")

    api.clock.instant = datetime.fromisoformat("2026-03-09T23:59:59+08:00")
    last_moment = packs(api, status="active")[-1]
    api.clock.instant = datetime.fromisoformat("2026-03-10T00:00:00+08:00")
    closed = packs(api, status="active")[-1]

    assert (last_moment["pack_id"], last_moment["refundable"]) == (pack["pack_id"], True)
    assert (closed["pack_id"], closed["refundable"]) == (pack["pack_id"], False)


def test_an_account_suspended_for_a_violation_has_nothing_refundable(api):
    buy(api, "p-1")

    api.post("/v1/accounts/acme/violations", {"suspend": True})
    while_suspended = packs(api)[-1]["refundable"]
    api.post("/v1/accounts/acme/violations", {"suspend": False})

    assert while_suspended is False
    assert packs(api)[-1]["refundable"] is True


def test_status_is_refunded_over_expired_over_exhausted_over_active(api):
    refunded = buy(api, "p-refunded")
    exhausted = buy(api, "p-exhausted")
    exhausted_and_refunded = buy(api, "p-both")
    record(api, refunded["pack_id"], status="refunded")
    record(api, exhausted["pack_id"], remaining=0)
    record(api, exhausted_and_refunded["pack_id"], remaining=0, status="refunded")

    statuses = {p["pack_id"]: p["status"] for p in packs(api)}
    api.clock.instant = datetime.fromisoformat("2027-03-03T00:00:00+08:00")  # every pack has run out by now
    later = {p["pack_id"]: p["status"] for p in packs(api)}

    assert statuses[refunded["pack_id"]] == "refunded"
    assert statuses[exhausted["pack_id"]] == "exhausted"
    assert statuses[exhausted_and_refunded["pack_id"]] == "refunded"
    assert later[refunded["pack_id"]] == "refunded"
    assert later[exhausted["pack_id"]] == "expired"
    assert {status for pack_id, status in later.items() if pack_id not in (refunded["pack_id"],
            exhausted_and_refunded["pack_id"])} == {"expired"}


def test_a_pack_is_valid_to_its_last_second(api):
    pack = buy(api, "p-1")

    api.clock.instant = datetime.fromisoformat("2027-03-02T23:59:59+08:00")
    at_the_end = packs(api)[-1]
    api.clock.advance(seconds=1)
    after = packs(api)[-1]

    assert (at_the_end["pack_id"], at_the_end["status"]) == (pack["pack_id"], "active")
    assert after["status"] == "expired"


def test_the_status_filter_keeps_only_packs_in_that_status(api):
    exhausted = buy(api, "p-1")
    record(api, exhausted["pack_id"], remaining=0)

    assert [p["pack_id"] for p in packs(api, status="exhausted")] == [exhausted["pack_id"]]
    assert len(packs(api, status="active")) == 9
    assert packs(api, status="refunded") == []


def test_an_unknown_status_is_400_and_an_unknown_account_404(api):
    status, body = api.get("/v1/accounts/acme/packs", status="used")

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert [d["field"] for d in body["error"]["details"]] == ["status"]
    assert api.get("/v1/accounts/nobody/packs")[1]["error"]["code"] == "NOT_FOUND"
