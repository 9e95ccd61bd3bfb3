"""The pack-lifecycle job on moto's copy of template.yaml, invoked with EventBridge Scheduler's input: pack_expiring
7 days ahead, expiry at the first run after the last valid instant with its breakage, reruns, crashes, missed runs,
daily reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.config import settings
from shared.instants import parse_instant
from shared.pricing import SettlementCycle
from shared.services.lifecycle import LifecycleRunIncomplete
from shared.settlement.models import Bill, BillLine
from shared.store.bills import BillRepository
from shared.store.codec import to_attributes
from shared.store.events import EventPublisher
from shared.store.transactions import TransactionWriter
from tests.integration.test_accounts_support import BillingApi, FakeContext, billing_api
from tests.support import load_event

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
TAG = "enhanced_authority_wechat"
# Activated over a year ago, so its free packs are born expired and only the packs a test adds are live.
ACTIVATED_LONG_AGO = "2025-01-01T09:00:00+08:00"
MONTHLY_ACTIVATION = "2022-06-01T09:00:00+08:00"  # before 2023-01-04: settles monthly


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(NOW) as api:
        api.open_account("acme", activated_at=ACTIVATED_LONG_AGO)
        api.recharge("acme", "r-1", "10000")
        yield api


def run(at: str) -> dict[str, Any]:
    """One invocation of the job as the schedule sends it, for the scheduled instant `at`."""
    from functions.pack_lifecycle.app import handler

    event = {**load_event("pack_lifecycle_schedule.json"), "scheduled_at": at}
    return handler(event, FakeContext())


def buy(api: BillingApi, purchase_id: str = "p-1") -> str:
    status, body = api.post("/v1/accounts/acme/packs", {"purchase_id": purchase_id, "billing_tag": TAG, "size": 1000})
    assert status == 201, body
    return body["packs"][0]["pack_id"]


def grant(api: BillingApi, grant_id: str, valid_days: int, account_id: str = "acme") -> str:
    status, body = api.post(f"/v1/accounts/{account_id}/grants",
                            {"grant_id": grant_id, "billing_tag": TAG, "size": 100, "valid_days": valid_days})
    assert status == 201, body
    return body["pack"]["pack_id"]


def pack_item(api: BillingApi, pack_id: str) -> dict[str, Any]:
    return next(item for item in api.items(settings().packs_table, "acme") if item["pack_id"] == pack_id)


def set_remaining(api: BillingApi, pack_id: str, remaining: int) -> None:
    """What settlement's deductions leave of a pack."""
    api.dynamodb.update_item(TableName=settings().packs_table,
                             Key=to_attributes({"account_id": "acme", "pack_id": pack_id}),
                             UpdateExpression="SET remaining = :r",
                             ExpressionAttributeValues=to_attributes({":r": remaining}))


def breakage_entries(api: BillingApi) -> list[dict[str, Any]]:
    return [entry for entry in api.items(settings().ledger_table, "acme") if entry["kind"] == "pack_breakage"]


def unreachable_topic(self: EventPublisher, events: list) -> None:
    raise ConnectionError("SNS unreachable")


def kinds_and_packs(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["event_type"], event["detail"]["pack_id"]) for event in events]


# -- pack_expiring


def test_pack_expiring_is_published_when_the_expiry_date_is_7_days_ahead_not_8_and_not_again_at_6(api):
    pack_id = buy(api)  # expires 2027-03-02 23:59:59
    api.events()

    run("2027-02-21T16:00:00Z")  # 2027-02-22 00:00 in Shanghai: 8 days ahead
    eight_days_ahead = api.events()
    answer = run("2027-02-22T16:00:00Z")  # 7 days ahead
    seven_days_ahead = api.events()
    run("2027-02-23T16:00:00Z")  # 6 days ahead

    assert eight_days_ahead == []
    assert answer == {"run_at": "2027-02-23T00:00:00+08:00", "expired": 0, "warned": 1, "daily_reports": 0}
    [event] = seven_days_ahead
    assert (event["event_id"], event["event_type"], event["account_id"]) == (
        f"pack_expiring#acme#{pack_id}", "pack_expiring", "acme")
    assert event["detail"] == {"pack_id": pack_id, "billing_tag": TAG, "origin": "purchase", "size": 1000,
                               "expires_at": "2027-03-02T23:59:59+08:00", "remaining": 1000, "days_left": 7}
    assert api.events() == []
    assert pack_item(api, pack_id)["expiring_notified_at"].startswith("2027-02-22T16:00:00")


