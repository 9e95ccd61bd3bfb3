"""The webhook delivery function: the Webhooks table, the key that opens the secrets, the sender, the queue of the
retries due before the next sweep."""

from __future__ import annotations

from functions.wiring import Clients, own_or, per_deployment
from functions.wiring.webhook_queue import webhook_attempts
from shared.aws import kms_client
from shared.config import Settings
from shared.services.webhook_delivery import WebhookDeliveryStores
from shared.services.webhook_sender import WebhookSender
from shared.store.webhook_secrets import WebhookSecretBox
from shared.store.webhooks import WebhookRepository
from shared.webhooks.targets import TargetPolicy


def webhook_secrets(config: Settings, clients: Clients) -> WebhookSecretBox:
    return WebhookSecretBox(own_or(clients.kms, kms_client), config.webhook_secrets_key_id)


def build_webhook_delivery_stores(config: Settings, clients: Clients) -> WebhookDeliveryStores:
    return WebhookDeliveryStores(
        webhooks=WebhookRepository(clients.dynamodb, config.webhooks_table),
        secrets=webhook_secrets(config, clients),
        sender=WebhookSender(TargetPolicy(config.webhook_targets)),
        attempts=webhook_attempts(config, clients),
    )


webhook_delivery_stores = per_deployment(build_webhook_delivery_stores)
