"""The deliveries' rules (API.md: Webhooks): the retry schedule after each failed attempt (5 s, 5 min, 30 min,
2 h, 5 h, 10 h, 10 h, then failed), a manual retry that settles a finished delivery without a schedule, the
delivery id and body that stay the same for an event, and the five days of failures that disable a webhook."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.instants import API_OFFSET, parse_instant
from shared.webhooks.models import AttemptOutcome, Delivery, DeliveryStatus, SealedSecret, Webhook, WebhookStatus
from shared.webhooks.rules import (
    DISABLE_AFTER,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    after_attempt,
    delivery_body,
    delivery_id,
    disable_due,
    failing_since,
    next_due,
    should_disable,
)

T0 = datetime(2026, 3, 10, 9, 30, tzinfo=API_OFFSET)
FAILED = AttemptOutcome(delivered=False, status_code=500)
NO_ANSWER = AttemptOutcome(delivered=False, error="timed out")
DELIVERED = AttemptOutcome(delivered=True, status_code=204)


def delivery(**fields) -> Delivery:
    return Delivery(**{"account_id": "acc_1", "webhook_id": "wh_1", "delivery_id": "dlv_1", "event_id": "evt_1",
                       "event_type": "balance_low", "body": "{}", "created_at": T0, **fields})


def webhook(**fields) -> Webhook:
    return Webhook(**{"account_id": "acc_1", "webhook_id": "wh_1", "url": "https://example.com/hook",
                      "event_types": None, "status": WebhookStatus.ENABLED, "created_at": T0,
                      "secret": SealedSecret(b"sealed"), **fields})


def attempt(current: Delivery, outcome: AttemptOutcome, at: datetime, *, scheduled: bool = True) -> Delivery:
    """One attempt as the worker makes it: the attempt is counted, then its outcome applied."""
    counted = Delivery(**{**current.__dict__, "attempts": current.attempts + 1})
    return after_attempt(counted, outcome, at, scheduled=scheduled)


# -- the retry schedule


def test_the_schedule_is_the_one_api_md_gives():
    assert [delay.total_seconds() for delay in RETRY_DELAYS] == [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600,
                                                                 10 * 3600]
    assert MAX_ATTEMPTS == 8


def test_each_failed_attempt_at_its_due_time_schedules_the_next_then_the_eighth_fails_the_delivery():
    current, at = delivery(), T0
    expected_gaps = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                     timedelta(hours=5), timedelta(hours=10), timedelta(hours=10)]
    dues = []
    for number in range(1, 8):
        current = attempt(current, FAILED, at)
        assert (current.status, current.attempts, current.last_attempt_at) == (DeliveryStatus.PENDING, number, at)
        dues.append(current.next_attempt_at)
        at = current.next_attempt_at
    assert [due - previous for due, previous in zip(dues, [T0, *dues[:-1]], strict=True)] == expected_gaps
    assert dues[0] == T0 + timedelta(seconds=5)
    assert dues[-1] == T0 + timedelta(seconds=5, minutes=35, hours=27)

    last = attempt(current, NO_ANSWER, at)
    assert (last.status, last.attempts, last.next_attempt_at) == (DeliveryStatus.FAILED, 8, None)
    assert (last.last_status_code, last.last_error, last.last_attempt_at) == (None, "timed out", at)


def test_a_late_attempt_schedules_the_next_from_when_it_was_made_not_from_when_it_was_due():
    late = T0 + timedelta(minutes=3)
    after_first = attempt(delivery(), FAILED, late)
    assert after_first.next_attempt_at == late + timedelta(seconds=5)


def test_next_due_counts_the_attempt_just_made():
    assert next_due(1, T0) == T0 + timedelta(seconds=5)
    assert next_due(2, T0) == T0 + timedelta(minutes=5)
    assert next_due(7, T0) == T0 + timedelta(hours=10)
    assert next_due(8, T0) is None
    assert next_due(9, T0) is None


def test_a_delivered_attempt_ends_the_schedule_and_keeps_its_status_code():
    pending = attempt(attempt(delivery(), FAILED, T0), FAILED, T0 + timedelta(seconds=5))
    done = attempt(pending, DELIVERED, pending.next_attempt_at)
    assert (done.status, done.attempts, done.next_attempt_at) == (DeliveryStatus.DELIVERED, 3, None)
    assert (done.last_status_code, done.last_error, done.last_attempt_at) == (204, None, pending.next_attempt_at)
    assert (done.body, done.event_id, done.delivery_id) == (pending.body, pending.event_id, pending.delivery_id)


def test_the_first_attempt_delivered_is_delivered():
    done = attempt(delivery(), DELIVERED, T0)
    assert (done.status, done.attempts, done.next_attempt_at, done.last_status_code) == (
        DeliveryStatus.DELIVERED, 1, None, 204)


def test_a_manual_retry_of_a_failed_delivery_settles_it_without_a_schedule():
    failed = delivery(status=DeliveryStatus.FAILED, attempts=8, last_status_code=500)
    later = T0 + timedelta(days=2)

    again_failed = attempt(failed, AttemptOutcome(delivered=False, status_code=502), later, scheduled=False)
    assert (again_failed.status, again_failed.attempts, again_failed.next_attempt_at) == (
        DeliveryStatus.FAILED, 9, None)
    assert (again_failed.last_status_code, again_failed.last_attempt_at) == (502, later)

    delivered = attempt(failed, DELIVERED, later, scheduled=False)
    assert (delivered.status, delivered.attempts, delivered.next_attempt_at) == (DeliveryStatus.DELIVERED, 9, None)


def test_a_manual_retry_of_a_delivered_delivery_that_fails_is_failed_with_no_schedule():
    # "one more attempt now, whatever its status": a failure does not restart the five-second schedule.
    delivered = delivery(status=DeliveryStatus.DELIVERED, attempts=1, last_status_code=200)
    again = attempt(delivered, FAILED, T0 + timedelta(hours=1), scheduled=False)
    assert (again.status, again.attempts, again.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)


def test_a_manual_retry_of_an_early_failed_delivery_does_not_pick_up_the_schedule_at_its_attempt_count():
    failed = delivery(status=DeliveryStatus.FAILED, attempts=2)
    assert attempt(failed, FAILED, T0, scheduled=False).next_attempt_at is None


# -- the delivery id and the body


def test_the_delivery_id_is_the_same_for_the_same_event():
    assert delivery_id(T0, "evt_1") == delivery_id(T0, "evt_1")
    assert delivery_id(T0, "evt_1") == delivery_id(T0.astimezone(UTC), "evt_1")
    assert delivery_id(T0, "evt_1") != delivery_id(T0, "evt_2")
    assert delivery_id(T0, "evt_1").startswith("dlv_")


def test_delivery_ids_sort_by_the_event_instant_whatever_the_event_ids():
    instants = [T0 + timedelta(milliseconds=n) for n in (0, 1, 999, 1000)] + [T0 + timedelta(days=400)]
    ids = [delivery_id(at, event_id) for at, event_id in zip(instants, ["evt_z", "evt_a", "evt_m", "evt_0", "a"],
                                                               strict=True)]
    assert sorted(ids) == ids
    assert len({len(one) for one in ids}) == 1


def test_the_delivery_id_carries_the_event_milliseconds_exactly():
    # int(timestamp() * 1000) gives 1085498341510 for this instant: the float loses the last millisecond.
    at = datetime(2004, 5, 25, 15, 19, 1, 511000, tzinfo=UTC)
    assert delivery_id(at, "evt_1")[4:17] == "1085498341511"
    assert delivery_id(at, "evt_1")[4:17] == delivery_id(at + timedelta(microseconds=999), "evt_1")[4:17]
    assert delivery_id(at - timedelta(milliseconds=1), "evt_1")[4:17] == "1085498341510"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1)),
       st.integers(min_value=1, max_value=10**11).map(lambda ms: timedelta(milliseconds=ms)), st.text(), st.text())
def test_an_event_a_millisecond_or_more_later_always_sorts_later(first, gap, first_id, second_id):
    first = first.replace(microsecond=first.microsecond // 1000 * 1000, tzinfo=UTC)
    assert delivery_id(first, first_id) < delivery_id(first + gap, second_id)
    assert delivery_id(first, first_id) == delivery_id(first.astimezone(API_OFFSET), first_id)


def test_the_body_is_the_same_bytes_for_the_same_event_and_has_exactly_the_five_keys():
    data = {"balance": "99.99", "threshold": "100.00", "note": "余额"}
    first = delivery_body("evt_1", "balance_low", "acc_1", T0, data)
    again = delivery_body("evt_1", "balance_low", "acc_1", T0.astimezone(UTC), dict(data))
    assert first.encode() == again.encode()
    assert "余额" in first  # the figures' text as it is, not \u-escaped

    parsed = json.loads(first)
    assert list(parsed) == ["event_id", "type", "account_id", "at", "data"]
    assert parsed["event_id"] == "evt_1" and parsed["type"] == "balance_low" and parsed["account_id"] == "acc_1"
    assert parsed["data"] == data
    assert parse_instant(parsed["at"]) == T0 and parsed["at"] == "2026-03-10T09:30:00+08:00"


def test_an_event_without_figures_is_sent_with_empty_data():
    assert json.loads(delivery_body("evt_1", "budget_reached", "acc_1", T0, None))["data"] == {}


def test_the_body_refuses_a_naive_instant():
    with pytest.raises(ValueError):
        delivery_body("evt_1", "balance_low", "acc_1", T0.replace(tzinfo=None), {})


# -- failing since, and disabling a webhook


def test_failing_since_starts_at_the_first_failure_keeps_it_and_a_delivery_ends_it():
    fresh = webhook()
    assert failing_since(fresh, FAILED, T0) == T0
    failing = webhook(failing_since=T0)
    assert failing_since(failing, NO_ANSWER, T0 + timedelta(days=3)) == T0
    assert failing_since(failing, DELIVERED, T0 + timedelta(days=3)) is None
    assert failing_since(fresh, DELIVERED, T0) is None


def test_a_webhook_is_disabled_after_five_days_of_failures_exactly():
    failing = webhook(failing_since=T0)
    assert DISABLE_AFTER.total_seconds() == 5 * 24 * 3600
    assert disable_due(failing) == T0 + timedelta(days=5)
    assert not should_disable(failing, T0 + timedelta(days=4, hours=23, minutes=59, seconds=59))
    assert should_disable(failing, T0 + timedelta(days=5))
    assert should_disable(failing, T0 + timedelta(days=9))


def test_a_webhook_that_is_not_failing_or_is_already_disabled_is_not_due_to_be_disabled():
    assert disable_due(webhook()) is None
    assert not should_disable(webhook(), T0 + timedelta(days=30))
    disabled = webhook(failing_since=T0, status=WebhookStatus.DISABLED, disabled_at=T0 + timedelta(days=5))
    assert disable_due(disabled) is None
    assert not should_disable(disabled, T0 + timedelta(days=30))


def test_a_disabled_webhook_wants_no_event_and_an_enabled_one_only_its_types():
    assert webhook().wants("anything_added_later")
    chosen = webhook(event_types=("balance_low",))
    assert chosen.wants("balance_low") and not chosen.wants("runway_low")
    assert not webhook(status=WebhookStatus.DISABLED).wants("balance_low")


def test_a_rotated_out_secret_signs_beside_the_new_one_for_its_24_hours_only():
    old = SealedSecret(b"old", valid_until=T0 + timedelta(hours=24))
    rotated = webhook(secret=SealedSecret(b"new"), previous_secret=old)
    assert rotated.signing_secrets(T0) == [SealedSecret(b"new"), old]
    assert rotated.signing_secrets(T0 + timedelta(hours=23, minutes=59)) == [SealedSecret(b"new"), old]
    assert rotated.signing_secrets(T0 + timedelta(hours=24)) == [SealedSecret(b"new")]
    assert webhook().signing_secrets(T0) == [SealedSecret(b"sealed")]


def test_an_attempt_request_is_delayed_to_its_instant_in_whole_seconds_rounded_up():
    from shared.webhooks.rules import queue_delay

    now = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    assert queue_delay(now + timedelta(seconds=5), now) == 5
    assert queue_delay(now + timedelta(seconds=4, milliseconds=1), now) == 5
    assert queue_delay(now, now) == 0
    assert queue_delay(now - timedelta(minutes=3), now) == 0  # overdue: at once
    assert queue_delay(now + timedelta(hours=2), now) == 900  # SQS delays at most 15 minutes
