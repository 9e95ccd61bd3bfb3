"""A webhook (where an account's events go, and with which secret) and its deliveries (one an event)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MAX_WEBHOOKS_PER_ACCOUNT = 10


class WebhookStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"  # every delivery failed for DISABLE_AFTER: nothing more is sent to it


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # its next attempt is due at next_attempt_at
    DELIVERED = "delivered"
    FAILED = "failed"  # every scheduled attempt failed


@dataclass(frozen=True)
class SealedSecret:
    """A signing secret as stored: encrypted with the deployment's key, never in the clear."""

    ciphertext: bytes
    valid_until: datetime | None = None  # a rotated-out secret signs beside the new one until then


@dataclass(frozen=True)
class Webhook:
    account_id: str
    webhook_id: str
    url: str
    event_types: tuple[str, ...] | None  # None: every event type, those added later included
    status: WebhookStatus
    created_at: datetime
    secret: SealedSecret
    previous_secret: SealedSecret | None = None
    failing_since: datetime | None = None  # the first failed attempt since the last delivered one
    disabled_at: datetime | None = None

    def wants(self, event_type: str) -> bool:
        return self.status is WebhookStatus.ENABLED and (self.event_types is None or event_type in self.event_types)

    def signing_secrets(self, now: datetime) -> list[SealedSecret]:
        """The secrets a delivery at `now` is signed with: the current one, and the one before for its 24 hours."""
        previous = self.previous_secret
        if previous is not None and previous.valid_until is not None and now < previous.valid_until:
            return [self.secret, previous]
        return [self.secret]


@dataclass(frozen=True)
class Delivery:
    """One event to one webhook: the same body on every attempt (a receiver dedupes by event_id)."""

    account_id: str
    webhook_id: str
    delivery_id: str
    event_id: str
    event_type: str
    body: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class AttemptOutcome:
    """What one POST to the receiver came to: a 2xx within the timeout is delivered, anything else not."""

    delivered: bool
    status_code: int | None = None  # None: no answer (refused target, connection failed, timed out)
    error: str | None = None


@dataclass(frozen=True)
class DeliveryPage:
    deliveries: list[Delivery]
    next_cursor: str | None


@dataclass(frozen=True)
class AttemptRequest:
    """A queue message asking for one attempt of a delivery: its scheduled next attempt (from the sweep), or one
    more now whatever its status (manual, from the API's retry)."""

    account_id: str
    webhook_id: str
    delivery_id: str
    manual: bool = False

    def to_json(self) -> str:
        return json.dumps({"webhook_attempt": {"account_id": self.account_id, "webhook_id": self.webhook_id,
                                               "delivery_id": self.delivery_id, "manual": self.manual}})

    @classmethod
    def from_message(cls, values: dict) -> AttemptRequest | None:
        """The request in a queue message's JSON, or None when the message is something else (a domain event)."""
        request = values.get("webhook_attempt")
        if not isinstance(request, dict):
            return None
        return cls(str(request["account_id"]), str(request["webhook_id"]), str(request["delivery_id"]),
                   bool(request.get("manual", False)))
