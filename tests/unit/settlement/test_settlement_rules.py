"""The pure settlement rules: bills, deductions, charges, arrears and pack notices, on plain values."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import (
    Account,
    AccountStatus,
    Contacts,
    Locale,
    Pack,
    PackOrigin,
    PackStatus,
    Wallet,
    Wallets,
)
from shared.events import EventType
from shared.pricing import PRICE_BOOK, LadderTier, SettlementCycle
from shared.settlement import rules
from shared.settlement.periods import SettlementRun
from shared.settlement.plan import PackChange
from shared.settlement.rules import SettlementTooLarge, plan_settlements, split_charge

SHANGHAI = ZoneInfo("Asia/Shanghai")
TAG = "enhanced_authority_wechat"  # 1.2 a call
D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def midnight_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI).astimezone(UTC)


def daily_run(after: date) -> SettlementRun:
    return SettlementRun(SettlementCycle.DAILY, midnight_after(after), SHANGHAI)


@dataclass(frozen=True)
class Counter:
    usage_date: date
    billing_tag: str
    billable: int
    settled_billable: int = 0


def account(**changes: Any) -> Account:
    at = datetime(2024, 6, 1, tzinfo=SHANGHAI)
    return replace(Account(
        account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None,
        settlement_cycle=SettlementCycle.DAILY, postpaid_enabled=True, balance=Decimal("9000.00"),
        wallets=Wallets(cash=Decimal("9000.00")), contacts=Contacts(), locale=Locale.ZH_CN, daily_report=False,
        activated_at=at, created_at=at, version=3,
    ), **changes)


def pack(pack_id: str, size: int, remaining: int | None = None, *, origin: PackOrigin = PackOrigin.PURCHASE,
         tag: str = TAG, bought: date = date(2026, 1, 1), days: int = 365, **changes: Any) -> Pack:
    return Pack(account_id="acme", pack_id=pack_id, billing_tag=tag, origin=origin, size=size,
                remaining=size if remaining is None else remaining,
                acquired_at=datetime.combine(bought, datetime.min.time(), tzinfo=SHANGHAI), effective_from=bought,
                expires_at=datetime.combine(bought + timedelta(days=days), datetime.max.time(), tzinfo=SHANGHAI),
                **changes)


def only(plan: rules.SettlementPlan) -> rules.PeriodSettlement:
    (settlement,) = plan.settlements
    return settlement


# --- the seed example and the order of deduction ---------------------------------------------------

def test_15000_calls_with_one_10000_pack_bill_5000_postpaid_calls_for_6000():
    plan = plan_settlements(account(), [Counter(D1, TAG, 15_000)], [pack("pk_a", 10_000)], daily_run(D1))

    settlement = only(plan)

    (line,) = settlement.bill.lines
    assert (line.billable_calls, line.postpaid_calls, line.unit_price, line.amount) == (
        15_000, 5_000, Decimal("1.2"), Decimal("6000.00"))
    assert [(d.pack_id, d.calls) for d in line.pack_deductions] == [("pk_a", 10_000)]
    assert settlement.bill.total_amount == Decimal("6000.00")
    assert settlement.bill.bill_id == "bl_acme_daily_2026-03-01"
    assert settlement.pack_changes == (PackChange("pk_a", TAG, 10_000, 10_000, 0),)
    assert settlement.account_after.balance == Decimal("3000.00")
    assert [(e.kind.value, e.wallet.value, e.amount, e.ref) for e in settlement.ledger_entries] == [
        ("postpaid_charge", "cash", Decimal("-6000.00"), "bl_acme_daily_2026-03-01")]
    assert settlement.settled_counts == {(D1, TAG): 15_000}
    assert settlement.account_after.version == 4


def test_gifted_packs_go_first_then_the_bought_pack_that_expires_first():
    packs = [pack("pk_late", 100, bought=date(2026, 2, 1)), pack("pk_early", 100, bought=date(2026, 1, 1)),
             pack("pk_gift", 50, origin=PackOrigin.PROMOTION, bought=date(2026, 2, 15), days=30)]

    (line,) = only(plan_settlements(account(), [Counter(D1, TAG, 180)], packs, daily_run(D1))).bill.lines

    assert [(d.pack_id, d.calls) for d in line.pack_deductions] == [("pk_gift", 50), ("pk_early", 100),
                                                                   ("pk_late", 30)]
    assert line.postpaid_calls == 0


def test_a_pack_offsets_only_days_inside_its_validity_even_once_recorded_expired():
    expired = pack("pk_old", 100, bought=date(2025, 3, 1), days=365, recorded_status=PackStatus.EXPIRED)
    refunded = pack("pk_refunded", 100, recorded_status=PackStatus.REFUNDED)
    counters = [Counter(date(2026, 3, 1), TAG, 10), Counter(date(2026, 3, 2), TAG, 10)]

    plan = plan_settlements(account(), counters, [expired, refunded], daily_run(D2))

    first, second = plan.settlements
    assert [(d.pack_id, d.calls) for d in first.bill.lines[0].pack_deductions] == [("pk_old", 10)]
    assert second.bill.lines[0].pack_deductions == () and second.bill.lines[0].postpaid_calls == 10


def test_each_line_is_rounded_half_up_to_the_fen_and_the_total_is_their_sum():
    counters = [Counter(D1, "face_risk_detection", 143), Counter(D1, "id_verification", 1_000)]

    bill = only(plan_settlements(account(), counters, [], daily_run(D1))).bill

    assert [line.amount for line in bill.lines] == [Decimal("0.50"), Decimal("300.00")]
    assert bill.total_amount == Decimal("300.50")


# --- periods: missed runs and late calls -----------------------------------------------------------

def test_every_missed_day_gets_its_own_bill_oldest_first_on_what_the_one_before_left():
    counters = [Counter(D1, TAG, 60), Counter(D2, TAG, 60), Counter(D3, TAG, 60)]

    plan = plan_settlements(account(), counters, [pack("pk_a", 100)], daily_run(D3))

    assert [s.bill.period_start for s in plan.settlements] == [D1, D2, D3]
    assert [s.bill.total_amount for s in plan.settlements] == [Decimal("0.00"), Decimal("24.00"), Decimal("72.00")]
    assert [(c.before, c.after) for s in plan.settlements for c in s.pack_changes] == [(100, 40), (40, 0)]
    assert [s.account_before.version for s in plan.settlements] == [3, 4, 5]
    assert plan.settlements[-1].account_after.balance == Decimal("8904.00")


def test_calls_of_today_and_settled_calls_are_left_alone():
    counters = [Counter(D1, TAG, 10, settled_billable=10), Counter(D2, TAG, 10)]

    assert plan_settlements(account(), counters, [], daily_run(D1)).settlements == ()


def test_late_calls_of_a_settled_day_go_on_the_next_bill_marked_late_with_their_own_date():
    counters = [Counter(D1, TAG, 12, settled_billable=10), Counter(D1, "basic_upload", 4), Counter(D2, TAG, 5)]

    bill = only(plan_settlements(account(), counters, [], daily_run(D2))).bill

    assert bill.period_start == D2
    assert [(line.usage_date, line.billing_tag, line.billable_calls, line.late) for line in bill.lines] == [
        (D1, "basic_upload", 4, True), (D1, TAG, 2, True), (D2, TAG, 5, False)]


def test_late_calls_alone_make_a_bill_of_the_day_just_closed():
    plan = plan_settlements(account(), [Counter(D1, TAG, 12, settled_billable=10)], [], daily_run(D2))

    assert only(plan).bill.period_start == D2
    assert only(plan).settled_counts == {(D1, TAG): 12}


def test_late_calls_wait_when_the_day_just_closed_has_its_bill_already():
    counters = [Counter(D1, TAG, 12, settled_billable=10), Counter(D2, TAG, 5, settled_billable=5)]

    plan = plan_settlements(account(), counters, [], daily_run(D2))

    assert plan.settlements == ()
    assert plan.waiting == ((D1, TAG),)


def test_a_period_whose_bill_holds_late_calls_alone_is_known_billed_only_when_told():
    counters = [Counter(D1, TAG, 12, settled_billable=10), Counter(D2, TAG, 5)]

    guessed = plan_settlements(account(), counters, [], daily_run(D2))
    told = plan_settlements(account(), counters, [], daily_run(D2), known_billed={D2})

    assert [line.late for line in only(guessed).bill.lines] == [True, False]
    assert told.settlements == () and told.waiting == ((D1, TAG), (D2, TAG))


def test_late_calls_that_would_overfill_the_transaction_wait_newest_first():
    small_packs = [pack(f"pk_{n}", 1, tag=tag, bought=date(2026, 1, n + 1))
                   for n, tag in enumerate([TAG, TAG, "basic_upload", "basic_upload"])]
    counters = [Counter(D1, "basic_upload", 2, settled_billable=0), Counter(D1, TAG, 3, settled_billable=1),
                Counter(D2, TAG, 0)]

    plan = plan_settlements(account(), counters, small_packs, daily_run(D2), item_limit=7)

    assert [(line.billing_tag, line.late) for line in only(plan).bill.lines] == [("basic_upload", True)]
    assert plan.waiting == ((D1, TAG),)


def test_a_day_drawing_on_more_packs_than_a_transaction_holds_is_refused_loudly():
    many = [pack(f"pk_{n:03d}", 1, bought=date(2026, 1, 1) + timedelta(days=n % 50)) for n in range(99)]

    with pytest.raises(SettlementTooLarge, match="99 packs"):
        plan_settlements(account(), [Counter(D1, TAG, 99)], many, daily_run(D1))


# --- the charge -------------------------------------------------------------------------------------

def test_a_charge_takes_cash_then_income_then_gift_as_far_as_each_holds_then_cash_below_zero():
    wallets = Wallets(cash=Decimal("10.00"), income=Decimal("-5.00"), gift=Decimal("20.00"))

    assert split_charge(Decimal("25.00"), account(wallets=wallets)) == (
        (Wallet.CASH, Decimal("10.00")), (Wallet.GIFT, Decimal("15.00")))
    assert split_charge(Decimal("50.00"), account(wallets=wallets)) == (
        (Wallet.CASH, Decimal("30.00")), (Wallet.GIFT, Decimal("20.00")))
    assert split_charge(Decimal("0.00"), account(wallets=wallets)) == ()


def test_one_ledger_entry_per_wallet_charged_sums_to_the_bill():
    poor = account(balance=Decimal("30.00"), wallets=Wallets(cash=Decimal("10.00"), gift=Decimal("20.00")))

    settlement = only(plan_settlements(poor, [Counter(D1, TAG, 100)], [], daily_run(D1)))

    assert [(e.wallet.value, e.amount) for e in settlement.ledger_entries] == [
        ("cash", Decimal("-100.00")), ("gift", Decimal("-20.00"))]
    assert settlement.account_after.wallets == Wallets(cash=Decimal("-90.00"), gift=Decimal("0.00"))
    assert settlement.account_after.balance == Decimal("-90.00")


# --- arrears ----------------------------------------------------------------------------------------

def test_a_charge_below_zero_puts_an_active_account_in_arrears_due_for_suspension_a_day_later():
    poor = account(balance=Decimal("10.00"), wallets=Wallets(cash=Decimal("10.00")))

    settlement = only(plan_settlements(poor, [Counter(D1, TAG, 100)], [], daily_run(D1)))

    after = settlement.account_after
    assert after.status is AccountStatus.ARREARS and settlement.entered_arrears
    assert after.arrears_since == midnight_after(D1)
    assert after.suspend_at == midnight_after(D1) + timedelta(hours=24)
    (event,) = settlement.events
    assert (event.event_id, event.event_type) == ("arrears#acme#bl_acme_daily_2026-03-01", EventType.ARREARS)
    assert event.detail["balance"] == "-110.00" and event.detail["entered_arrears"] is True
    assert event.detail["suspend_at"] == "2026-03-03T00:00:00+08:00"


def test_an_account_already_in_arrears_keeps_its_deadline_and_each_charge_is_announced():
    since = midnight_after(date(2026, 2, 20))
    owing = account(status=AccountStatus.ARREARS, balance=Decimal("-5.00"), wallets=Wallets(cash=Decimal("-5.00")),
                    arrears_since=since, suspend_at=since + timedelta(hours=24))

    settlement = only(plan_settlements(owing, [Counter(D1, TAG, 1)], [], daily_run(D1)))

    assert settlement.account_after.arrears_since == since and not settlement.entered_arrears
    assert [(e.event_type, e.detail["entered_arrears"]) for e in settlement.events] == [(EventType.ARREARS, False)]


def test_a_bill_paid_by_packs_alone_announces_no_arrears_even_below_zero():
    owing = account(status=AccountStatus.ARREARS, balance=Decimal("-5.00"), wallets=Wallets(cash=Decimal("-5.00")))

    settlement = only(plan_settlements(owing, [Counter(D1, TAG, 1)], [pack("pk_a", 100)], daily_run(D1)))

    assert settlement.events == () and settlement.ledger_entries == ()


# --- pack notices -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "after", "notice"), [
    (100, 21, None), (100, 20, None), (100, 19, EventType.PACK_LOW), (20, 19, EventType.PACK_LOW),
    (19, 5, None), (100, 0, EventType.PACK_EXHAUSTED), (10, 0, EventType.PACK_EXHAUSTED), (100, 100, None),
])
def test_a_pack_is_low_below_20_percent_and_exhausted_at_0_which_alone_is_announced(before, after, notice):
    assert PackChange("pk", TAG, 100, before, after).notice is notice


def test_pack_notices_come_once_per_pack_with_ids_named_by_the_pack():
    counters = [Counter(D1, TAG, 85), Counter(D2, TAG, 15)]

    plan = plan_settlements(account(), counters, [pack("pk_a", 100)], daily_run(D2))

    assert [[(e.event_id, e.event_type) for e in s.events] for s in plan.settlements] == [
        [("pack_low#pk_a", EventType.PACK_LOW)], [("pack_exhausted#pk_a", EventType.PACK_EXHAUSTED)]]
    assert plan.settlements[0].events[0].detail == {"pack_id": "pk_a", "billing_tag": TAG, "size": 100,
                                                    "remaining": 15, "bill_id": "bl_acme_daily_2026-03-01"}


# --- monthly accounts -------------------------------------------------------------------------------

def test_a_monthly_bill_prices_verification_tags_on_the_ladder_the_months_volume_reaches(monkeypatch):
    phone = PRICE_BOOK["phone_2e"]
    ladder = (LadderTier(0, Decimal("0.4")), LadderTier(1_000, Decimal("0.35")), LadderTier(5_000, Decimal("0.3")))
    monkeypatch.setattr(rules, "PRICE_BOOK", MappingProxyType({**PRICE_BOOK, "phone_2e": replace(
        phone, monthly_ladder=ladder)}))
    monthly = account(settlement_cycle=SettlementCycle.MONTHLY)
    counters = [Counter(date(2026, 2, 3), "phone_2e", 700), Counter(date(2026, 2, 20), "phone_2e", 500),
                Counter(date(2026, 2, 20), TAG, 10), Counter(date(2026, 3, 1), "phone_2e", 9_000)]
    run = SettlementRun(SettlementCycle.MONTHLY, datetime(2026, 2, 28, 16, tzinfo=UTC), SHANGHAI)

    bill = only(plan_settlements(monthly, counters, [], run)).bill

    assert (bill.cycle, bill.period_start, bill.period_end) == (SettlementCycle.MONTHLY, date(2026, 2, 1),
                                                                date(2026, 2, 28))
    assert [(line.usage_date.day, line.billing_tag, line.unit_price, line.amount) for line in bill.lines] == [
        (3, "phone_2e", Decimal("0.35"), Decimal("245.00")),
        (20, TAG, Decimal("1.2"), Decimal("12.00")),
        (20, "phone_2e", Decimal("0.35"), Decimal("175.00")),
    ]
