from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.pricing import (
    DAILY_SETTLEMENT_FROM,
    FREE_QUOTA_SIZE,
    billing_date,
    billing_day_bounds,
    free_quota_on_activation,
    free_quota_on_eid_merchant,
    purchased_pack_validity,
    refund_deadline,
    refund_window_open,
    settlement_cycle,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
PLUS_8 = timezone(timedelta(hours=8))

ACTIVATION_TAGS = [
    "enhanced_authority_wechat",
    "enhanced_upload_wechat",
    "enhanced_authority_app",
    "enhanced_upload_app",
    "enhanced_authority_overlay_h5",
    "enhanced_upload_overlay_h5",
    "basic_authority",
    "basic_upload",
]


# --- settlement cycle -----------------------------------------------------------------------------


def test_accounts_activated_before_2023_01_04_settle_monthly_and_from_then_daily():
    assert settlement_cycle(datetime(2023, 1, 3, 23, 59, 59, tzinfo=PLUS_8)) == "monthly"
    assert settlement_cycle(datetime(2023, 1, 4, 0, 0, tzinfo=PLUS_8)) == "daily"
    assert DAILY_SETTLEMENT_FROM.astimezone(SHANGHAI) == datetime(2023, 1, 4, tzinfo=SHANGHAI)


def test_the_settlement_switch_is_an_instant_whatever_zone_it_is_written_in():
    assert settlement_cycle(datetime(2023, 1, 3, 15, 59, 59, tzinfo=UTC)) == "monthly"
    assert settlement_cycle(datetime(2023, 1, 3, 16, 0, 0, tzinfo=UTC)) == "daily"


def test_a_naive_activation_instant_is_refused():
    with pytest.raises(ValueError):
        settlement_cycle(datetime(2023, 1, 4))


# --- billing day ----------------------------------------------------------------------------------


def test_a_call_belongs_to_its_shanghai_day_even_when_given_in_utc():
    last_second = datetime(2024, 3, 1, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    next_midnight = datetime(2024, 3, 1, 16, 0, 0, tzinfo=UTC)  # 00:00:00 in Shanghai
    assert billing_date(last_second, SHANGHAI) == date(2024, 3, 1)
    assert billing_date(next_midnight, SHANGHAI) == date(2024, 3, 2)


def test_a_naive_instant_has_no_billing_day():
    with pytest.raises(ValueError):
        billing_date(datetime(2024, 3, 1, 12, 0), SHANGHAI)


def test_billing_days_last_23_and_25_hours_on_dst_days():
    spring_start, spring_end = billing_day_bounds(date(2024, 3, 10), NEW_YORK)
    fall_start, fall_end = billing_day_bounds(date(2024, 11, 3), NEW_YORK)
    assert (spring_end.astimezone(UTC) - spring_start.astimezone(UTC)) == timedelta(hours=23)
    assert (fall_end.astimezone(UTC) - fall_start.astimezone(UTC)) == timedelta(hours=25)
    assert billing_date(fall_end - timedelta(microseconds=1), NEW_YORK) == date(2024, 11, 3)


# --- free quota -----------------------------------------------------------------------------------


def test_activation_grants_100_calls_of_each_enhanced_and_basic_tag_for_one_year():
    activated_at = datetime(2024, 5, 14, 23, 59, 59, tzinfo=PLUS_8)
    grants = free_quota_on_activation(activated_at)
    assert [grant.billing_tag for grant in grants] == ACTIVATION_TAGS
    assert {grant.size for grant in grants} == {FREE_QUOTA_SIZE} == {100}
    assert {(grant.valid_from, grant.expires_at) for grant in grants} == {
        (activated_at, datetime(2025, 5, 14, 23, 59, 59, tzinfo=PLUS_8))
    }


def test_the_photo_v2_free_quota_starts_with_accounts_activated_from_2024_05_15():
    before = free_quota_on_activation(datetime(2024, 5, 14, 23, 59, 59, tzinfo=PLUS_8))
    from_then = free_quota_on_activation(datetime(2024, 5, 15, 0, 0, tzinfo=PLUS_8))
    assert "photo_verification_v2" not in {grant.billing_tag for grant in before}
    assert [grant.billing_tag for grant in from_then] == [*ACTIVATION_TAGS, "photo_verification_v2"]


def test_the_photo_v2_switch_is_an_instant_whatever_zone_it_is_written_in():
    grants = free_quota_on_activation(datetime(2024, 5, 14, 16, 0, tzinfo=UTC))
    assert grants[-1].billing_tag == "photo_verification_v2"


def test_a_free_quota_granted_on_29_february_expires_on_28_february():
    (grant, *_) = free_quota_on_activation(datetime(2024, 2, 29, 9, 30, tzinfo=PLUS_8))
    assert grant.expires_at == datetime(2025, 2, 28, 9, 30, tzinfo=PLUS_8)


def test_the_eid_merchant_grant_is_one_pack_of_100_for_a_year():
    granted_at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=PLUS_8)
    grant = free_quota_on_eid_merchant(granted_at)
    assert (grant.billing_tag, grant.size, grant.valid_from) == ("eid_authority", 100, granted_at)
    assert grant.expires_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=PLUS_8)


