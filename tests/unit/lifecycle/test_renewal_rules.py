"""The rules of pack auto-renewal (自动续费): which packs take the switch, when a renewal is tried, when its
retries end, and what its events carry."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.accounts.models import Pack, PackOrigin, PackStatus, PackView, Payment
from shared.lifecycle.errors import NotRenewableOrigin, PackEnded
from shared.lifecycle.models import PendingRenewal
from shared.lifecycle.renewal import (
    RENEWAL_RETRY_DAYS,
    RenewalRefusal,
    RenewalStep,
    auto_renew_refusal,
    last_retry_date,
    next_attempt_after_failure,
    renewal_dates_to_visit,
    renewal_due_at_expiry,
    renewal_failed_event,
    renewal_purchase_id,
    renewal_shortfall,
    renewal_step,
    renewed_event,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXPIRES = datetime(2027, 3, 2, 23, 59, 59, tzinfo=SHANGHAI)
FIRST_RUN = date(2027, 3, 3)  # the 00:00 that expires it
LAST_RETRY = date(2027, 3, 10)


def bought(**changes) -> Pack:
    fields = dict(account_id="acme", pack_id="pk_old", billing_tag="phone_2e", origin=PackOrigin.PURCHASE, size=1000,
                  remaining=1000, acquired_at=datetime(2026, 3, 2, 10, tzinfo=SHANGHAI),
                  effective_from=date(2026, 3, 2),
                  expires_at=EXPIRES, purchase_id="p-1", paid=Payment(cash=Decimal("400.00")), auto_renew=True)
    return Pack(**{**fields, **changes})


def pending(due: date = FIRST_RUN, failed_on: date | None = None, **changes) -> PendingRenewal:
    return PendingRenewal(bought(recorded_status=PackStatus.EXPIRED, **changes), due, failed_on)


# -- the switch


def test_a_live_bought_pack_takes_the_switch_active_or_exhausted():
    assert auto_renew_refusal(bought(), EXPIRES) is None
    assert auto_renew_refusal(bought(remaining=0), EXPIRES) is None


@pytest.mark.parametrize("origin", [PackOrigin.FREE_QUOTA, PackOrigin.PROMOTION])
def test_free_quota_and_promotion_packs_are_not_renewable(origin):
    refusal = auto_renew_refusal(bought(origin=origin, paid=None, purchase_id=None), EXPIRES)

    assert isinstance(refusal, NotRenewableOrigin) and refusal.code == "NOT_RENEWABLE_ORIGIN"


def test_an_expired_or_refunded_pack_has_ended_the_instant_after_its_last_valid_one_too():
    after = EXPIRES + timedelta(seconds=1)

    assert isinstance(auto_renew_refusal(bought(), after), PackEnded)  # recorded active, but over
    assert isinstance(auto_renew_refusal(bought(recorded_status=PackStatus.EXPIRED), EXPIRES), PackEnded)
    refunded = auto_renew_refusal(bought(recorded_status=PackStatus.REFUNDED), EXPIRES)
    assert isinstance(refunded, PackEnded) and refunded.code == "PACK_ENDED"


# -- when it is tried


def test_the_renewal_of_a_pack_is_one_purchase_id_for_every_attempt():
    assert renewal_purchase_id(bought()) == "renew:pk_old"


def test_only_a_bought_auto_renew_pack_is_due_at_its_expiry():
    assert renewal_due_at_expiry(bought(), FIRST_RUN) == FIRST_RUN
    assert renewal_due_at_expiry(bought(auto_renew=False), FIRST_RUN) is None
    assert renewal_due_at_expiry(bought(origin=PackOrigin.PROMOTION), FIRST_RUN) is None


def test_retries_end_7_days_after_the_run_that_expires_the_pack():
    assert last_retry_date(bought(), SHANGHAI) == LAST_RETRY == FIRST_RUN + timedelta(days=RENEWAL_RETRY_DAYS)


def test_the_first_attempt_is_at_the_expiring_run_and_a_failure_waits_for_the_next_day():
    assert renewal_step(pending(), FIRST_RUN, SHANGHAI) is RenewalStep.ATTEMPT
    after_failure = pending(due=FIRST_RUN + timedelta(days=1), failed_on=FIRST_RUN)

    assert renewal_step(after_failure, FIRST_RUN, SHANGHAI) is RenewalStep.WAIT  # a rerun of the same night
    assert renewal_step(after_failure, FIRST_RUN + timedelta(days=1), SHANGHAI) is RenewalStep.ATTEMPT


def test_a_failure_is_retried_up_to_the_last_retry_date_then_no_more():
    assert next_attempt_after_failure(bought(), FIRST_RUN, SHANGHAI) == date(2027, 3, 4)
    assert next_attempt_after_failure(bought(), LAST_RETRY - timedelta(days=1), SHANGHAI) == LAST_RETRY
    assert next_attempt_after_failure(bought(), LAST_RETRY, SHANGHAI) is None


def test_a_retry_left_over_past_the_last_retry_date_stops_untried():
    left_over = pending(due=date(2027, 3, 9), failed_on=date(2027, 3, 8))

    assert renewal_step(left_over, LAST_RETRY, SHANGHAI) is RenewalStep.ATTEMPT
    assert renewal_step(left_over, LAST_RETRY + timedelta(days=1), SHANGHAI) is RenewalStep.STOP


def test_an_expiry_made_weeks_late_still_tries_its_renewal_once():
    late = date(2027, 4, 1)

    assert renewal_step(pending(due=late), late, SHANGHAI) is RenewalStep.ATTEMPT
    assert next_attempt_after_failure(bought(), late, SHANGHAI) is None


@given(expiry=st.dates(date(2024, 1, 1), date(2030, 12, 31)), offsets=st.lists(st.integers(0, 20), max_size=30))
def test_a_renewal_is_tried_at_most_once_a_day_and_never_retried_past_its_window(expiry, offsets):
    """Whatever runs fire (reruns, missed nights), refused every time: attempts fall on distinct dates, in order,
    the first at the first run, none after the last retry date."""
    pack = bought(expires_at=datetime.combine(expiry, datetime.max.time().replace(microsecond=0), SHANGHAI))
    first = expiry + timedelta(days=1)
    state: PendingRenewal | None = PendingRenewal(pack, first)
    attempts = []
    for run_day in sorted(first + timedelta(days=offset) for offset in offsets):
        if state is None:
            break
        step = renewal_step(state, run_day, SHANGHAI)
        if step is RenewalStep.STOP:
            state = None
        elif step is RenewalStep.ATTEMPT:
            attempts.append(run_day)
            following = next_attempt_after_failure(pack, run_day, SHANGHAI)
            state = None if following is None else PendingRenewal(pack, following, run_day)

    assert attempts == sorted(set(attempts))
    assert all(day <= last_retry_date(pack, SHANGHAI) for day in attempts[1:])
    if offsets:
        assert attempts[:1] == [first + timedelta(days=min(offsets))]


@given(today=st.dates(date(2025, 1, 1), date(2030, 1, 1)), behind=st.integers(1, 400))
def test_a_run_reads_every_due_date_left_since_the_expiry_mark_up_to_today(today, behind):
    done_through = today - timedelta(days=behind)
    dates = renewal_dates_to_visit(today, done_through)

    assert dates[-1] == today
    assert dates == sorted(set(dates)) and len(dates) == (dates[-1] - dates[0]).days + 1
    assert dates[0] <= min(today, done_through + timedelta(days=1)) - timedelta(days=RENEWAL_RETRY_DAYS)


def test_a_first_run_reads_the_week_before_today():
    assert renewal_dates_to_visit(FIRST_RUN, None)[0] == FIRST_RUN - timedelta(days=RENEWAL_RETRY_DAYS + 1)


# -- what it says


@pytest.mark.parametrize(("price", "balance", "short"), [
    ("400.00", "150.00", "250.00"), ("400.00", "-20.00", "400.00"), ("400.00", "400.00", "0"),
    ("400.00", "0", "400.00"),
])
def test_the_shortfall_is_what_the_balance_above_zero_lacks(price, balance, short):
    assert renewal_shortfall(Decimal(price), Decimal(balance)) == Decimal(short)


@given(price=st.decimals("0.01", "1000000", places=2), balance=st.decimals("-100000", "1000000", places=2))
def test_the_shortfall_and_what_the_balance_can_pay_make_the_price(price, balance):
    short = renewal_shortfall(price, balance)

    assert short >= 0
    assert short == 0 or short + max(Decimal(0), balance) == price


def test_pack_renewed_has_one_id_per_renewed_pack_and_the_new_pack_s_figures():
    new = bought(pack_id="pk_new", purchase_id="renew:pk_old", expires_at=EXPIRES + timedelta(days=366))
    event = renewed_event(bought(), PackView(new, PackStatus.ACTIVE, True), new.acquired_at)

    assert event.event_id == "pack_renewed#acme#pk_old"
    assert event.detail == {"renewed_pack_id": "pk_old", "pack_id": "pk_new", "purchase_id": "renew:pk_old",
                            "billing_tag": "phone_2e", "size": 1000, "price": "400.00", "paid": "400.00",
                            "expires_at": "2028-03-02T23:59:59+08:00"}


def test_pack_renewal_failed_has_one_id_per_attempt_day_and_says_when_retries_end():
    first = renewal_failed_event(pending(), FIRST_RUN, datetime(2027, 3, 3, tzinfo=SHANGHAI),
                                 reason=RenewalRefusal.INSUFFICIENT_BALANCE, price=Decimal("400.00"),
                                 balance=Decimal("150.00"), zone=SHANGHAI)
    last = renewal_failed_event(pending(), LAST_RETRY, datetime(2027, 3, 10, tzinfo=SHANGHAI),
                                reason=RenewalRefusal.ACCOUNT_SUSPENDED, price=Decimal("400.00"),
                                balance=Decimal("500.00"), zone=SHANGHAI)

    assert first.event_id == "pack_renewal_failed#acme#pk_old#2027-03-03"
    assert first.detail == {"pack_id": "pk_old", "billing_tag": "phone_2e", "size": 1000,
                            "reason": "INSUFFICIENT_BALANCE", "price": "400.00", "balance": "150.00",
                            "shortfall": "250.00", "attempt_date": "2027-03-03", "next_attempt_date": "2027-03-04",
                            "last_retry_date": "2027-03-10"}
    assert last.event_id == "pack_renewal_failed#acme#pk_old#2027-03-10"
    assert (last.detail["shortfall"], last.detail["next_attempt_date"]) == (None, None)
