"""The arrears-check job on moto: suspension 24 hours after the arrears notice, release after the configured
days, the notices of both, found through the ByDeadline index; idempotent and crash-safe."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from functions.wiring.arrears import arrears_stores
from shared import config
from shared.accounts.models import Account, AccountStatus, Contacts, Locale, Wallets
from shared.pricing import SettlementCycle
from shared.services import arrears as arrears_service
from shared.services.arrears import run_arrears_check
from shared.store import deadlines
from shared.store.accounts import account_to_item
from shared.store.codec import to_attributes
from shared.store.events import EventPublisher
from shared.store.transactions import sortable_instant
from tests.integration.test_arrears_support import Arrears, arrears_api

OPENED = datetime.fromisoformat("2026-03-01T10:00:00+08:00")
NOTICE = datetime.fromisoformat("2026-03-02T00:00:00+08:00")  # the daily settlement that left it below zero
SUSPEND_AT = NOTICE + timedelta(hours=24)
RELEASE_AT = SUSPEND_AT + timedelta(days=15)
SECOND = timedelta(seconds=1)


@pytest.fixture
def billing() -> Iterator[Arrears]:
    with arrears_api(OPENED) as billing:
        billing.api.open_account("acme", contacts={"email": "ops@acme.example"})
        billing.api.recharge("acme", "r-0", "50.00")
        billing.put_in_arrears("acme", "62.30", NOTICE)
        billing.api.events()
        yield billing


def account(billing: Arrears, account_id: str = "acme") -> dict:
    status, body = billing.api.get(f"/v1/accounts/{account_id}")
    assert status == 200, body
    return body


def entitlement(billing: Arrears) -> str:
    _, body = billing.api.get("/v1/accounts/acme/entitlement", channel="enhanced.wechat_miniprogram",
                              source="authority")
    return body["reason"]


def listed(billing: Arrears, status: str) -> list[str]:
    _, body = billing.api.get("/v1/accounts", status=status)
    return [entry["account_id"] for entry in body["accounts"]]


# -- suspension


def test_an_account_in_arrears_is_served_until_23_59_59_and_suspended_by_the_check_at_24_hours(billing):
    before = billing.check(SUSPEND_AT - SECOND)
    served = (account(billing)["status"], entitlement(billing))
    at_deadline = billing.check(SUSPEND_AT)

    assert before["outcomes"] == {}
    assert served == ("arrears", "OK")
    assert at_deadline["outcomes"] == {"suspended": 1}
    stopped = account(billing)
    assert (stopped["status"], stopped["suspension_reason"], stopped["balance"]) == ("suspended", "arrears", "-12.30")
    assert (stopped["suspend_at"], stopped["release_at"]) == ("2026-03-03T00:00:00+08:00",
                                                              "2026-03-18T00:00:00+08:00")
    assert entitlement(billing) == "SUSPENDED"


def test_the_suspended_notice_says_when_the_service_stopped_and_when_it_will_be_released(billing):
    billing.check(SUSPEND_AT)

    [event] = billing.api.events()

    assert event == {
        "event_id": "suspended#acme#2026-03-02T00:00:00+08:00", "event_type": "suspended", "account_id": "acme",
        "at": "2026-03-03T00:00:00+08:00",
        "detail": {"balance": "-12.30", "arrears_since": "2026-03-02T00:00:00+08:00",
                   "suspended_at": "2026-03-03T00:00:00+08:00", "release_at": "2026-03-18T00:00:00+08:00"},
    }
    assert billing.deadline("acme") == ("release", sortable_instant(RELEASE_AT), None)


def test_entitlement_closes_at_the_deadline_itself_before_the_check_has_run(billing):
    billing.api.clock.instant = SUSPEND_AT

    assert entitlement(billing) == "SUSPENDED"
    assert account(billing)["status"] == "arrears"


def test_a_late_check_suspends_as_of_the_deadline(billing):
    billing.check(SUSPEND_AT + timedelta(minutes=7))

    assert account(billing)["release_at"] == "2026-03-18T00:00:00+08:00"


def test_the_check_again_at_the_same_instant_changes_nothing_and_announces_nothing(billing):
    billing.check(SUSPEND_AT)
    billing.api.events()

    again = billing.check(SUSPEND_AT)

    assert again["outcomes"] == {}
    assert billing.api.events() == []
    assert account(billing)["status"] == "suspended"


def test_the_account_list_filters_by_the_new_states(billing):
    billing.api.open_account("globex")

    in_arrears = listed(billing, "arrears")
    billing.check(SUSPEND_AT)

    assert in_arrears == ["acme"]
    assert (listed(billing, "arrears"), listed(billing, "suspended"), listed(billing, "active")) == (
        [], ["acme"], ["globex"])


def test_a_monthly_account_is_suspended_24_hours_after_its_notice_too():
    notice = datetime.fromisoformat("2026-03-01T00:00:00+08:00")
    with arrears_api(OPENED) as billing:
        opened = billing.api.open_account("old", activated_at="2022-06-01T00:00:00+08:00")
        billing.put_in_arrears("old", "10", notice)

        billing.check(notice + timedelta(hours=24))

        assert opened["settlement_cycle"] == "monthly"
        assert account(billing, "old")["status"] == "suspended"


# -- release


def test_released_after_15_days_with_its_packs_and_money_kept(billing):
    packs_before = billing.api.get("/v1/accounts/acme/packs")[1]
    billing.check(SUSPEND_AT)
    billing.api.events()

    still = billing.check(RELEASE_AT - SECOND)
    released = billing.check(RELEASE_AT)

    assert (still["outcomes"], released["outcomes"]) == ({}, {"released": 1})
    gone = account(billing)
    assert (gone["status"], gone["suspension_reason"], gone["balance"]) == ("released", None, "-12.30")
    assert billing.api.get("/v1/accounts/acme/packs")[1] == packs_before
    assert billing.api.ledger_sum("acme") == Decimal("-12.30")
    assert entitlement(billing) == "RELEASED"
    [event] = billing.api.events()
    assert (event["event_id"], event["event_type"]) == ("released#acme#2026-03-02T00:00:00+08:00", "released")
    assert event["detail"] == {"balance": "-12.30", "arrears_since": "2026-03-02T00:00:00+08:00",
                               "suspended_at": "2026-03-03T00:00:00+08:00",
                               "released_at": "2026-03-18T00:00:00+08:00"}
    assert billing.deadline("acme") == (None, None, None)


def test_the_release_comes_after_the_configured_days(billing, monkeypatch):
    monkeypatch.setenv("ARREARS_RELEASE_DAYS", "3")
    config.settings.cache_clear()

    billing.check(SUSPEND_AT)
    billing.check(SUSPEND_AT + timedelta(days=3))

    assert account(billing)["status"] == "released"
    config.settings.cache_clear()


# -- back to active on a recharge


@pytest.mark.parametrize("stage", ["arrears", "suspended", "released"])
def test_a_recharge_to_zero_restores_the_account_at_once_at_any_stage(billing, stage):
    if stage != "arrears":
        billing.check(SUSPEND_AT)
    if stage == "released":
        billing.check(RELEASE_AT)
    billing.api.events()

    restored = billing.api.recharge("acme", "r-1", "12.30")

    assert (restored["status"], restored["suspension_reason"], restored["balance"]) == ("active", None, "0.00")
    assert (restored["arrears_since"], restored["suspend_at"], restored["release_at"]) == (None, None, None)
    assert account(billing) == restored
    assert entitlement(billing) == "OK"
    assert billing.deadline("acme") == (None, None, None)
    [event] = billing.api.events()
    assert (event["event_id"], event["event_type"]) == ("restored#acme#recharge#r-1", "restored")
    assert event["detail"] == {"restored_at": event["at"], "balance": "0.00", "ended_stage": stage,
                               "status": "active", "cause": "recharge", "cause_id": "r-1"}


def test_a_recharge_that_leaves_the_balance_below_zero_restores_nothing(billing):
    partly = billing.api.recharge("acme", "r-1", "12.29")

    assert (partly["status"], partly["balance"]) == ("arrears", "-0.01")
    assert billing.api.events() == []
    assert billing.check(SUSPEND_AT)["outcomes"] == {"suspended": 1}


def test_after_a_restore_the_check_finds_nothing_due(billing):
    billing.api.recharge("acme", "r-1", "100")

    assert billing.check(SUSPEND_AT)["outcomes"] == {}
    assert account(billing)["status"] == "active"


def test_the_retry_of_a_restoring_recharge_announces_the_restore_again_under_the_same_id(billing):
    first = billing.api.recharge("acme", "r-1", "20")
    [announced] = billing.api.events()

    again = billing.api.recharge("acme", "r-1", "20")

    assert again == first
    assert billing.api.events() == [announced]
    assert account(billing)["balance"] == "7.70"


def test_the_ledger_still_sums_to_the_balance_through_arrears_and_restore(billing):
    billing.check(SUSPEND_AT)
    billing.api.recharge("acme", "r-1", "100")

    assert billing.api.ledger_sum("acme") == Decimal(account(billing)["balance"]) == Decimal("87.70")


# -- a violation on top of arrears


def test_a_violation_suspension_keeps_its_reason_while_the_arrears_suspension_happens_underneath(billing):
    billing.api.post("/v1/accounts/acme/violations", {"suspend": True})

    billing.check(SUSPEND_AT)
    under = account(billing)
    [notice] = billing.api.events()
    _, lifted = billing.api.post("/v1/accounts/acme/violations", {"suspend": False})

    assert (under["status"], under["suspension_reason"], under["release_at"]) == (
        "suspended", "violation", "2026-03-18T00:00:00+08:00")
    assert notice["event_type"] == "suspended"
    assert (lifted["status"], lifted["suspension_reason"]) == ("suspended", "arrears")


def test_a_recharge_ends_the_arrears_of_an_account_suspended_for_a_violation_which_stays_suspended(billing):
    billing.api.post("/v1/accounts/acme/violations", {"suspend": True})

    paid = billing.api.recharge("acme", "r-1", "20")

    assert (paid["status"], paid["suspension_reason"], paid["arrears_since"]) == ("suspended", "violation", None)
    assert billing.deadline("acme") == (None, None, None)
    [event] = billing.api.events()
    assert event["detail"]["status"] == "suspended"
    _, lifted = billing.api.post("/v1/accounts/acme/violations", {"suspend": False})
    assert lifted["status"] == "active"


# -- crash safety and scale


def test_a_notice_lost_after_the_commit_is_published_by_the_next_run_under_the_same_id(billing, monkeypatch):
    publish = EventPublisher.publish

    def lost(self, events):
        raise ConnectionError("SNS unreachable")

    monkeypatch.setattr(EventPublisher, "publish", lost)
    crashed = billing.check(SUSPEND_AT)
    left = billing.deadline("acme")
    monkeypatch.setattr(EventPublisher, "publish", publish)
    next_run = billing.check(SUSPEND_AT + timedelta(minutes=5))

    assert crashed["outcomes"] == {"failed": 1}
    assert account(billing)["status"] == "suspended"
    assert left == ("notice", sortable_instant(SUSPEND_AT), "suspended")
    assert next_run["outcomes"] == {"notice_published": 1}
    [event] = billing.api.events()
    assert event["event_id"] == "suspended#acme#2026-03-02T00:00:00+08:00"
    assert billing.deadline("acme") == ("release", sortable_instant(RELEASE_AT), None)


def test_a_run_out_of_time_stops_and_leaves_the_rest_to_the_next_run(billing):
    stores = arrears_stores()

    summary = run_arrears_check(stores, SUSPEND_AT, time_left=lambda: timedelta(seconds=1))

    assert (summary.finished, summary.accounts) == (False, 0)
    assert billing.check(SUSPEND_AT)["outcomes"] == {"suspended": 1}


def test_every_due_account_is_found_through_the_index_page_after_page(billing, monkeypatch):
    monkeypatch.setattr(deadlines, "PAGE_SIZE", 20)
    monkeypatch.setattr(arrears_service, "PROGRESS_EVERY", 25)
    template = Account(
        account_id="x", status=AccountStatus.ARREARS, suspension_reason=None, settlement_cycle=SettlementCycle.DAILY,
        postpaid_enabled=True, balance=Decimal("-1"), wallets=Wallets(cash=Decimal("-1")), contacts=Contacts(),
        locale=Locale.ZH_CN, daily_report=False, activated_at=OPENED, created_at=OPENED, arrears_since=NOTICE,
        suspend_at=SUSPEND_AT,
    )
    for number in range(49):
        item = account_to_item(replace(template, account_id=f"bulk-{number:03d}"))
        item.update(deadline_kind="suspend", deadline_at=sortable_instant(SUSPEND_AT))
        billing.api.dynamodb.put_item(TableName=config.settings().accounts_table, Item=to_attributes(item))

    summary = billing.check(SUSPEND_AT)

    assert summary == {"accounts": 50, "finished": True, "outcomes": {"suspended": 50}}
    assert len(billing.api.events()) == 50
