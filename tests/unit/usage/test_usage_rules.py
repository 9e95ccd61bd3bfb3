"""Usage estimates and the entitlement answer, over every unsettled day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from shared.pricing import PackBalance, PackKind
from shared.store.usage import UsageCounter
from shared.usage.rules import EntitlementReason, day_usage, entitlement

TAG = "enhanced_authority_wechat"
TODAY = date(2026, 3, 10)


def pack(pack_id: str, remaining: int, kind: PackKind = PackKind.PURCHASED, expires_on: date = date(2027, 1, 1)):
    return PackBalance(pack_id, TAG, kind, remaining, date(2026, 1, 1), expires_on, datetime(2026, 1, 1, tzinfo=UTC))


def counter(day: date, billable: int, settled: int = 0) -> UsageCounter:
    return UsageCounter(day, TAG, billable, billable, 0, {"0": billable}, settled)


def test_the_seed_example_estimates_a_10000_pack_and_6000_yuan_postpaid():
    usage = day_usage(TODAY, TODAY, [counter(TODAY, 15_000)], [pack("p1", 10_000)])

    (tag,) = usage.tags
    assert (tag.estimated_pack_calls, tag.estimated_postpaid_amount) == (10_000, Decimal("6000.00"))
    assert usage.settled is False


def test_an_earlier_unsettled_day_uses_the_pack_first():
    yesterday = date(2026, 3, 9)
    counters = [counter(yesterday, 8_000), counter(TODAY, 5_000)]

    tag = day_usage(TODAY, TODAY, counters, [pack("p1", 10_000)]).tags[0]

    assert tag.estimated_pack_calls == 2_000
    assert tag.estimated_postpaid_amount == Decimal("3600.00")


def test_settled_calls_are_not_estimated_again_and_a_fully_settled_past_day_is_settled():
    yesterday = date(2026, 3, 9)

    usage = day_usage(yesterday, TODAY, [counter(yesterday, 100, settled=100)], [pack("p1", 10)])

    assert usage.settled is True
    assert usage.tags[0].estimated_pack_calls == 0


def test_suspended_and_released_accounts_are_refused_whatever_they_hold():
    assert entitlement("suspended", True, TAG, TODAY, [], [pack("p1", 100)]) is EntitlementReason.SUSPENDED
    assert entitlement("released", True, TAG, TODAY, [], [pack("p1", 100)]) is EntitlementReason.RELEASED


def test_an_account_in_arrears_is_still_served_until_it_is_suspended():
    assert entitlement("arrears", True, TAG, TODAY, [], []) is EntitlementReason.OK


def test_with_postpaid_off_the_unsettled_calls_of_every_day_count_against_the_packs():
    packs = [pack("free", 100, PackKind.GIFTED)]
    two_days_ago = date(2026, 3, 8)

    with_room = entitlement("active", False, TAG, TODAY, [counter(two_days_ago, 60), counter(TODAY, 39)], packs)
    exhausted = entitlement("active", False, TAG, TODAY, [counter(two_days_ago, 60), counter(TODAY, 40)], packs)

    assert with_room is EntitlementReason.OK
    assert exhausted is EntitlementReason.NO_PREPAID_LEFT_AND_POSTPAID_DISABLED


def test_an_expired_pack_gives_no_entitlement_today():
    packs = [pack("old", 100, expires_on=date(2026, 3, 9))]

    reason = entitlement("active", False, TAG, TODAY, [], packs)

    assert reason is EntitlementReason.NO_PREPAID_LEFT_AND_POSTPAID_DISABLED
