"""The webhook sweep: queues an attempt of every delivery that falls due before the next sweep, delayed to arrive at
its instant, and disables the webhooks whose attempts all failed for DISABLE_AFTER, with their webhook_disabled notice
(API.md: Webhooks)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from shared import clock
from shared.events import DomainEvent, EventSink, EventType
from shared.instants import format_instant
from shared.store.queues import JsonMessageQueue
from shared.store.webhooks import DueItem, WebhookRepository
from shared.webhooks.models import AttemptRequest, Webhook, WebhookStatus
from shared.webhooks.rules import SWEEP_PERIOD, queue_delay, should_disable

SWEEP_LIMIT = 1000  # due items a sweep takes; the rest are taken by the next one


@dataclass(frozen=True)
class WebhookSweepStores:
    webhooks: WebhookRepository
    attempts: JsonMessageQueue
    events: EventSink


@dataclass(frozen=True)
class SweepReport:
    attempts_queued: int
    webhooks_disabled: int


def sweep(stores: WebhookSweepStores) -> SweepReport:
    """Queue an attempt of every delivery due before the next sweep, and disable the webhooks that have failed for
    DISABLE_AFTER."""
    now = clock.now()
    due = stores.webhooks.due(now + SWEEP_PERIOD, limit=SWEEP_LIMIT)
    attempts = [item for item in due if item.delivery_id is not None]
    stores.attempts.send([AttemptRequest(item.account_id, item.webhook_id, item.delivery_id) for item in attempts],
                         delays=[queue_delay(item.due_at, now) for item in attempts])
    disabled = sum(_disable_if_failing(stores, item, now) for item in due
                   if item.delivery_id is None and item.due_at <= now)
    return SweepReport(len(attempts), disabled)


def _disable_if_failing(stores: WebhookSweepStores, item: DueItem, now: datetime) -> bool:
    """Disable a webhook whose deliveries all failed for DISABLE_AFTER, then publish its notice (once disabled, it
    stays due until the notice is out, so a crash in between publishes it on the next sweep)."""
    webhook = stores.webhooks.get(item.account_id, item.webhook_id)
    if webhook is None or webhook.failing_since is None:
        return False
    newly = False
    if webhook.status is WebhookStatus.ENABLED:
        if not should_disable(webhook, now) or not stores.webhooks.disable(webhook, now):
            return False
        webhook, newly = replace(webhook, status=WebhookStatus.DISABLED, disabled_at=now), True
    stores.events.publish([disabled_event(webhook)])
    stores.webhooks.notice_sent(webhook)
    return newly


def disabled_event(webhook: Webhook) -> DomainEvent:
    assert webhook.failing_since is not None and webhook.disabled_at is not None
    return DomainEvent(
        event_id=f"webhook_disabled#{webhook.webhook_id}#{format_instant(webhook.failing_since)}",
        event_type=EventType.WEBHOOK_DISABLED, account_id=webhook.account_id, at=webhook.disabled_at,
        detail={"webhook_id": webhook.webhook_id, "url": webhook.url,
                "failing_since": format_instant(webhook.failing_since),
                "disabled_at": format_instant(webhook.disabled_at)})
