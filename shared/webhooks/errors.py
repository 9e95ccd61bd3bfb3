"""The refusals of the webhook routes (API.md: Webhooks)."""

from __future__ import annotations

from shared.refusals import Conflict, InvalidField, NotFound
from shared.webhooks.models import MAX_WEBHOOKS_PER_ACCOUNT


class WebhookNotFound(NotFound):
    def __init__(self, webhook_id: str):
        super().__init__(f"No webhook {webhook_id} on this account.")


class DeliveryNotFound(NotFound):
    def __init__(self, delivery_id: str):
        super().__init__(f"No delivery {delivery_id} of this webhook.")


class TooManyWebhooks(Conflict):
    code = "TOO_MANY_WEBHOOKS"

    def __init__(self) -> None:
        super().__init__(f"An account has at most {MAX_WEBHOOKS_PER_ACCOUNT} webhooks; delete one first.")


class TargetNotAllowed(InvalidField):
    def __init__(self, problem: str):
        super().__init__("url", problem)
