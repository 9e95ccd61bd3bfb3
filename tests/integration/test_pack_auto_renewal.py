"""Pack auto-renewal (自动续费) on moto's copy of template.yaml: PATCH .../packs/{pack_id} through the API function,
and the renewals of the pack-lifecycle job invoked as its schedule does: a renewal bought as a purchase
renew:<pack_id>, a short balance refused and retried daily for 7 days, a suspended account, reruns, a crash between
the purchase and its notice, a missed night."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.config import settings
from shared.pricing import start_of_billing_day
from shared.services.lifecycle import LifecycleRunIncomplete
from shared.store.codec import to_attributes
from shared.store.events import EventPublisher
from tests.integration.test_accounts_support import BillingApi, FakeContext, billing_api
from tests.support import load_event

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOUGHT = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
TAG = "phone_2e"  # 1,000 calls for 380.00
PRICE = Decimal("380.00")
EXPIRY_RUN = date(2027, 3, 3)  # the 00:00 after the pack's last valid instant, 2027-03-02 23:59:59
LAST_RETRY = date(2027, 3, 10)


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(BOUGHT) as api:
        api.open_account("acme", activated_at="2025-01-01T09:00:00+08:00")  # its free packs are born expired
        api.recharge("acme", "r-1", "1000")
        yield api


def buy(api: BillingApi, purchase_id: str = "p-1", *, auto_renew: bool = True) -> str:
    status, body = api.post("/v1/accounts/acme/packs", {"purchase_id": purchase_id, "billing_tag": TAG, "size": 1000})
    assert status == 201, body
    pack_id = body["packs"][0]["pack_id"]
    if auto_renew:
        status, body = api.patch(f"/v1/accounts/acme/packs/{pack_id}", {"auto_renew": True})
        assert (status, body["auto_renew"]) == (200, True), body
    return pack_id


def night(api: BillingApi, day: date) -> dict[str, Any]:
    """The pack-lifecycle run of 00:00 on `day`, with the clock there."""
    from functions.pack_lifecycle.app import handler

    at = start_of_billing_day(day, SHANGHAI)
    api.clock.instant = at
    return handler({**load_event("pack_lifecycle_schedule.json"), "scheduled_at": at.isoformat()}, FakeContext())


def packs(api: BillingApi) -> dict[str, dict[str, Any]]:
    """The bought packs (the free ones were born expired)."""
    status, body = api.get("/v1/accounts/acme/packs")
    assert status == 200, body
    return {pack["pack_id"]: pack for pack in body["packs"] if pack["origin"] == "purchase"}


def pack_item(api: BillingApi, pack_id: str) -> dict[str, Any]:
    return next(item for item in api.items(settings().packs_table, "acme") if item["pack_id"] == pack_id)


def renewal_events(api: BillingApi) -> list[tuple[str, str]]:
    return [(event["event_type"], event["event_id"]) for event in api.events()
            if event["event_type"] in ("pack_renewed", "pack_renewal_failed", "pack_delivered")]


def balance(api: BillingApi) -> Decimal:
    return Decimal(api.get("/v1/accounts/acme")[1]["balance"])


def renewed_pack(api: BillingApi, old_id: str) -> dict[str, Any]:
    [pack] = [pack for pack in packs(api).values() if pack["pack_id"] != old_id and pack["status"] == "active"]
    return pack


def set_balance_to(api: BillingApi, amount: str) -> None:
    """Spend 300.00 (a pack the tests do not renew): 620.00 after the renewing pack's purchase, 320.00 left."""
    status, body = api.post("/v1/accounts/acme/packs", {"purchase_id": "p-spend", "billing_tag": "id_verification",
                                                         "size": 1000})
    assert status == 201, body
    assert balance(api) == Decimal(amount)


def unreachable_for(event_type: str):
    original = EventPublisher.publish

    def publish(self: EventPublisher, events: list) -> None:
        if any(event.event_type == event_type for event in events):
            raise ConnectionError("SNS unreachable")
        original(self, events)

    return publish


# -- the switch


def test_a_bought_pack_is_not_renewed_unless_set_and_the_switch_answers_the_pack(api):
    status, body = api.post("/v1/accounts/acme/packs", {"purchase_id": "p-1", "billing_tag": TAG, "size": 1000})
    pack_id = body["packs"][0]["pack_id"]

    assert body["packs"][0]["auto_renew"] is False
    status, answer = api.patch(f"/v1/accounts/acme/packs/{pack_id}", {"auto_renew": True})
    assert status == 200
    assert answer == {**packs(api)[pack_id], "auto_renew": True}
    assert api.patch(f"/v1/accounts/acme/packs/{pack_id}", {"auto_renew": False})[1]["auto_renew"] is False
    assert packs(api)[pack_id]["auto_renew"] is False


