"""The daily report: yesterday's calls from the counters, the charges if yesterday is settled, the packs left; and
which of the two jobs of 00:00 sends it (the lifecycle run, or the settlement that writes yesterday's bill)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

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
from shared.events import EventType
from shared.lifecycle.report import daily_report_event, left_to_settlement, sent_with_its_bill
from shared.pricing import SettlementCycle
from shared.settlement.models import Bill, BillLine
from shared.store.usage import UsageCounter
from shared.usage.rules import DayCalls, daily_calls

NOW = datetime.fromisoformat("2026-03-02T00:00:00+08:00")
YESTERDAY = date(2026, 3, 1)


def calls(*counted: tuple[str, int, int]) -> DayCalls:
    """Yesterday's calls as the job reads them: its counters of (tag, calls, billable calls) through daily_calls."""
    counters = [UsageCounter(YESTERDAY, tag, total, billable, 0) for tag, total, billable in counted]
    return daily_calls(YESTERDAY, YESTERDAY, counters)[0]


CALLS = calls(("phone_2e", 30, 30), ("enhanced_authority_wechat", 12, 10))
PACK = Pack(account_id="acme", pack_id="pk_1", billing_tag="enhanced_authority_wechat", origin=PackOrigin.PURCHASE,
            size=1000, remaining=990, acquired_at=datetime.fromisoformat("2026-02-01T10:00:00+08:00"),
            effective_from=date(2026, 2, 1), expires_at=datetime.fromisoformat("2027-02-01T23:59:59+08:00"))


def bill(amount: str) -> Bill:
    line = BillLine(YESTERDAY, "phone_2e", 30, (), 30, Decimal("0.40"), Decimal(amount))
    return Bill("acme", SettlementCycle.DAILY, YESTERDAY, YESTERDAY, NOW, (line,))


def test_a_report_of_a_settled_day_has_its_calls_by_tag_and_the_bill_total():
    event = daily_report_event(SUBSCRIBER, CALLS, bill("12.00"), [PACK], NOW, SHANGHAI)

    assert (event.event_id, event.event_type, event.at) == ("daily_report#acme#2026-03-01", EventType.DAILY_REPORT,
                                                            NOW)
    assert event.detail == {
        "balance": "100.00",
        "runway_days": None,  # SUBSCRIBER has no postpaid charges in the 7 days before 2026-03-02
        "date": "2026-03-01",
        "calls": 42,
        "billable_calls": 40,
        "tags": [{"billing_tag": "enhanced_authority_wechat", "calls": 12, "billable_calls": 10},
                 {"billing_tag": "phone_2e", "calls": 30, "billable_calls": 30}],
        "settled": True,
        "charges": "12.00",
        "packs_left": [{"pack_id": "pk_1", "billing_tag": "enhanced_authority_wechat", "remaining": 990,
                        "expires_at": "2027-02-01T23:59:59+08:00"}],
    }


def test_a_day_with_billable_calls_and_no_bill_yet_has_no_charges_and_is_not_settled():
    detail = daily_report_event(SUBSCRIBER, CALLS, None, [], NOW, SHANGHAI).detail

    assert (detail["settled"], detail["charges"]) == (False, None)


def test_a_day_without_billable_calls_needs_no_bill_and_charges_nothing():
    detail = daily_report_event(SUBSCRIBER, calls(("phone_2e", 3, 0)), None, [], NOW, SHANGHAI).detail

    assert (detail["calls"], detail["billable_calls"], detail["settled"], detail["charges"]) == (3, 0, True, "0.00")


def test_a_day_without_any_call_reports_zeros():
    detail = daily_report_event(SUBSCRIBER, calls(), None, [], NOW, SHANGHAI).detail

    assert (detail["calls"], detail["tags"], detail["charges"]) == (0, [], "0.00")


def test_the_packs_left_are_those_valid_now_with_calls_left():
    exhausted = replace(PACK, pack_id="pk_2", remaining=0)
    expired = replace(PACK, pack_id="pk_3", expires_at=datetime.fromisoformat("2026-03-01T23:59:59+08:00"))
    refunded = replace(PACK, pack_id="pk_4", recorded_status=PackStatus.REFUNDED)

    detail = daily_report_event(SUBSCRIBER, calls(), None, [PACK, exhausted, expired, refunded], NOW, SHANGHAI).detail

    assert [pack["pack_id"] for pack in detail["packs_left"]] == ["pk_1"]


# -- which job sends the report: what the lifecycle run leaves to the settlement, and what the settlement sends

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUBSCRIBER = Account(
    account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None, settlement_cycle=SettlementCycle.DAILY,
    postpaid_enabled=True, balance=Decimal("100.00"), wallets=Wallets(cash=Decimal("100.00")), contacts=Contacts(),
    locale=Locale.ZH_CN, daily_report=True, activated_at=datetime.fromisoformat("2025-01-01T09:00:00+08:00"),
    created_at=datetime.fromisoformat("2025-01-01T09:00:00+08:00"),
)
NOTICE = NOW - timedelta(hours=30)  # an arrears notice whose 24 hours ran out before this 00:00
UNSETTLED = [UsageCounter(YESTERDAY, "phone_2e", 30, 30, 0)]


