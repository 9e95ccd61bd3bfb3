"""The webhook routes of the api function."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from functions.wiring.webhook_delivery import webhook_secrets
from functions.wiring.webhook_queue import webhook_attempts
from shared.config import Settings
from shared.services.webhook_sender import resolve_host
from shared.services.webhooks import WebhookStores
from shared.store.accounts import AccountRepository
from shared.store.webhooks import WebhookRepository
from shared.webhooks.targets import TargetPolicy


def build_webhook_stores(config: Settings, clients: Clients) -> WebhookStores:
    return WebhookStores(
        accounts=AccountRepository(clients.dynamodb, config.accounts_table),
        webhooks=WebhookRepository(clients.dynamodb, config.webhooks_table),
        secrets=webhook_secrets(config, clients),
        attempts=webhook_attempts(config, clients),
        policy=TargetPolicy(config.webhook_targets),
        resolve=resolve_host,
    )


webhook_stores = per_deployment(build_webhook_stores)
