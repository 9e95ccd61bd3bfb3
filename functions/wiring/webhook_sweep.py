"""The webhook sweep: the Webhooks table, the queue of attempts, the domain-event topic (webhook_disabled)."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from functions.wiring.events import domain_events
from functions.wiring.webhook_queue import webhook_attempts
from shared.config import Settings
from shared.services.webhook_sweep import WebhookSweepStores
from shared.store.webhooks import WebhookRepository


def build_webhook_sweep_stores(config: Settings, clients: Clients) -> WebhookSweepStores:
    return WebhookSweepStores(
        webhooks=WebhookRepository(clients.dynamodb, config.webhooks_table),
        attempts=webhook_attempts(config, clients),
        events=domain_events(config, clients),
    )


webhook_sweep_stores = per_deployment(build_webhook_sweep_stores)