def test_a_pack_with_nothing_left_gets_no_expiring_notice_but_its_expiry_is_announced(api):
    pack_id = buy(api)
    set_remaining(api, pack_id, 0)
    api.events()

    run("2027-02-22T16:00:00Z")
    warned = api.events()
    run("2027-03-02T16:00:00Z")

    assert warned == []
    [event] = api.events()
    assert (event["event_type"], event["detail"]["unused_calls"]) == ("pack_expired", 0)
    assert [entry["calls"] for entry in breakage_entries(api)] == [0]


# -- expiry


def test_a_bought_pack_expires_at_the_first_run_after_23_59_59_of_its_date_a_gift_after_its_instant(api):
    bought_id = buy(api)  # expires 2027-03-02 23:59:59
    gift_id = grant(api, "g-1", 365)  # expires 2027-03-02 10:00:00, a year after it was granted
    api.events()

    run("2027-03-02T15:59:59Z")  # 23:59:59 in Shanghai, e.g. a manual run
    at_23_59_59 = kinds_and_packs(api.events())
    run("2027-03-02T16:00:00Z")  # the next 00:00
    at_00_00 = kinds_and_packs(api.events())

    assert ("pack_expired", gift_id) in at_23_59_59
    assert ("pack_expired", bought_id) not in at_23_59_59
    assert at_00_00 == [("pack_expired", bought_id)]
    bought = pack_item(api, bought_id)
    assert (bought["status"], bought["remaining"], bought["unused_at_expiry"]) == ("expired", 1000, 1000)
    assert "expiry_date" not in bought  # out of the expiry index
    _, listed = api.get("/v1/accounts/acme/packs", status="expired")
    assert {bought_id, gift_id} <= {pack["pack_id"] for pack in listed["packs"]}


def test_expiry_books_the_unused_calls_as_a_breakage_entry_of_amount_zero_and_the_balance_still_sums(api):
    pack_id = buy(api)
    set_remaining(api, pack_id, 400)  # settlement took 600
    balance_before = api.get("/v1/accounts/acme")[1]["balance"]
    api.events()

    run("2027-03-02T16:00:00Z")

    [entry] = breakage_entries(api)
    assert (entry["amount"], entry["wallet"], entry["ref"]) == (Decimal("0.00"), "cash", pack_id)
    assert (entry["pack_id"], entry["billing_tag"], entry["calls"], entry["size"]) == (pack_id, TAG, 400, 1000)
    assert entry["at"].startswith("2027-03-02T15:59:59")  # the pack's last valid instant
    [event] = api.events()
    assert (event["event_id"], event["detail"]["unused_calls"]) == (f"pack_expired#acme#{pack_id}", 400)
    assert api.get("/v1/accounts/acme")[1]["balance"] == balance_before
    assert api.ledger_sum("acme") == Decimal(balance_before)


def test_settlement_may_still_deduct_the_last_days_calls_from_a_pack_it_expired(api):
    pack_id = buy(api)
    run("2027-03-02T16:00:00Z")

    # Settlement deducts what it read, conditioned on that value: the expiry did not touch it.
    api.dynamodb.update_item(
        TableName=settings().packs_table, Key=to_attributes({"account_id": "acme", "pack_id": pack_id}),
        UpdateExpression="SET remaining = :new", ConditionExpression="remaining = :read",
        ExpressionAttributeValues=to_attributes({":new": 990, ":read": 1000}),
    )

    assert (pack_item(api, pack_id)["remaining"], pack_item(api, pack_id)["status"]) == (990, "expired")