# --- purchased packs ------------------------------------------------------------------------------


def test_a_bought_pack_counts_from_midnight_of_its_day_to_23_59_59_a_year_on():
    bought = datetime(2021, 5, 6, 16, 7, 54, tzinfo=SHANGHAI)
    effective_from, expires_at = purchased_pack_validity(bought, SHANGHAI)
    assert effective_from == date(2021, 5, 6)
    assert expires_at == datetime(2022, 5, 6, 23, 59, 59, tzinfo=SHANGHAI)
    assert expires_at.tzinfo == SHANGHAI


def test_a_pack_bought_on_29_february_expires_on_28_february():
    bought = datetime(2024, 2, 29, 10, 0, tzinfo=SHANGHAI)
    assert purchased_pack_validity(bought, SHANGHAI) == (
        date(2024, 2, 29),
        datetime(2025, 2, 28, 23, 59, 59, tzinfo=SHANGHAI),
    )


def test_a_pack_bought_late_in_the_evening_utc_belongs_to_the_next_shanghai_day():
    effective_from, expires_at = purchased_pack_validity(datetime(2024, 2, 28, 16, 30, tzinfo=UTC), SHANGHAI)
    assert effective_from == date(2024, 2, 29)
    assert expires_at == datetime(2025, 2, 28, 23, 59, 59, tzinfo=SHANGHAI)


# --- refund window --------------------------------------------------------------------------------


def test_a_pack_bought_on_10_01_is_refundable_until_10_08_23_59_59_in_shanghai():
    bought = datetime(2020, 10, 1, 9, 0, tzinfo=SHANGHAI)
    assert refund_window_open(bought, datetime(2020, 10, 8, 23, 59, 59, tzinfo=SHANGHAI), SHANGHAI)
    assert not refund_window_open(bought, datetime(2020, 10, 9, 0, 0, tzinfo=SHANGHAI), SHANGHAI)
    assert refund_deadline(bought, SHANGHAI) == datetime(2020, 10, 8, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def test_the_refund_window_closes_at_shanghai_midnight_when_now_is_given_in_utc():
    bought = datetime(2020, 10, 1, 0, 30, tzinfo=SHANGHAI)  # 2020-09-30 16:30 UTC
    assert refund_window_open(bought, datetime(2020, 10, 8, 15, 59, 59, tzinfo=UTC), SHANGHAI)
    assert not refund_window_open(bought, datetime(2020, 10, 8, 16, 0, 0, tzinfo=UTC), SHANGHAI)


def test_the_refund_window_spanning_spring_forward_closes_at_new_york_midnight():
    # Bought 2024-03-05 (EST); the window spans the 03-10 switch and ends 03-12 23:59:59 EDT = 03:59:59 UTC
    bought = datetime(2024, 3, 5, 12, 0, tzinfo=NEW_YORK)
    assert refund_window_open(bought, datetime(2024, 3, 13, 3, 59, 59, tzinfo=UTC), NEW_YORK)
    assert not refund_window_open(bought, datetime(2024, 3, 13, 4, 0, 0, tzinfo=UTC), NEW_YORK)


def test_the_refund_window_spanning_fall_back_closes_at_new_york_midnight():
    # Bought 2024-11-01 (EDT); the window spans the 11-03 switch and ends 11-08 23:59:59 EST = 04:59:59 UTC
    bought = datetime(2024, 11, 1, 23, 30, tzinfo=NEW_YORK)
    assert refund_window_open(bought, datetime(2024, 11, 9, 4, 59, 59, tzinfo=UTC), NEW_YORK)
    assert not refund_window_open(bought, datetime(2024, 11, 9, 5, 0, 0, tzinfo=UTC), NEW_YORK)
    assert not refund_window_open(bought, datetime(2024, 11, 9, 0, 0, tzinfo=NEW_YORK), NEW_YORK)


def test_a_naive_now_cannot_be_checked_against_the_refund_window():
    with pytest.raises(ValueError):
        refund_window_open(datetime(2020, 10, 1, tzinfo=SHANGHAI), datetime(2020, 10, 2), SHANGHAI)
