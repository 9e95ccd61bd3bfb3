"""Which packs a lifecycle run warns and expires, at 23:59:59 and 00:00, in Shanghai and in a zone with
daylight saving; how far a run brings the expiry mark; what an expiry books and announces."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import LedgerKind, Pack, PackOrigin, PackStatus, Wallet
from shared.events import EventType
from shared.lifecycle.models import TrackedPack
from shared.lifecycle.rules import (
    breakage_entry,
    dates_to_visit,
    done_through_after_run,
    expired_event,
    expiring_event,
    should_expire,
    should_warn,
)
from shared.pricing import purchased_pack_validity, start_of_billing_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def bought(at: str, zone: ZoneInfo = SHANGHAI, *, remaining: int = 1000,
           status: PackStatus = PackStatus.ACTIVE) -> Pack:
    acquired = datetime.fromisoformat(at)
    effective_from, expires_at = purchased_pack_validity(acquired, zone)
    return Pack(account_id="acme", pack_id="pk_1", billing_tag="enhanced_authority_wechat", origin=PackOrigin.PURCHASE,
                size=1000, remaining=remaining, acquired_at=acquired, effective_from=effective_from,
                expires_at=expires_at, recorded_status=status)


def gifted(activated_at: str, expires_at: str) -> Pack:
    return Pack(account_id="acme", pack_id="pk_2", billing_tag="basic_authority", origin=PackOrigin.FREE_QUOTA,
                size=100, remaining=100, acquired_at=datetime.fromisoformat(activated_at),
                effective_from=date.fromisoformat(activated_at[:10]), expires_at=datetime.fromisoformat(expires_at))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def midnight(day: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return start_of_billing_day(date.fromisoformat(day), zone)


def tracked(pack: Pack, *, notified: bool = False) -> TrackedPack:
    return TrackedPack(pack, expiring_notified=notified)


# -- expiry


def test_a_bought_pack_is_still_valid_at_23_59_59_of_its_date_and_expired_at_the_next_00_00():
    pack = bought("2026-03-02T10:00:00+08:00")  # expires 2027-03-02 23:59:59

    assert not should_expire(pack, at("2027-03-02T23:59:59+08:00"))
    assert should_expire(pack, at("2027-03-03T00:00:00+08:00"))


def test_a_gifted_pack_expires_at_the_instant_it_was_granted_a_year_on():
    pack = gifted("2026-03-02T10:00:00+08:00", "2027-03-02T10:00:00+08:00")

    assert not should_expire(pack, midnight("2027-03-02"))
    assert not should_expire(pack, at("2027-03-02T10:00:00+08:00"))  # its last valid instant
    assert should_expire(pack, at("2027-03-02T10:00:01+08:00"))
    assert should_expire(pack, midnight("2027-03-03"))


def test_an_exhausted_pack_expires_too_its_breakage_is_zero_calls():
    pack = bought("2026-03-02T10:00:00+08:00", remaining=0)

    assert should_expire(pack, midnight("2027-03-03"))
    assert breakage_entry(pack).details["calls"] == 0


@pytest.mark.parametrize("status", [PackStatus.EXPIRED, PackStatus.REFUNDED])
def test_a_pack_recorded_expired_or_refunded_is_not_expired_again(status):
    assert not should_expire(bought("2026-03-02T10:00:00+08:00", status=status), midnight("2027-03-03"))


def test_in_a_daylight_saving_zone_the_23_hour_day_and_the_25_hour_day_end_at_their_own_midnight():
    spring = bought("2025-03-08T12:00:00-05:00", NEW_YORK)  # expires 2026-03-08 23:59:59 EDT, a 23-hour day
    autumn = bought("2025-11-01T12:00:00-04:00", NEW_YORK)  # expires 2026-11-01 23:59:59 EST, a 25-hour day

    assert spring.expires_at.utcoffset() == timedelta(hours=-4)
    assert not should_expire(spring, at("2026-03-08T23:59:59-04:00"))
    assert should_expire(spring, midnight("2026-03-09", NEW_YORK))
    assert not should_expire(autumn, at("2026-11-01T23:30:00-05:00"))
    assert should_expire(autumn, midnight("2026-11-02", NEW_YORK))


# -- warnings


def test_a_pack_is_warned_when_its_expiry_date_is_7_days_ahead_not_8():
    pack = tracked(bought("2026-03-02T10:00:00+08:00"))

    assert not should_warn(pack, midnight("2027-02-22"), SHANGHAI)
    assert should_warn(pack, midnight("2027-02-23"), SHANGHAI)


def test_a_pack_once_warned_is_not_warned_again():
    assert not should_warn(tracked(bought("2026-03-02T10:00:00+08:00"), notified=True), midnight("2027-02-24"),
                           SHANGHAI)


def test_a_pack_not_warned_in_time_is_warned_late_until_its_last_valid_instant():
    pack = tracked(bought("2026-03-02T10:00:00+08:00"))

    assert should_warn(pack, midnight("2027-02-26"), SHANGHAI)
    assert should_warn(pack, midnight("2027-03-02"), SHANGHAI)
    assert not should_warn(pack, midnight("2027-03-03"), SHANGHAI)


def test_a_pack_with_nothing_left_is_not_warned():
    assert not should_warn(tracked(bought("2026-03-02T10:00:00+08:00", remaining=0)), midnight("2027-02-23"),
                           SHANGHAI)


def test_warnings_count_billing_dates_in_the_zone_across_a_daylight_saving_change():
    pack = tracked(bought("2025-03-14T12:00:00-04:00", NEW_YORK))  # expires 2026-03-14, after DST began on the 8th

    assert not should_warn(pack, midnight("2026-03-06", NEW_YORK), NEW_YORK)
    assert should_warn(pack, midnight("2026-03-07", NEW_YORK), NEW_YORK)
    assert expiring_event(pack.pack, midnight("2026-03-07", NEW_YORK), NEW_YORK).detail["days_left"] == 7


# -- the dates a run reads, and how far it gets


def test_a_run_reads_the_dates_after_the_last_one_done_up_to_a_week_ahead():
    assert dates_to_visit(date(2027, 3, 3), date(2027, 3, 2)) == [date(2027, 3, 3) + timedelta(days=n)
                                                                  for n in range(8)]


def test_a_run_after_missed_runs_reads_every_date_they_left():
    visited = dates_to_visit(date(2027, 3, 10), date(2027, 3, 2))

    assert (visited[0], visited[-1], len(visited)) == (date(2027, 3, 3), date(2027, 3, 17), 15)


def test_the_first_run_looks_a_week_back():
    assert dates_to_visit(date(2027, 3, 10), None)[0] == date(2027, 3, 3)


def test_a_run_of_an_earlier_day_than_the_mark_reads_from_its_own_day():
    assert dates_to_visit(date(2027, 3, 1), date(2027, 3, 5))[0] == date(2027, 3, 1)


def test_the_mark_moves_to_yesterday_when_every_date_went_through():
    visited = dates_to_visit(date(2027, 3, 10), date(2027, 3, 2))

    assert done_through_after_run(visited, set(), date(2027, 3, 10)) == date(2027, 3, 9)
    assert done_through_after_run(visited, {date(2027, 3, 12)}, date(2027, 3, 10)) == date(2027, 3, 9)


def test_the_mark_stops_before_the_first_date_that_failed():
    visited = dates_to_visit(date(2027, 3, 10), date(2027, 3, 2))

    assert done_through_after_run(visited, {date(2027, 3, 6), date(2027, 3, 8)}, date(2027, 3, 10)) == date(2027, 3, 5)
    assert done_through_after_run(visited, {date(2027, 3, 3)}, date(2027, 3, 10)) is None


# -- what an expiry books and announces


def test_the_breakage_entry_books_the_unused_calls_at_amount_zero_on_the_cash_wallet():
    pack = bought("2026-03-02T10:00:00+08:00", remaining=400)

    entry = breakage_entry(pack)

    assert (entry.kind, entry.wallet, entry.amount, entry.ref) == (LedgerKind.PACK_BREAKAGE, Wallet.CASH,
                                                                   Decimal("0.00"), "pk_1")
    assert entry.at == pack.expires_at
    assert dict(entry.details) == {"pack_id": "pk_1", "billing_tag": "enhanced_authority_wechat", "calls": 400,
                                   "size": 1000}


def test_the_events_have_ids_stable_per_account_and_pack():
    pack = bought("2026-03-02T10:00:00+08:00", remaining=400)

    expiring = expiring_event(pack, midnight("2027-02-23"), SHANGHAI)
    expired = expired_event(pack, 400)

    assert (expiring.event_id, expiring.event_type) == ("pack_expiring#acme#pk_1", EventType.PACK_EXPIRING)
    assert expiring.detail == {"pack_id": "pk_1", "billing_tag": "enhanced_authority_wechat", "origin": "purchase",
                               "size": 1000, "expires_at": "2027-03-02T23:59:59+08:00", "remaining": 400,
                               "days_left": 7}
    assert (expired.event_id, expired.event_type, expired.at) == ("pack_expired#acme#pk_1", EventType.PACK_EXPIRED,
                                                                  pack.expires_at)
    assert expired.detail["unused_calls"] == 400
