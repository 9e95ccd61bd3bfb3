"""A pack's status and refundability at an instant, its use, the deduction order, and violations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.accounts.errors import NoPacksForTag
from shared.accounts.models import (
    Account,
    AccountStatus,
    Contacts,
    Locale,
    Pack,
    PackOrigin,
    PackStatus,
    SuspensionReason,
    Wallets,
)
from shared.accounts.rules import in_deduction_order, pack_status, pack_tier, used_percent
from shared.arrears.rules import with_violation_lifted, with_violation_suspension
from shared.pricing import SettlementCycle
from shared.refunds.rules import pack_refundable
from shared.refusals import InvalidField

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOUGHT = datetime.fromisoformat("2026-10-01T15:00:00+08:00")
ACCOUNT = Account(
    account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None, settlement_cycle=SettlementCycle.DAILY,
    postpaid_enabled=True, balance=Decimal(0), wallets=Wallets(), contacts=Contacts(), locale=Locale.ZH_CN,
    daily_report=False, activated_at=BOUGHT, created_at=BOUGHT,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def pack(pack_id: str = "pk_1", origin: PackOrigin = PackOrigin.PURCHASE, **changes) -> Pack:
    base = Pack(
        account_id="acme", pack_id=pack_id, billing_tag="enhanced_authority_wechat", origin=origin, size=1000,
        remaining=1000, acquired_at=BOUGHT, effective_from=date(2026, 10, 1),
        expires_at=at("2027-10-01T23:59:59+08:00"),
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "now", "status"),
    [
        ({}, "2026-10-02T00:00:00+08:00", PackStatus.ACTIVE),
        ({"remaining": 0}, "2026-10-02T00:00:00+08:00", PackStatus.EXHAUSTED),
        ({}, "2027-10-01T23:59:59+08:00", PackStatus.ACTIVE),
        ({}, "2027-10-01T16:00:00Z", PackStatus.EXPIRED),
        ({"remaining": 0}, "2027-10-02T00:00:00+08:00", PackStatus.EXPIRED),
        ({"recorded_status": PackStatus.EXPIRED}, "2026-10-02T00:00:00+08:00", PackStatus.EXPIRED),
        ({"recorded_status": PackStatus.REFUNDED}, "2026-10-02T00:00:00+08:00", PackStatus.REFUNDED),
        ({"recorded_status": PackStatus.REFUNDED}, "2028-01-01T00:00:00+08:00", PackStatus.REFUNDED),
        ({"recorded_status": PackStatus.EXHAUSTED, "remaining": 0}, "2026-10-02T00:00:00+08:00",
         PackStatus.EXHAUSTED),
    ],
)
def test_status_is_refunded_then_expired_then_exhausted_then_active(changes, now, status):
    assert pack_status(pack(**changes), at(now)) is status


@pytest.mark.parametrize(
    ("now", "refundable"),
    [("2026-10-01T15:00:00+08:00", True), ("2026-10-08T23:59:59+08:00", True),
     ("2026-10-09T00:00:00+08:00", False)],
)
def test_a_bought_pack_is_refundable_for_7_days_after_its_purchase_day(now, refundable):
    assert pack_refundable(pack(), ACCOUNT, at(now), SHANGHAI) is refundable


@pytest.mark.parametrize(
    "unrefundable",
    [
        pack(remaining=999),
        pack(origin=PackOrigin.FREE_QUOTA),
        pack(origin=PackOrigin.PROMOTION),
        pack(recorded_status=PackStatus.REFUNDED),
        pack(remaining=0),
    ],
)
def test_used_gifted_and_refunded_packs_are_not_refundable(unrefundable):
    assert pack_refundable(unrefundable, ACCOUNT, at("2026-10-02T00:00:00+08:00"), SHANGHAI) is False


def test_nothing_is_refundable_while_the_account_is_suspended_for_a_violation():
    suspended = with_violation_suspension(ACCOUNT)
    arrears_suspended = replace(ACCOUNT, status=AccountStatus.SUSPENDED, suspension_reason=SuspensionReason.ARREARS)

    assert pack_refundable(pack(), suspended, at("2026-10-02T00:00:00+08:00"), SHANGHAI) is False
    assert pack_refundable(pack(), arrears_suspended, at("2026-10-02T00:00:00+08:00"), SHANGHAI) is True


@pytest.mark.parametrize(
    ("remaining", "percent"),
    [(1000, "0.0"), (875, "12.5"), (0, "100.0"), (999, "0.1"), (334, "66.6"), (333, "66.7")],
)
def test_used_percent_has_one_decimal_rounded_half_up(remaining, percent):
    assert used_percent(pack(remaining=remaining)) == Decimal(percent)


@given(st.integers(min_value=1, max_value=10_000_000).flatmap(
    lambda size: st.tuples(st.just(size), st.integers(min_value=0, max_value=size))))
def test_used_percent_stays_within_0_and_100(case):
    size, remaining = case

    assert Decimal(0) <= used_percent(pack(size=size, remaining=remaining)) <= Decimal(100)


def test_deduction_order_puts_gifts_first_then_the_first_to_expire_then_the_older_then_the_smaller_id():
    soon_bought = pack("pk_a", expires_at=at("2026-12-01T23:59:59+08:00"))
    later_bought = pack("pk_b")
    free = pack("pk_c", origin=PackOrigin.FREE_QUOTA, expires_at=at("2027-12-01T00:00:00+08:00"))
    promotion = pack("pk_d", origin=PackOrigin.PROMOTION, expires_at=at("2027-01-01T00:00:00+08:00"))
    older_twin = pack("pk_z", acquired_at=at("2026-10-01T14:00:00+08:00"))
    same_twin = pack("pk_e")

    ordered = in_deduction_order([later_bought, free, soon_bought, same_twin, promotion, older_twin], SHANGHAI)

    assert [p.pack_id for p in ordered] == ["pk_d", "pk_c", "pk_a", "pk_z", "pk_b", "pk_e"]


def test_a_purchase_names_a_tier_of_a_tag_with_packs():
    assert pack_tier("enhanced_authority_wechat", 10_000).price == Decimal("11000")
    with pytest.raises(NoPacksForTag):
        pack_tier("nfc_id_reading", 1000)
    with pytest.raises(InvalidField) as refused:
        pack_tier("enhanced_authority_wechat", 5000)
    assert [detail.field for detail in refused.value.details] == ["size"]


def test_lifting_a_violation_returns_to_active_or_to_arrears_when_the_account_has_arrears():
    suspended = with_violation_suspension(ACCOUNT)
    with_arrears = replace(suspended, arrears_since=at("2026-10-02T00:00:00+08:00"))

    assert (suspended.status, suspended.suspension_reason) == (AccountStatus.SUSPENDED, SuspensionReason.VIOLATION)
    assert suspended.suspended_for_violation
    assert not suspended.may_buy
    assert (with_violation_lifted(suspended).status, with_violation_lifted(suspended).suspension_reason) == (
        AccountStatus.ACTIVE, None)
    assert with_violation_lifted(with_arrears).status is AccountStatus.ARREARS