def test_a_rerun_books_nothing_twice_and_publishes_nothing_new(api):
    buy(api, "p-1")
    buy(api, "p-2")
    api.events()
    run("2027-03-02T16:00:00Z")
    first = api.events()

    answer = run("2027-03-02T16:00:00Z")

    assert len(first) == 2
    assert answer["expired"] == 0
    assert api.events() == []
    assert len(breakage_entries(api)) == 2


def test_a_crash_between_the_commit_and_the_publication_is_made_good_by_the_next_run(api, monkeypatch):
    pack_id = buy(api)
    api.events()

    with monkeypatch.context() as patch:
        patch.setattr(EventPublisher, "publish", unreachable_topic)
        with pytest.raises(LifecycleRunIncomplete):
            run("2027-03-02T16:00:00Z")
    committed = pack_item(api, pack_id)
    published_by_the_crashed_run = api.events()
    answer = run("2027-03-02T16:00:00Z")

    assert (committed["status"], committed["expiry_date"]) == ("expired", "2027-03-02")  # still in the index
    assert len(breakage_entries(api)) == 1
    assert published_by_the_crashed_run == []
    assert answer["expired"] == 1
    assert kinds_and_packs(api.events()) == [("pack_expired", pack_id)]
    assert "expiry_date" not in pack_item(api, pack_id)
    assert len(breakage_entries(api)) == 1


def test_the_event_republished_after_a_crash_states_the_breakage_booked_even_after_a_later_deduction(
        api, monkeypatch):
    pack_id = buy(api)
    set_remaining(api, pack_id, 700)
    with monkeypatch.context() as patch:
        patch.setattr(EventPublisher, "publish", unreachable_topic)
        with pytest.raises(LifecycleRunIncomplete):
            run("2027-03-02T16:00:00Z")
    set_remaining(api, pack_id, 650)  # the last day's calls, settled after the expiry
    api.events()

    run("2027-03-03T16:00:00Z")

    [event] = api.events()
    assert event["detail"]["unused_calls"] == 700
    assert [entry["calls"] for entry in breakage_entries(api)] == [700]


def test_a_pack_that_fails_does_not_hold_up_the_others_and_is_done_by_the_next_run(api, monkeypatch):
    failing = grant(api, "g-1", 364)  # expires 2027-03-01 10:00
    other = buy(api)  # expires 2027-03-02 23:59:59
    api.events()
    publish = EventPublisher.publish

    def unreachable_for_the_first(self: EventPublisher, events: list) -> None:
        if any(event.detail["pack_id"] == failing for event in events):
            raise ConnectionError("SNS unreachable")
        publish(self, events)

    with monkeypatch.context() as patch:
        patch.setattr(EventPublisher, "publish", unreachable_for_the_first)
        with pytest.raises(LifecycleRunIncomplete):
            run("2027-03-02T16:00:00Z")
    during_the_failure = kinds_and_packs(api.events())
    run("2027-03-03T16:00:00Z")

    assert during_the_failure == [("pack_expired", other)]
    assert kinds_and_packs(api.events()) == [("pack_expired", failing)]


# -- missed runs


def test_runs_that_were_missed_are_made_good_by_the_next_run(api):
    expiring_early = grant(api, "g-early", 360)  # expires 2027-02-25 10:00
    expiring_later = buy(api)  # expires 2027-03-02 23:59:59
    api.events()
    run("2027-02-17T16:00:00Z")  # the last run before an outage: 2027-02-18
    assert kinds_and_packs(api.events()) == [("pack_expiring", expiring_early)]

    run("2027-02-27T16:00:00Z")  # the next: 2027-02-28, nine runs later

    assert kinds_and_packs(api.events()) == [("pack_expired", expiring_early), ("pack_expiring", expiring_later)]
    assert pack_item(api, expiring_early)["status"] == "expired"
    assert [entry["ref"] for entry in breakage_entries(api)] == [expiring_early]


def test_a_run_records_the_last_expiry_date_it_has_done_for_the_next_run_to_start_after(api):
    run("2027-02-16T16:00:00Z")
    item = api.dynamodb.get_item(TableName=settings().packs_table,
                                 Key=to_attributes({"account_id": "#lifecycle", "pack_id": "expiries"}))["Item"]

    assert item["done_through"] == {"S": "2027-02-16"}


# -- daily reports


