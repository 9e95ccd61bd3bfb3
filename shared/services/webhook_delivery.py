"""Webhook deliveries: each domain event to every enabled webhook of its account that wants its type, signed and
attempted at once, and the attempts that fall due later, from the queue messages of the sweep
(shared.services.webhook_sweep) and of the API's retry.

Every attempt is claimed before it is made (one conditional write: a redelivered message or a second worker finds
it taken) with a lease, and recorded after: a process that dies in between leaves the attempt to fall due when the
lease runs out, so an attempt is never lost, and a delivery may be repeated (a receiver dedupes by event_id) but
never with another body, which is stored with the delivery and sent as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from shared import clock
from shared.delivery.models import ReceivedEvent
from shared.services.received_events import parse_event
from shared.services.webhook_sender import WebhookSender
from shared.store.queues import JsonMessageQueue
from shared.store.webhook_secrets import WebhookSecretBox
from shared.store.webhooks import WebhookRepository
from shared.webhooks.models import AttemptOutcome, AttemptRequest, Delivery, DeliveryStatus, Webhook, WebhookStatus
from shared.webhooks.rules import (
    ATTEMPT_TIMEOUT,
    DISABLE_AFTER,
    SWEEP_PERIOD,
    after_attempt,
    delivery_body,
    delivery_id,
    queue_delay,
)
from shared.webhooks.signing import signed_headers

# Longer than an attempt can take (ATTEMPT_TIMEOUT and the two writes around it), so a live attempt is never
# overtaken, and short enough that the attempt of a process that died is made again soon after.
LEASE = ATTEMPT_TIMEOUT + timedelta(seconds=50)
MAX_PARALLEL_ATTEMPTS = 20

logger = Logger(child=True)


@dataclass(frozen=True)
class WebhookDeliveryStores:
    webhooks: WebhookRepository
    secrets: WebhookSecretBox
    sender: WebhookSender
    attempts: JsonMessageQueue  # a retry due before the next sweep is queued here by its attempt


@dataclass(frozen=True)
class EventDelivery:
    """One event to one of its account's webhooks."""

    event: ReceivedEvent
    webhook: Webhook


class WebhookBatch:
    """One invocation's queue messages (domain events, and requests for an attempt), their attempts made in
    parallel: each mostly waits on a receiver, for up to ATTEMPT_TIMEOUT."""

    def __init__(self, stores: WebhookDeliveryStores, bodies: Mapping[str, str]):
        self._stores = stores
        self._bodies = bodies

    def deliver(self) -> list[str]:
        """Make every message's attempts; the ids of the messages to deliver again."""
        work: list[tuple[str, AttemptRequest | EventDelivery]] = []
        for message_id, body in self._bodies.items():
            try:
                values = json.loads(body)
            except ValueError:
                values = None
            request = AttemptRequest.from_message(values) if isinstance(values, dict) else None
            if request is not None:
                work.append((message_id, request))
                continue
            event = parse_event(body, message_id=message_id)
            if event is not None:
                work += [(message_id, EventDelivery(event, webhook)) for webhook in self._wanting(event)]
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL_ATTEMPTS) as pool:
            done = list(pool.map(self._run, [item for _, item in work]))
        return sorted({message_id for (message_id, _), ok in zip(work, done, strict=True) if not ok})

    def _wanting(self, event: ReceivedEvent) -> list[Webhook]:
        return [webhook for webhook in self._stores.webhooks.of_account(event.account_id)
                if webhook.wants(event.event_type)]

    def _run(self, item: AttemptRequest | EventDelivery) -> bool:
        try:
            if isinstance(item, AttemptRequest):
                attempt_requested(self._stores, item)
            else:
                deliver_event(self._stores, item.event, item.webhook)
        except Exception:  # whatever failed (a DynamoDB or KMS error, a bug), this message alone is retried
            logger.exception("webhook delivery failed; its message will be delivered again")
            return False
        return True


def deliver_event(stores: WebhookDeliveryStores, event: ReceivedEvent, webhook: Webhook) -> None:
    """The event's delivery to the webhook, with its first attempt; nothing when it was delivered before."""
    now = clock.now()
    at = event.at or now
    delivery = Delivery(
        account_id=event.account_id, webhook_id=webhook.webhook_id, delivery_id=delivery_id(at, event.event_id),
        event_id=event.event_id, event_type=event.event_type,
        body=delivery_body(event.event_id, event.event_type, event.account_id, at, event.detail),
        created_at=now, attempts=1, last_attempt_at=now, next_attempt_at=now)
    if stores.webhooks.start_delivery(delivery, lease_until=now + LEASE):
        _attempt(stores, webhook, delivery, now, scheduled=True)


def attempt_requested(stores: WebhookDeliveryStores, request: AttemptRequest) -> None:
    """One attempt of a delivery: its next scheduled one once due, or (manual) one more now, whatever its status."""
    delivery = stores.webhooks.get_delivery(request.webhook_id, request.delivery_id)
    if delivery is None:
        return
    webhook = stores.webhooks.get(request.account_id, request.webhook_id)
    now = clock.now()
    if not request.manual and delivery.status is not DeliveryStatus.PENDING:
        stores.webhooks.settle_attempt(delivery)  # a manual attempt died after its claim: nothing more is due
        return
    claimed = stores.webhooks.claim_attempt(delivery, now, now + LEASE, scheduled=not request.manual)
    if claimed is None:
        return  # another attempt took it, or it is not due yet
    if webhook is None or (webhook.status is WebhookStatus.DISABLED and not request.manual):
        reason = "the webhook was deleted" if webhook is None else "the webhook is disabled"
        stores.webhooks.settle_attempt(replace(claimed, status=DeliveryStatus.FAILED, next_attempt_at=None,
                                               last_error=f"not sent: {reason}", last_status_code=None))
        return
    scheduled = delivery.status is DeliveryStatus.PENDING
    _attempt(stores, webhook, claimed, now, scheduled=scheduled)


def _attempt(stores: WebhookDeliveryStores, webhook: Webhook, delivery: Delivery, at: datetime, *,
             scheduled: bool) -> AttemptOutcome:
    keys = [stores.secrets.open(secret.ciphertext, webhook.account_id, webhook.webhook_id)
            for secret in webhook.signing_secrets(at)]
    outcome = stores.sender.post(webhook.url, delivery.body, signed_headers(keys, delivery.event_id, at, delivery.body))
    settled = after_attempt(delivery, outcome, at, scheduled=scheduled)
    stores.webhooks.settle_attempt(settled)
    if settled.next_attempt_at is not None and settled.next_attempt_at - at < SWEEP_PERIOD:
        # Sooner than a sweep would see it (the 5 s retry): the request, delayed to its instant. Were this lost, the
        # sweep still finds the attempt due.
        stores.attempts.send([AttemptRequest(delivery.account_id, delivery.webhook_id, delivery.delivery_id)],
                             delays=[queue_delay(settled.next_attempt_at, at)])
    if outcome.delivered:
        if webhook.failing_since is not None:
            stores.webhooks.note_delivered(webhook)
    elif webhook.failing_since is None:
        stores.webhooks.note_failure(webhook, at, at + DISABLE_AFTER)
    logger.info("webhook attempt", extra={
        "account_id": webhook.account_id, "webhook_id": webhook.webhook_id, "delivery_id": delivery.delivery_id,
        "attempt": delivery.attempts, "delivered": outcome.delivered, "status_code": outcome.status_code,
        "error": outcome.error})
    return outcome
