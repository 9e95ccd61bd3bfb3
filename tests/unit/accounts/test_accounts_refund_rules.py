"""退费说明 as a pure rule: each reason a pack is not refunded has its own code, and the window closes at
23:59:59 of the 7th day after the purchase day in the billing zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
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
    Payment,
    SuspensionReason,
    Wallets,
)
from shared.arrears.rules import with_violation_suspension
from shared.pricing import SettlementCycle
from shared.refunds.rules import pack_refundable, refund_refusal

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOUGHT = datetime.fromisoformat("2026-10-01T15:00:00+08:00")
DURING = datetime.fromisoformat("2026-10-02T00:00:00+08:00")
ACCOUNT = Account(
    account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None, settlement_cycle=SettlementCycle.DAILY,
    postpaid_enabled=True, balance=Decimal(0), wallets=Wallets(), contacts=Contacts(), locale=Locale.ZH_CN,
    daily_report=False, activated_at=BOUGHT, created_at=BOUGHT,
)
PACK = Pack(
    account_id="acme", pack_id="pk_1", billing_tag="enhanced_authority_wechat", origin=PackOrigin.PURCHASE, size=1000,
    remaining=1000, acquired_at=BOUGHT, effective_from=date(2026, 10, 1),
    expires_at=datetime.fromisoformat("2027-10-01T23:59:59+08:00"), purchase_id="p-1",
    paid=Payment(cash=Decimal("1150")),
)


def refusal_code(pack: Pack = PACK, account: Account = ACCOUNT, now: datetime = DURING) -> str | None:
    refusal = refund_refusal(pack, account, now, SHANGHAI)
    return None if refusal is None else refusal.code


@pytest.mark.parametrize(
    ("now", "code"),
    [
        ("2026-10-01T15:00:00+08:00", None),
        ("2026-10-08T23:59:59+08:00", None),
        ("2026-10-08T15:59:59Z", None),
        ("2026-10-09T00:00:00+08:00", "REFUND_WINDOW_CLOSED"),
        ("2026-10-08T16:00:00Z", "REFUND_WINDOW_CLOSED"),
    ],
)
def test_the_window_closes_after_23_59_59_of_the_7th_day_in_the_billing_zone(now, code):
    assert refusal_code(now=datetime.fromisoformat(now)) == code


def test_a_pack_bought_just_before_midnight_gets_the_same_last_day_as_one_bought_at_dawn():
    late = replace(PACK, acquired_at=datetime.fromisoformat("2026-10-01T23:59:59+08:00"))
    early = replace(PACK, acquired_at=datetime.fromisoformat("2026-10-01T00:00:00+08:00"))
    last_second = datetime.fromisoformat("2026-10-08T23:59:59+08:00")

    assert refusal_code(late, now=last_second) is refusal_code(early, now=last_second) is None


@pytest.mark.parametrize(
    ("pack", "code"),
    [
        (replace(PACK, origin=PackOrigin.FREE_QUOTA, paid=None), "NOT_REFUNDABLE_ORIGIN"),
        (replace(PACK, origin=PackOrigin.PROMOTION, paid=None), "NOT_REFUNDABLE_ORIGIN"),
        (replace(PACK, recorded_status=PackStatus.REFUNDED), "ALREADY_REFUNDED"),
        (replace(PACK, remaining=999), "PACK_USED"),
        (replace(PACK, remaining=0, recorded_status=PackStatus.EXHAUSTED), "PACK_USED"),
    ],
)
def test_each_reason_a_pack_is_not_refunded_has_its_own_code(pack, code):
    assert refusal_code(pack) == code


def test_an_account_suspended_for_a_violation_gets_no_refund_one_suspended_for_arrears_does():
    for_arrears = replace(ACCOUNT, status=AccountStatus.SUSPENDED, suspension_reason=SuspensionReason.ARREARS)

    assert refusal_code(account=with_violation_suspension(ACCOUNT)) == "ACCOUNT_SUSPENDED_FOR_VIOLATION"
    assert refusal_code(account=for_arrears) is None


def test_the_origin_is_told_first_then_the_violation_then_a_refund_then_use_then_the_window():
    late = datetime.fromisoformat("2026-11-01T00:00:00+08:00")
    violating = with_violation_suspension(ACCOUNT)
    used_and_refunded = replace(PACK, remaining=10, recorded_status=PackStatus.REFUNDED)

    assert refusal_code(replace(PACK, origin=PackOrigin.PROMOTION), violating, late) == "NOT_REFUNDABLE_ORIGIN"
    assert refusal_code(used_and_refunded, violating, late) == "ACCOUNT_SUSPENDED_FOR_VIOLATION"
    assert refusal_code(used_and_refunded, ACCOUNT, late) == "ALREADY_REFUNDED"
    assert refusal_code(replace(PACK, remaining=10), ACCOUNT, late) == "PACK_USED"


def test_a_closed_window_names_its_last_second_in_the_billing_zone():
    refusal = refund_refusal(PACK, ACCOUNT, datetime.fromisoformat("2026-10-09T00:00:00+08:00"), SHANGHAI)

    assert refusal is not None
    assert "2026-10-08 23:59:59 (Asia/Shanghai)" in refusal.message


@pytest.mark.parametrize("pack", [PACK, replace(PACK, remaining=1), replace(PACK, origin=PackOrigin.FREE_QUOTA)])
def test_the_refundable_flag_of_a_pack_is_the_refund_rule(pack):
    assert pack_refundable(pack, ACCOUNT, DURING, SHANGHAI) is (refund_refusal(pack, ACCOUNT, DURING, SHANGHAI) is None)