def write_usage(api: BillingApi, account_id: str, day: date, calls: int, billable: int) -> None:
    api.dynamodb.put_item(TableName=settings().usage_table, Item=to_attributes(
        {"account_id": account_id, "usage_key": f"{day.isoformat()}#{TAG}", "calls": calls, "billable": billable}))


def write_bill(api: BillingApi, account_id: str, day: date, amount: str) -> None:
    line = BillLine(day, TAG, 10, (), 10, Decimal("1.20"), Decimal(amount))
    bill = Bill(account_id, SettlementCycle.DAILY, day, day, parse_instant("2027-03-02T00:00:01+08:00"), (line,))
    TransactionWriter(api.dynamodb).commit([BillRepository(api.dynamodb, settings().bills_table).add(bill)])


def test_daily_reports_go_to_the_subscribers_only_with_yesterdays_calls_and_charges(api):
    api.open_account("beta", activated_at=MONTHLY_ACTIVATION)
    api.open_account("gamma", activated_at=ACTIVATED_LONG_AGO)
    for account_id in ("acme", "beta"):
        assert api.patch(f"/v1/accounts/{account_id}", {"daily_report": True})[0] == 200
    pack_id = buy(api)
    yesterday = date(2027, 1, 9)
    write_usage(api, "acme", yesterday, 12, 10)
    write_bill(api, "acme", yesterday, "12.00")
    write_usage(api, "beta", yesterday, 5, 5)
    write_usage(api, "gamma", yesterday, 7, 7)
    api.events()

    answer = run("2027-01-09T16:00:00Z")

    reports = {event["account_id"]: event for event in api.events() if event["event_type"] == "daily_report"}
    assert answer["daily_reports"] == 2
    assert set(reports) == {"acme", "beta"}
    acme = reports["acme"]
    assert acme["event_id"] == "daily_report#acme#2027-01-09"
    assert (acme["detail"]["calls"], acme["detail"]["billable_calls"]) == (12, 10)
    assert (acme["detail"]["settled"], acme["detail"]["charges"]) == (True, "12.00")
    assert [(pack["pack_id"], pack["remaining"]) for pack in acme["detail"]["packs_left"]] == [(pack_id, 1000)]
    # A monthly account's day is charged at the month's end: not settled yet, whatever the order of the jobs.
    assert (reports["beta"]["detail"]["settled"], reports["beta"]["detail"]["charges"]) == (False, None)


def test_a_daily_subscriber_whose_yesterday_awaits_its_bill_is_left_to_the_settlement_of_the_night(api):
    api.open_account("beta", activated_at=ACTIVATED_LONG_AGO)
    api.open_account("gamma", activated_at=ACTIVATED_LONG_AGO)
    for account_id in ("acme", "beta", "gamma"):
        assert api.patch(f"/v1/accounts/{account_id}", {"daily_report": True})[0] == 200
    yesterday = date(2027, 1, 9)
    write_usage(api, "acme", yesterday, 12, 10)  # billable, not settled, no bill: the settlement reports it
    write_usage(api, "beta", yesterday, 5, 0)  # nothing billable: nothing to wait for
    write_usage(api, "gamma", yesterday, 7, 7)  # suspended: its usage waits, and so would the report
    assert api.post("/v1/accounts/gamma/violations", {"suspend": True})[0] == 200
    api.events()

    answer = run("2027-01-09T16:00:00Z")

    reports = {event["account_id"]: event["detail"] for event in api.events() if event["event_type"] == "daily_report"}
    assert answer["daily_reports"] == 2
    assert set(reports) == {"beta", "gamma"}
    assert (reports["beta"]["settled"], reports["beta"]["charges"]) == (True, "0.00")
    assert (reports["gamma"]["settled"], reports["gamma"]["charges"]) == (False, None)


def test_an_account_that_unsubscribes_gets_no_more_reports(api):
    api.patch("/v1/accounts/acme", {"daily_report": True})
    api.patch("/v1/accounts/acme", {"daily_report": False})

    assert run("2027-01-09T16:00:00Z")["daily_reports"] == 0
    assert "daily_report_listing" not in api.account_item("acme")
