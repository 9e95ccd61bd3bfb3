"""What notice delivery works with: a domain event as received, who each account's notices go to, and the
record of each channel's delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.accounts.models import Locale


class SendingChannel(StrEnum):
    """A way a notice reaches its customer (a call's channel is shared.pricing.Channel)."""

    IN_SITE = "in_site"  # 站内信: the Messages table, served by GET /v1/accounts/{account_id}/messages
    SMS = "sms"
    EMAIL = "email"


@dataclass(frozen=True)
class Recipient:
    """An account's contacts and language, as its notices need them."""

    account_id: str
    locale: Locale
    email: str | None = None
    phone: str | None = None

    def address(self, channel: SendingChannel) -> str | None:
        return {SendingChannel.SMS: self.phone, SendingChannel.EMAIL: self.email}.get(channel)


@dataclass(frozen=True)
class ReceivedEvent:
    """A domain event as shared.events.DomainEvent.to_json wrote it; the type is kept as text, so that an
    event type this code does not know yet is logged and skipped rather than failing the message."""

    event_id: str
    event_type: str
    account_id: str
    at: datetime | None
    detail: Any


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

    owned: frozenset[SendingChannel]
    busy: frozenset[SendingChannel]


@dataclass(frozen=True)
class InboxMessage:
    message_id: str  # the event id: one in-site message per cause
    message_type: str
    title: str
    text: str
    at: datetime


@dataclass(frozen=True)
class InboxPage:
    messages: tuple[InboxMessage, ...]
    next_cursor: str | None
