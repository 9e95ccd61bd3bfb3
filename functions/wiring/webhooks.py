"""Webhooks: the API's routes, the delivery function and the sweep."""

from __future__ import annotations

from functions.wiring import Clients, own_or, per_deployment
from functions.wiring.events import domain_events
from shared.aws import kms_client, sqs_client
from shared.config import Settings
from shared.services.webhook_delivery import WebhookDeliveryStores
from shared.services.webhook_sender import WebhookSender, resolve_host
from shared.services.webhooks import WebhookStores
from shared.store.accounts import AccountRepository
from shared.store.queues import JsonMessageQueue
from shared.store.webhook_secrets import WebhookSecretBox
from shared.store.webhooks import WebhookRepository
from shared.webhooks.targets import TargetPolicy


def _secrets(config: Settings, clients: Clients) -> WebhookSecretBox:
    return WebhookSecretBox(own_or(clients.kms, kms_client), config.webhook_secrets_key_id)


def _attempts(config: Settings, clients: Clients) -> JsonMessageQueue:
    return JsonMessageQueue(own_or(clients.sqs, sqs_client), config.webhook_queue_url)


def build_webhook_stores(config: Settings, clients: Clients) -> WebhookStores:
    return WebhookStores(
        accounts=AccountRepository(clients.dynamodb, config.accounts_table),
        webhooks=WebhookRepository(clients.dynamodb, config.webhooks_table),
        secrets=_secrets(config, clients),
        attempts=_attempts(config, clients),
        policy=TargetPolicy(config.webhook_targets),
        resolve=resolve_host,
    )


def build_webhook_delivery_stores(config: Settings, clients: Clients) -> WebhookDeliveryStores:
    return WebhookDeliveryStores(
        webhooks=WebhookRepository(clients.dynamodb, config.webhooks_table),
        secrets=_secrets(config, clients),
        sender=WebhookSender(TargetPolicy(config.webhook_targets)),
        attempts=_attempts(config, clients),
        events=domain_events(config, clients),
    )


webhook_stores = per_deployment(build_webhook_stores)
webhook_delivery_stores = per_deployment(build_webhook_delivery_stores)