def test_free_quota_and_promotion_packs_refuse_the_switch(api):
    api.open_account("newco")
    free_id = next(iter(api.get("/v1/accounts/newco/packs")[1]["packs"]))["pack_id"]
    gift = api.post("/v1/accounts/acme/grants", {"grant_id": "g-1", "billing_tag": TAG, "size": 100})[1]["pack"]

    for account_id, pack_id in (("newco", free_id), ("acme", gift["pack_id"])):
        status, body = api.patch(f"/v1/accounts/{account_id}/packs/{pack_id}", {"auto_renew": True})
        assert (status, body["error"]["code"]) == (409, "NOT_RENEWABLE_ORIGIN")


def test_an_expired_or_refunded_pack_has_ended(api):
    pack_id = buy(api, auto_renew=False)
    api.dynamodb.update_item(TableName=settings().packs_table, Key=to_attributes({"account_id": "acme",
                                                                                  "pack_id": pack_id}),
                             UpdateExpression="SET #s = :r", ExpressionAttributeNames={"#s": "status"},
                             ExpressionAttributeValues=to_attributes({":r": "refunded"}))
    other = buy(api, "p-2", auto_renew=False)
    api.clock.instant = datetime.fromisoformat("2027-03-03T00:00:00+08:00")  # past its last valid instant

    for ended in (pack_id, other):
        status, body = api.patch(f"/v1/accounts/acme/packs/{ended}", {"auto_renew": True})
        assert (status, body["error"]["code"]) == (409, "PACK_ENDED")


def test_an_unknown_pack_is_404_and_a_bad_body_is_400(api):
    pack_id = buy(api, auto_renew=False)

    assert api.patch("/v1/accounts/acme/packs/pk_nope", {"auto_renew": True})[0] == 404
    for body in ({}, {"auto_renew": "yes"}, {"auto_renew": 1}, {"auto_renew": True, "size": 10}, "not json"):
        status, answer = api.patch(f"/v1/accounts/acme/packs/{pack_id}", body)
        assert (status, answer["error"]["code"]) == (400, "VALIDATION_ERROR"), body
    assert packs(api)[pack_id]["auto_renew"] is False


def test_a_pack_stored_before_auto_renewal_reads_as_off(api):
    pack_id = buy(api)
    api.dynamodb.update_item(TableName=settings().packs_table, Key=to_attributes({"account_id": "acme",
                                                                                  "pack_id": pack_id}),
                             UpdateExpression="REMOVE auto_renew")

    assert packs(api)[pack_id]["auto_renew"] is False


def test_the_renewals_purchase_ids_are_reserved(api):
    status, body = api.post("/v1/accounts/acme/packs", {"purchase_id": "renew:pk_x", "billing_tag": TAG, "size": 1000})

    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")


# -- renewal


def test_the_expiring_run_buys_the_same_pack_again_as_a_purchase_with_auto_renew_on(api):
    old_id = buy(api)
    api.events()

    answer = night(api, EXPIRY_RUN)

    new = renewed_pack(api, old_id)
    assert answer["expired"] == 1
    assert packs(api)[old_id]["status"] == "expired"
    assert (new["billing_tag"], new["size"], new["origin"], new["auto_renew"]) == (TAG, 1000, "purchase", True)
    assert (new["acquired_at"], new["effective_from"], new["expires_at"]) == (
        "2027-03-03T00:00:00+08:00", "2027-03-03", "2028-03-03T23:59:59+08:00")
    assert balance(api) == Decimal("1000") - 2 * PRICE
    assert api.ledger_sum("acme") == balance(api)
    [row] = [row for row in api.get("/v1/accounts/acme/bills/details", month="2027-03")[1]["rows"]
             if row["transaction_type"] == "pack_purchase"]
    assert (row["resource_id"], row["billing_tag"], row["calls"], row["amount"]) == (
        f"renew:{old_id}", TAG, 1000, "380.00")
    [books] = api.get("/v1/reports/revenue", **{"from": "2027-03-03", "to": "2027-03-03", "billing_tag": TAG})[1][
        "rows"]
    assert (books["pack_sales"], books["deferred_closing"]) == ("380.00", "380.00")
    item = pack_item(api, old_id)
    assert ("renewal_due" in item, item["renewed_by"], item["renewal_outcome"]) == (False, new["pack_id"], "renewed")


