"""Domain events as their queues deliver them (raw SNS delivery), read by each consumer of the topic: the notifier,
the webhook delivery."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from shared.delivery.models import ReceivedEvent

logger = Logger(child=True)


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
