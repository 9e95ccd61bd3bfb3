"""The arrears state machine as pure rules: active → arrears → suspended (24 h after the notice) → released (N
days later), and back to active on a credit that brings the balance to zero or above."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import Account, AccountStatus, Contacts, Locale, SuspensionReason, Wallets
from shared.arrears.models import ArrearsStage, Deadline, DeadlineKind, RestoreCause
from shared.arrears.rules import (
    arrears_stage,
    due_transition,
    ended_by_credit,
    next_deadline,
    release_instant,
    restored_notice,
    standing_at,
    transition_notice,
    with_violation_lifted,
    with_violation_suspension,
)
from shared.events import EventType
from shared.pricing import SettlementCycle

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE = datetime.fromisoformat("2026-03-02T00:00:00+08:00")  # the settlement that left the balance below zero
SUSPEND_AT = NOTICE + timedelta(hours=24)
SECOND = timedelta(seconds=1)
ACTIVE = Account(
    account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None, settlement_cycle=SettlementCycle.DAILY,
    postpaid_enabled=True, balance=Decimal("100.00"), wallets=Wallets(cash=Decimal("100.00")), contacts=Contacts(),
    locale=Locale.ZH_CN, daily_report=False, activated_at=NOTICE, created_at=NOTICE, version=4,
)
IN_ARREARS = replace(ACTIVE, status=AccountStatus.ARREARS, balance=Decimal("-12.30"),
                     wallets=Wallets(cash=Decimal("-12.30")), arrears_since=NOTICE, suspend_at=SUSPEND_AT)


def suspended(account: Account = IN_ARREARS, days: int = 15) -> Account:
    after = due_transition(account, SUSPEND_AT, release_after_days=days, zone=SHANGHAI)
    assert after is not None
    return after


def released(account: Account) -> Account:
    assert account.release_at is not None
    after = due_transition(account, account.release_at, release_after_days=15, zone=SHANGHAI)
    assert after is not None
    return after


def standing(account: Account, now: datetime) -> tuple[AccountStatus, SuspensionReason | None]:
    found = standing_at(account, now)
    return found.status, found.suspension_reason


# -- suspension, 24 hours after the notice


def test_an_account_in_arrears_is_still_served_at_23_59_59_after_the_notice():
    assert standing(IN_ARREARS, SUSPEND_AT - SECOND) == (AccountStatus.ARREARS, None)
    assert due_transition(IN_ARREARS, SUSPEND_AT - SECOND, release_after_days=15, zone=SHANGHAI) is None


def test_exactly_24_hours_after_the_notice_it_is_suspended_for_arrears():
    assert standing(IN_ARREARS, SUSPEND_AT) == (AccountStatus.SUSPENDED, SuspensionReason.ARREARS)

    after = suspended()

    assert (after.status, after.suspension_reason) == (AccountStatus.SUSPENDED, SuspensionReason.ARREARS)
    assert after.release_at == SUSPEND_AT + timedelta(days=15)
    assert after.version == IN_ARREARS.version + 1
    assert arrears_stage(after) is ArrearsStage.SUSPENDED


def test_a_late_check_suspends_as_of_the_deadline_not_as_of_its_run():
    late = due_transition(IN_ARREARS, SUSPEND_AT + timedelta(hours=3), release_after_days=15, zone=SHANGHAI)

    assert late == suspended()


def test_a_balance_back_at_zero_is_never_suspended():
    paid = replace(IN_ARREARS, balance=Decimal("0.00"))

    assert standing(paid, SUSPEND_AT + timedelta(days=1)) == (AccountStatus.ARREARS, None)
    assert next_deadline(paid) is None
    assert due_transition(paid, SUSPEND_AT, release_after_days=15, zone=SHANGHAI) is None


def test_the_monthly_and_the_daily_account_follow_the_same_clock():
    monthly = replace(IN_ARREARS, settlement_cycle=SettlementCycle.MONTHLY)

    assert replace(suspended(monthly), settlement_cycle=SettlementCycle.DAILY) == suspended()


# -- release, the configured days after the suspension


def test_released_after_the_configured_days_packs_and_money_untouched():
    stopped = suspended(days=15)
    assert stopped.release_at is not None

    assert standing(stopped, stopped.release_at - SECOND) == (AccountStatus.SUSPENDED, SuspensionReason.ARREARS)
    assert due_transition(stopped, stopped.release_at - SECOND, release_after_days=15, zone=SHANGHAI) is None
    after = released(stopped)

    assert (after.status, after.suspension_reason, after.released_at) == (
        AccountStatus.RELEASED, None, stopped.release_at)
    assert (after.balance, after.wallets) == (IN_ARREARS.balance, IN_ARREARS.wallets)
    assert standing(stopped, stopped.release_at) == (AccountStatus.RELEASED, None)
    assert next_deadline(after) is None


@pytest.mark.parametrize("days", [1, 3, 15, 30])
def test_the_release_takes_the_configured_number_of_days(days):
    assert suspended(days=days).release_at == SUSPEND_AT + timedelta(days=days)


def test_a_release_day_counts_as_a_calendar_day_across_daylight_saving():
    new_york = ZoneInfo("America/New_York")
    suspended_at = datetime(2026, 3, 1, 9, 30, tzinfo=new_york)  # EST; clocks go forward on 2026-03-08

    released_at = release_instant(suspended_at, 15, new_york)

    assert released_at.astimezone(new_york).replace(tzinfo=None) == datetime(2026, 3, 16, 9, 30)
    assert released_at - suspended_at == timedelta(days=15) - timedelta(hours=1)


def test_the_next_deadline_follows_the_stage():
    stopped = suspended()

    assert next_deadline(ACTIVE) is None
    assert next_deadline(IN_ARREARS) == Deadline(DeadlineKind.SUSPEND, SUSPEND_AT)
    assert next_deadline(stopped) == Deadline(DeadlineKind.RELEASE, stopped.release_at)
    assert next_deadline(released(stopped)) is None


# -- back to active on a credit


@pytest.mark.parametrize("stage", ["arrears", "suspended", "released"])
def test_a_credit_to_zero_or_above_ends_the_arrears_at_any_stage(stage):
    account = {"arrears": IN_ARREARS, "suspended": suspended(), "released": released(suspended())}[stage]

    restored = ended_by_credit(replace(account, balance=Decimal("0.00")))

    assert restored is not None
    assert (restored.status, restored.suspension_reason) == (AccountStatus.ACTIVE, None)
    assert (restored.arrears_since, restored.suspend_at, restored.release_at, restored.released_at) == (
        None, None, None, None)
    assert next_deadline(restored) is None


def test_a_credit_that_leaves_the_balance_below_zero_ends_nothing():
    assert ended_by_credit(replace(suspended(), balance=Decimal("-0.01"))) is None
    assert ended_by_credit(replace(ACTIVE, balance=Decimal("5"))) is None


def test_the_restored_notice_names_the_stage_ended_and_the_credit():
    stopped = suspended()
    at = SUSPEND_AT + timedelta(hours=2)
    restored = ended_by_credit(replace(stopped, balance=Decimal("7.70")))
    assert restored is not None

    event = restored_notice(stopped, restored, cause=RestoreCause.RECHARGE, cause_id="r-9", at=at)

    assert (event.event_id, event.event_type, event.at) == ("restored#acme#recharge#r-9", EventType.RESTORED, at)
    assert event.detail == {"restored_at": "2026-03-03T02:00:00+08:00", "balance": "7.70",
                            "ended_stage": "suspended", "status": "active", "cause": "recharge", "cause_id": "r-9"}


def test_the_restored_notice_counts_a_suspension_due_but_not_yet_recorded():
    restored = ended_by_credit(replace(IN_ARREARS, balance=Decimal("1")))
    assert restored is not None

    event = restored_notice(IN_ARREARS, restored, cause=RestoreCause.REFUND, cause_id="rf-1", at=SUSPEND_AT)

    assert event.detail["ended_stage"] == "suspended"


# -- a violation on top of arrears


def test_a_violation_suspension_hides_the_arrears_stage_which_goes_on_underneath():
    violating = with_violation_suspension(IN_ARREARS)

    stopped = due_transition(violating, SUSPEND_AT, release_after_days=15, zone=SHANGHAI)
    assert stopped is not None
    gone = released(stopped)

    assert (stopped.status, stopped.suspension_reason) == (AccountStatus.SUSPENDED, SuspensionReason.VIOLATION)
    assert arrears_stage(stopped) is ArrearsStage.SUSPENDED
    assert (gone.status, gone.suspension_reason) == (AccountStatus.SUSPENDED, SuspensionReason.VIOLATION)
    assert standing(gone, SUSPEND_AT + timedelta(days=30)) == (AccountStatus.SUSPENDED, SuspensionReason.VIOLATION)


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("none", (AccountStatus.ACTIVE, None)),
        ("arrears", (AccountStatus.ARREARS, None)),
        ("suspended", (AccountStatus.SUSPENDED, SuspensionReason.ARREARS)),
        ("released", (AccountStatus.RELEASED, None)),
    ],
)
def test_lifting_a_violation_shows_the_stage_the_arrears_reached(stage, expected):
    account = {"none": ACTIVE, "arrears": IN_ARREARS, "suspended": suspended(),
               "released": released(suspended())}[stage]

    lifted = with_violation_lifted(with_violation_suspension(account))

    assert (lifted.status, lifted.suspension_reason) == expected


def test_a_credit_ends_the_arrears_of_an_account_suspended_for_a_violation_which_stays_suspended():
    violating = with_violation_suspension(suspended())

    restored = ended_by_credit(replace(violating, balance=Decimal("3")))

    assert restored is not None
    assert (restored.status, restored.suspension_reason) == (AccountStatus.SUSPENDED, SuspensionReason.VIOLATION)
    assert arrears_stage(restored) is ArrearsStage.NONE
    assert with_violation_lifted(restored).status is AccountStatus.ACTIVE


# -- the notices of the transitions


def test_the_suspended_notice_tells_when_the_service_stopped_and_when_it_will_be_released():
    notice = transition_notice(suspended())

    assert notice is not None
    assert (notice.event_id, notice.event_type, notice.at) == (
        "suspended#acme#2026-03-02T00:00:00+08:00", EventType.SUSPENDED, SUSPEND_AT)
    assert notice.detail == {"balance": "-12.30", "arrears_since": "2026-03-02T00:00:00+08:00",
                             "suspended_at": "2026-03-03T00:00:00+08:00", "release_at": "2026-03-18T00:00:00+08:00"}


def test_the_released_notice_tells_when_it_was_released():
    notice = transition_notice(released(suspended()))

    assert notice is not None
    assert (notice.event_id, notice.event_type) == ("released#acme#2026-03-02T00:00:00+08:00", EventType.RELEASED)
    assert notice.detail == {"balance": "-12.30", "arrears_since": "2026-03-02T00:00:00+08:00",
                             "suspended_at": "2026-03-03T00:00:00+08:00", "released_at": "2026-03-18T00:00:00+08:00"}


def test_no_notice_before_a_transition():
    assert transition_notice(ACTIVE) is None
    assert transition_notice(IN_ARREARS) is None
