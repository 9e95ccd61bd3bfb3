"""The daily report: yesterday's calls from the counters, the charges if yesterday is settled, the packs left."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from shared.accounts.models import Pack, PackOrigin, PackStatus
from shared.events import EventType
from shared.lifecycle.report import daily_report_event
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
    event = daily_report_event("acme", CALLS, bill("12.00"), [PACK], NOW)

    assert (event.event_id, event.event_type, event.at) == ("daily_report#acme#2026-03-01", EventType.DAILY_REPORT,
                                                            NOW)
    assert event.detail == {
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
    detail = daily_report_event("acme", CALLS, None, [], NOW).detail

    assert (detail["settled"], detail["charges"]) == (False, None)


def test_a_day_without_billable_calls_needs_no_bill_and_charges_nothing():
    detail = daily_report_event("acme", calls(("phone_2e", 3, 0)), None, [], NOW).detail

    assert (detail["calls"], detail["billable_calls"], detail["settled"], detail["charges"]) == (3, 0, True, "0.00")


def test_a_day_without_any_call_reports_zeros():
    detail = daily_report_event("acme", calls(), None, [], NOW).detail

    assert (detail["calls"], detail["tags"], detail["charges"]) == (0, [], "0.00")


def test_the_packs_left_are_those_valid_now_with_calls_left():
    exhausted = replace(PACK, pack_id="pk_2", remaining=0)
    expired = replace(PACK, pack_id="pk_3", expires_at=datetime.fromisoformat("2026-03-01T23:59:59+08:00"))
    refunded = replace(PACK, pack_id="pk_4", recorded_status=PackStatus.REFUNDED)

    detail = daily_report_event("acme", calls(), None, [PACK, exhausted, expired, refunded], NOW).detail

    assert [pack["pack_id"] for pack in detail["packs_left"]] == ["pk_1"]