def test_a_daily_account_whose_yesterday_has_unsettled_billable_calls_and_no_bill_is_left_to_the_settlement():
    assert left_to_settlement(SUBSCRIBER, UNSETTLED, False, NOW)


def test_a_day_with_its_bill_already_there_is_reported_by_the_lifecycle_run():
    assert not left_to_settlement(SUBSCRIBER, UNSETTLED, True, NOW)


def test_a_day_with_nothing_billable_or_everything_settled_is_reported_by_the_lifecycle_run():
    free = [UsageCounter(YESTERDAY, "phone_2e", 30, 0, 0)]
    settled = [UsageCounter(YESTERDAY, "phone_2e", 30, 30, 0, settled_billable=30)]

    assert not left_to_settlement(SUBSCRIBER, free, False, NOW)
    assert not left_to_settlement(SUBSCRIBER, settled, False, NOW)
    assert not left_to_settlement(SUBSCRIBER, [], False, NOW)


def test_a_monthly_account_is_reported_by_the_lifecycle_run_its_days_are_charged_at_the_months_end():
    monthly = replace(SUBSCRIBER, settlement_cycle=SettlementCycle.MONTHLY)

    assert not left_to_settlement(monthly, UNSETTLED, False, NOW)


def test_an_account_whose_usage_waits_at_the_run_is_reported_by_the_lifecycle_run():
    owing = replace(SUBSCRIBER, status=AccountStatus.ARREARS, balance=Decimal("-5.00"),
                    wallets=Wallets(cash=Decimal("-5.00")), arrears_since=NOTICE,
                    suspend_at=NOTICE + timedelta(hours=24))
    for_violation = replace(SUBSCRIBER, status=AccountStatus.SUSPENDED, suspension_reason=SuspensionReason.VIOLATION)
    released = replace(owing, status=AccountStatus.RELEASED, release_at=NOW - timedelta(hours=1),
                       released_at=NOW - timedelta(hours=1))

    # Suspended at this very 00:00, though the arrears check may not have recorded it yet: settlement waits too.
    assert not left_to_settlement(owing, UNSETTLED, False, NOW)
    assert not left_to_settlement(for_violation, UNSETTLED, False, NOW)
    assert not left_to_settlement(released, UNSETTLED, False, NOW)


def test_an_account_in_arrears_not_yet_suspended_still_settles_so_its_report_is_left_to_the_settlement():
    owing = replace(SUBSCRIBER, status=AccountStatus.ARREARS, balance=Decimal("-5.00"),
                    wallets=Wallets(cash=Decimal("-5.00")), arrears_since=NOW - timedelta(hours=2),
                    suspend_at=NOW + timedelta(hours=22))

    assert left_to_settlement(owing, UNSETTLED, False, NOW)


def test_the_settlement_of_the_night_sends_a_subscribers_report_with_the_bill_of_yesterday():
    assert sent_with_its_bill(SUBSCRIBER, bill("12.00"), SHANGHAI)


def test_the_settlement_sends_no_report_to_an_account_that_does_not_subscribe():
    assert not sent_with_its_bill(replace(SUBSCRIBER, daily_report=False), bill("12.00"), SHANGHAI)


def test_a_bill_written_by_a_later_nights_run_sends_no_report_the_report_is_of_last_night():
    caught_up = replace(bill("12.00"), settled_at=NOW + timedelta(days=1))

    assert not sent_with_its_bill(SUBSCRIBER, caught_up, SHANGHAI)


def test_a_retried_or_finished_later_settlement_of_the_night_still_sends_it():
    # The bill keeps the instant of the run that wrote it, whenever its after-commit work is done.
    assert sent_with_its_bill(SUBSCRIBER, replace(bill("12.00"), settled_at=NOW), SHANGHAI)


def test_a_bill_of_late_calls_alone_sends_no_report_yesterday_had_nothing_billable_of_its_own():
    late = BillLine(date(2026, 2, 27), "phone_2e", 3, (), 3, Decimal("0.40"), Decimal("1.20"), late=True)

    assert not sent_with_its_bill(SUBSCRIBER, replace(bill("12.00"), lines=(late,)), SHANGHAI)


def test_a_monthly_bill_sends_no_report():
    monthly = replace(bill("12.00"), cycle=SettlementCycle.MONTHLY, period_start=date(2026, 2, 1),
                      period_end=date(2026, 2, 28))

    assert not sent_with_its_bill(SUBSCRIBER, monthly, SHANGHAI)


def test_the_night_after_is_the_next_billing_date_in_the_deployments_zone_even_after_a_23_hour_day():
    new_york = ZoneInfo("America/New_York")

    def settled_at_the_9th(day: date) -> Bill:
        line = BillLine(day, "phone_2e", 30, (), 30, Decimal("0.40"), Decimal("12.00"))
        return Bill("acme", SettlementCycle.DAILY, day, day, datetime(2026, 3, 9, tzinfo=new_york), (line,))

    # 8 March 2026 is 23 hours long in New York: 24 hours before the 9th's 00:00 is still the 7th.
    assert sent_with_its_bill(SUBSCRIBER, settled_at_the_9th(date(2026, 3, 8)), new_york)
    assert not sent_with_its_bill(SUBSCRIBER, settled_at_the_9th(date(2026, 3, 7)), new_york)
