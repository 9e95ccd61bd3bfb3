"""The rules of deliveries: the body an event is sent with, when each attempt falls due, when a delivery has
failed, and when a webhook that only fails is disabled (API.md: Webhooks)."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.instants import format_instant
from shared.webhooks.models import AttemptOutcome, Delivery, DeliveryStatus, Webhook, WebhookStatus

MAX_URL_LENGTH = 2048
# After the first attempt, each retry this long after the one before; after the last, the delivery has failed.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)
ATTEMPT_TIMEOUT = timedelta(seconds=10)  # a slower answer is a failed attempt
DISABLE_AFTER = timedelta(days=5)  # of failed attempts, none delivered
MAX_QUEUE_DELAY = timedelta(minutes=15)  # SQS's longest DelaySeconds
# How often the sweep runs in AWS (template.yaml: rate(1 minute)). It queues what falls due before its next run,
# delayed to arrive at its instant; a retry due sooner than that (the first, 5 s on) is queued by its attempt.
SWEEP_PERIOD = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def delivery_id(event_at: datetime, event_id: str) -> str:
    """The one delivery of an event to a webhook: the same event always gives the same id, and ids sort by the
    event's instant, so the newest deliveries come first in reverse key order."""
    # Integer arithmetic: int(timestamp() * 1000) loses a millisecond to the float for some instants
    # (2004-05-25T15:19:01.511Z gave ...510), which could sort an event before the one a millisecond earlier.
    milliseconds = (event_at.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)
    return f"dlv_{milliseconds:013d}{hashlib.sha256(event_id.encode()).hexdigest()[:12]}"


def delivery_body(event_id: str, event_type: str, account_id: str, at: datetime, data: Any) -> str:
    """What the receiver gets, written once per delivery: every attempt sends these same bytes."""
    return json.dumps({"event_id": event_id, "type": event_type, "account_id": account_id, "at": format_instant(at),
                       "data": data if data is not None else {}}, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def next_due(attempts: int, attempted_at: datetime) -> datetime | None:
    """When the attempt after the `attempts`-th falls due; None when that was the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return attempted_at + RETRY_DELAYS[attempts - 1]


def queue_delay(due: datetime, now: datetime) -> int:
    """The DelaySeconds that makes an attempt request queued at `now` arrive when the attempt falls due: whole
    seconds, rounded up, never negative nor beyond what SQS delays."""
    seconds = min(due - now, MAX_QUEUE_DELAY).total_seconds()
    return max(0, math.ceil(seconds))


def after_attempt(delivery: Delivery, outcome: AttemptOutcome, at: datetime, *, scheduled: bool) -> Delivery:
    """The delivery once an attempt at `at` came to `outcome`. `delivery.attempts` counts that attempt. An attempt of
    a pending delivery is one of its schedule, which goes on from it; a manual retry of a finished one settles it
    again without a schedule of its own (delivered, or failed)."""
    common = {"last_status_code": outcome.status_code, "last_error": outcome.error, "last_attempt_at": at}
    if outcome.delivered:
        return replace(delivery, status=DeliveryStatus.DELIVERED, next_attempt_at=None, **common)
    due = next_due(delivery.attempts, at) if scheduled else None
    status = DeliveryStatus.PENDING if due is not None else DeliveryStatus.FAILED
    return replace(delivery, status=status, next_attempt_at=due, **common)


def failing_since(webhook: Webhook, outcome: AttemptOutcome, at: datetime) -> datetime | None:
    """When the webhook's run of failures began, after an attempt at `at`: a delivered attempt ends it."""
    if outcome.delivered:
        return None
    return webhook.failing_since or at


def disable_due(webhook: Webhook) -> datetime | None:
    """When a webhook that keeps failing is disabled, unless a delivery succeeds first."""
    if webhook.status is not WebhookStatus.ENABLED or webhook.failing_since is None:
        return None
    return webhook.failing_since + DISABLE_AFTER


def should_disable(webhook: Webhook, now: datetime) -> bool:
    due = disable_due(webhook)
    return due is not None and now >= due
