"""Request and answer models of the webhook routes (API.md: Webhooks)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.events import EventType
from shared.instants import format_instant
from shared.services.webhooks import NewSecret
from shared.web.model import AnswerModel, RequestModel
from shared.webhooks.models import Delivery, DeliveryPage, Webhook
from shared.webhooks.rules import MAX_URL_LENGTH

WEBHOOK_ID_PATTERN = r"^wh_[0-9a-f]{23}$"
DELIVERY_ID_PATTERN = r"^dlv_[0-9a-f]{25}$"


class WebhookIn(RequestModel):
    url: Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH, examples=["https://erp.example.com/billing"],
                              description="https:// to a host name or a public address, no user or password.")]
    event_types: Annotated[list[EventType] | None, Field(
        min_length=1, description="The event types to deliver; left out, every type (those added later too).")] = None


class WebhookOut(AnswerModel):
    webhook_id: str
    url: str
    event_types: list[str] = Field(description="The event types delivered.")
    status: str = Field(examples=["enabled", "disabled"])
    created_at: str

    @classmethod
    def from_domain(cls, webhook: Webhook) -> WebhookOut:
        event_types = list(webhook.event_types) if webhook.event_types is not None else [t.value for t in EventType]
        return cls(webhook_id=webhook.webhook_id, url=webhook.url, event_types=event_types,
                   status=webhook.status.value, created_at=format_instant(webhook.created_at))


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="whsec_ and the base64 of the signing key: shown this once, keep it.")

    @classmethod
    def with_secret(cls, created: NewSecret) -> WebhookWithSecretOut:
        return cls(**WebhookOut.from_domain(created.webhook).model_dump(), secret=created.secret)


class WebhooksOut(AnswerModel):
    webhooks: list[WebhookOut]


class DeliveryOut(AnswerModel):
    delivery_id: str
    event_id: str
    type: str
    status: str = Field(examples=["pending", "delivered", "failed"])
    attempts: int
    last_status_code: int | None = Field(description="The receiver's HTTP status at the last attempt; null when "
                                                      "it gave none (refused, unreachable, timed out).")
    next_attempt_at: str | None = Field(description="When the next scheduled attempt falls due; null once "
                                                    "delivered or failed.")

    @classmethod
    def from_domain(cls, delivery: Delivery) -> DeliveryOut:
        return cls(delivery_id=delivery.delivery_id, event_id=delivery.event_id, type=delivery.event_type,
                   status=delivery.status.value, attempts=delivery.attempts,
                   last_status_code=delivery.last_status_code,
                   next_attempt_at=format_instant(delivery.next_attempt_at) if delivery.next_attempt_at else None)


class DeliveriesOut(AnswerModel):
    deliveries: list[DeliveryOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: DeliveryPage) -> DeliveriesOut:
        return cls(deliveries=[DeliveryOut.from_domain(delivery) for delivery in page.deliveries],
                   next_cursor=page.next_cursor)


class AttemptQueuedOut(AnswerModel):
    delivery_id: str
    status: str = Field(default="queued", description="The attempt is queued; the deliveries show its outcome.")
