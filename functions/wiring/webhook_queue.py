"""The webhook queue, to which the API, the sweep and the delivery function send attempt requests."""

from __future__ import annotations

from functions.wiring import Clients, own_or
from shared.aws import sqs_client
from shared.config import Settings
from shared.store.queues import JsonMessageQueue


def webhook_attempts(config: Settings, clients: Clients) -> JsonMessageQueue:
    return JsonMessageQueue(own_or(clients.sqs, sqs_client), config.webhook_queue_url)
