"""The settlement queue: each settlement message (shared.settlement.queue) sent to SQS, 10 a request."""

from __future__ import annotations

from shared.store.queues import ENTRIES_PER_SEND, JsonMessageQueue, MessagesNotSent

__all__ = ["ENTRIES_PER_SEND", "MessagesNotSent", "SettlementQueue"]


class SettlementQueue(JsonMessageQueue):
    kind = "settlement"