def test_the_renewal_publishes_pack_delivered_and_pack_renewed_once_and_a_rerun_changes_nothing(api):
    old_id = buy(api)
    api.events()

    night(api, EXPIRY_RUN)
    first = api.events()
    new = renewed_pack(api, old_id)
    before = (packs(api), balance(api), api.items(settings().ledger_table, "acme"))
    night(api, EXPIRY_RUN)

    assert [(event["event_type"], event["event_id"]) for event in first] == [
        ("pack_expired", f"pack_expired#acme#{old_id}"),
        ("pack_delivered", f"pack_delivered#{new['pack_id']}"),
        ("pack_renewed", f"pack_renewed#acme#{old_id}"),
    ]
    assert first[2]["detail"] == {"renewed_pack_id": old_id, "pack_id": new["pack_id"],
                                  "purchase_id": f"renew:{old_id}", "billing_tag": TAG, "size": 1000,
                                  "price": "380.00", "paid": "380.00", "expires_at": "2028-03-03T23:59:59+08:00"}
    assert api.events() == []
    assert (packs(api), balance(api), api.items(settings().ledger_table, "acme")) == before


def test_a_pack_without_auto_renew_just_expires(api):
    buy(api, auto_renew=False)
    api.events()

    night(api, EXPIRY_RUN)

    assert [pack["status"] for pack in packs(api).values()] == ["expired"]
    assert renewal_events(api) == []
    assert balance(api) == Decimal("1000") - PRICE


def test_a_short_balance_is_refused_retried_daily_and_renewed_after_a_recharge(api):
    old_id = buy(api)
    set_balance_to(api, "320.00")  # 60.00 short of 380.00
    api.events()

    night(api, EXPIRY_RUN)
    [failed] = [event for event in api.events() if event["event_type"] == "pack_renewal_failed"]
    night(api, EXPIRY_RUN)  # the same run again
    rerun = renewal_events(api)
    night(api, EXPIRY_RUN + timedelta(days=1))
    second_day = renewal_events(api)
    api.recharge("acme", "r-2", "100")
    night(api, EXPIRY_RUN + timedelta(days=2))
    renewed = renewal_events(api)

    assert failed["event_id"] == f"pack_renewal_failed#acme#{old_id}#2027-03-03"
    assert failed["detail"] == {"pack_id": old_id, "billing_tag": TAG, "size": 1000, "reason": "INSUFFICIENT_BALANCE",
                                "price": "380.00", "balance": "320.00", "shortfall": "60.00",
                                "attempt_date": "2027-03-03", "next_attempt_date": "2027-03-04",
                                "last_retry_date": "2027-03-10"}
    assert rerun == []
    assert second_day == [("pack_renewal_failed", f"pack_renewal_failed#acme#{old_id}#2027-03-04")]
    new = renewed_pack(api, old_id)
    assert renewed == [("pack_delivered", f"pack_delivered#{new['pack_id']}"),
                       ("pack_renewed", f"pack_renewed#acme#{old_id}")]
    assert new["acquired_at"] == "2027-03-05T00:00:00+08:00"
    assert balance(api) == Decimal("420.00") - PRICE
    assert pack_item(api, old_id)["renewal_failed_on"] == "2027-03-04"


def test_a_renewal_refused_every_day_stops_after_its_last_retry_date(api):
    old_id = buy(api)
    set_balance_to(api, "320.00")
    api.events()

    sent = []
    for offset in range(12):
        night(api, EXPIRY_RUN + timedelta(days=offset))
        sent += renewal_events(api)

    days = [event_id.rsplit("#", 1)[1] for _, event_id in sent]
    assert [kind for kind, _ in sent] == ["pack_renewal_failed"] * 8
    assert days == [(EXPIRY_RUN + timedelta(days=n)).isoformat() for n in range(8)]
    assert days[-1] == LAST_RETRY.isoformat()
    item = pack_item(api, old_id)
    assert ("renewal_due" in item, item["renewal_outcome"]) == (False, "stopped")
    api.recharge("acme", "r-2", "1000")
    night(api, EXPIRY_RUN + timedelta(days=12))
    assert renewal_events(api) == []
    assert len(packs(api)) == 2  # the renewing pack and the spend-down one: nothing renewed


def test_the_last_failure_notice_says_no_retry_is_left(api):
    buy(api)
    set_balance_to(api, "320.00")
    api.events()
    for offset in range(8):
        night(api, EXPIRY_RUN + timedelta(days=offset))
    last = [event for event in api.events() if event["event_type"] == "pack_renewal_failed"][-1]

    assert (last["detail"]["attempt_date"], last["detail"]["next_attempt_date"]) == ("2027-03-10", None)


