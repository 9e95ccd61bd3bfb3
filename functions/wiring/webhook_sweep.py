"""The webhook sweep: the Webhooks table, the queue of attempts, the domain-event topic (webhook_disabled)."""

from __future__ import annotations

from functions.wiring import Clients, own_or, per_deployment
from functions.wiring.events import domain_events
from shared.aws import sqs_client
from shared.config import Settings
from shared.services.webhook_sweep import WebhookSweepStores
from shared.store.queues import JsonMessageQueue
from shared.store.webhooks import WebhookRepository


def webhook_attempts(config: Settings, clients: Clients) -> JsonMessageQueue:
    return JsonMessageQueue(own_or(clients.sqs, sqs_client), config.webhook_queue_url)


def build_webhook_sweep_stores(config: Settings, clients: Clients) -> WebhookSweepStores:
    return WebhookSweepStores(
        webhooks=WebhookRepository(clients.dynamodb, config.webhooks_table),
        attempts=webhook_attempts(config, clients),
        events=domain_events(config, clients),
    )


webhook_sweep_stores = per_deployment(build_webhook_sweep_stores)
