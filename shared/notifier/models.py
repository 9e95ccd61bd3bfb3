"""What the notifier reads: the domain events off its queue, and who each account's notices go to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger

from shared.accounts.models import Locale
from shared.notifications import Channel

logger = Logger(child=True)


@dataclass(frozen=True)
class Recipient:
    """An account's contacts and language, as its notices need them."""

    account_id: str
    locale: Locale
    email: str | None = None
    phone: str | None = None

    def address(self, channel: Channel) -> str | None:
        return {Channel.SMS: self.phone, Channel.EMAIL: self.email}.get(channel)


@dataclass(frozen=True)
class ReceivedEvent:
    """A domain event as shared.events.DomainEvent.to_json wrote it; the type is kept as text, so that an
    event type this code does not know yet is logged and skipped rather than failing the message."""

    event_id: str
    event_type: str
    account_id: str
    at: datetime | None
    detail: Any


def parse_event(body: str, *, message_id: str) -> ReceivedEvent | None:
    """The event of a queue message; None (logged) for a body that can never become one."""
    try:
        values = json.loads(body)
    except ValueError:
        values = None
    fields = ("event_id", "event_type", "account_id")
    if not isinstance(values, dict) or not all(isinstance(values.get(name), str) and values[name] for name in fields):
        logger.error("malformed domain event dropped: it cannot succeed on a retry", extra={"message_id": message_id})
        return None
    return ReceivedEvent(values["event_id"], values["event_type"], values["account_id"], _instant(values.get("at")),
                         values.get("detail"))


def _instant(text: Any) -> datetime | None:
    try:
        at = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return at if at is not None and at.tzinfo is not None else None


class DeliveryState(StrEnum):
    SENDING = "sending"  # claimed by a delivery until its lease runs out
    SENT = "sent"
    FAILED = "failed"  # the provider failed (or throttled past the retries): the next delivery claims it again
    REJECTED = "rejected"  # the provider refused the address itself: trying again cannot help


@dataclass(frozen=True)
class Delivery:
    """How one channel of one notice went: the provider's message id, or why it did not go."""

    state: DeliveryState
    note: str


@dataclass(frozen=True)
class Claim:
    """The channels this delivery owns (it must send them), and those another live delivery holds."""

    owned: frozenset[Channel]
    busy: frozenset[Channel]