def test_a_suspended_account_is_not_renewed_and_is_told_so(api):
    old_id = buy(api)
    assert api.post("/v1/accounts/acme/violations", {"suspend": True})[0] == 200
    api.events()

    night(api, EXPIRY_RUN)

    [event] = [event for event in api.events() if event["event_type"] == "pack_renewal_failed"]
    assert (event["detail"]["reason"], event["detail"]["shortfall"]) == ("ACCOUNT_SUSPENDED", None)
    assert [pack["status"] for pack in packs(api).values()] == ["expired"]
    assert balance(api) == Decimal("1000") - PRICE
    assert pack_item(api, old_id)["renewal_due"] == "2027-03-04"


def test_a_crash_between_the_purchase_and_its_notice_is_announced_by_the_rerun_without_buying_twice(api, monkeypatch):
    old_id = buy(api)
    api.events()

    with monkeypatch.context() as patch:
        patch.setattr(EventPublisher, "publish", unreachable_for("pack_renewed"))
        with pytest.raises(LifecycleRunIncomplete):
            night(api, EXPIRY_RUN)
    after_crash = (balance(api), pack_item(api, old_id)["renewal_due"])
    api.events()
    night(api, EXPIRY_RUN)

    assert after_crash == (Decimal("1000") - 2 * PRICE, "2027-03-03")
    new = renewed_pack(api, old_id)
    assert renewal_events(api) == [("pack_delivered", f"pack_delivered#{new['pack_id']}"),
                                   ("pack_renewed", f"pack_renewed#acme#{old_id}")]
    assert balance(api) == Decimal("1000") - 2 * PRICE
    assert len(packs(api)) == 2
    assert "renewal_due" not in pack_item(api, old_id)


def test_a_crash_after_the_purchase_on_the_last_retry_day_is_still_announced_the_next_day(api, monkeypatch):
    old_id = buy(api)
    set_balance_to(api, "320.00")
    for offset in range(7):
        night(api, EXPIRY_RUN + timedelta(days=offset))
    api.recharge("acme", "r-2", "100")
    api.events()
    with monkeypatch.context() as patch:
        patch.setattr(EventPublisher, "publish", unreachable_for("pack_renewed"))
        with pytest.raises(LifecycleRunIncomplete):
            night(api, LAST_RETRY)

    night(api, LAST_RETRY + timedelta(days=1))

    assert ("pack_renewed", f"pack_renewed#acme#{old_id}") in renewal_events(api)
    assert pack_item(api, old_id)["renewal_outcome"] == "renewed"
    assert balance(api) == Decimal("420.00") - PRICE


def test_a_crash_between_the_failure_notice_and_its_record_sends_the_same_notice_again(api, monkeypatch):
    old_id = buy(api)
    set_balance_to(api, "320.00")
    api.events()

    from shared.store.packs import PackRepository

    with monkeypatch.context() as patch:
        def crash(*args, **kwargs):
            raise ConnectionError("DynamoDB unreachable")

        patch.setattr(PackRepository, "record_renewal_failed", crash)
        with pytest.raises(LifecycleRunIncomplete):
            night(api, EXPIRY_RUN)
    first = renewal_events(api)
    night(api, EXPIRY_RUN)
    again = renewal_events(api)

    assert first == again == [("pack_renewal_failed", f"pack_renewal_failed#acme#{old_id}#2027-03-03")]
    assert pack_item(api, old_id)["renewal_due"] == "2027-03-04"


def test_a_missed_night_is_tried_once_by_the_next_run(api):
    old_id = buy(api)
    set_balance_to(api, "320.00")
    api.events()

    night(api, EXPIRY_RUN)
    api.events()
    night(api, EXPIRY_RUN + timedelta(days=2))  # 03-04 never fired

    assert renewal_events(api) == [("pack_renewal_failed", f"pack_renewal_failed#acme#{old_id}#2027-03-05")]
    assert pack_item(api, old_id)["renewal_due"] == "2027-03-06"


def test_an_expiry_the_job_missed_renews_at_the_run_that_catches_up(api):
    old_id = buy(api)
    api.events()

    night(api, EXPIRY_RUN + timedelta(days=3))

    new = renewed_pack(api, old_id)
    assert new["acquired_at"] == "2027-03-06T00:00:00+08:00"
    assert ("pack_renewed", f"pack_renewed#acme#{old_id}") in renewal_events(api)
