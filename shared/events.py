"""Domain events on the SNS topic: what happened, to which account, for the notices and other jobs.

Events are published after the change they describe has committed. A crash in between is made good
by the retry of the same client id (the service re-publishes when it finds its change already done),
so delivery is at least once and consumers dedupe by `event_id`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from shared.instants import format_instant, parse_instant


class EventType(StrEnum):
    PACK_DELIVERED = "pack_delivered"
    FREE_QUOTA_GRANTED = "free_quota_granted"
    ARREARS = "arrears"
    SUSPENDED = "suspended"
    RELEASED = "released"
    RESTORED = "restored"
    PACK_LOW = "pack_low"
    PACK_EXHAUSTED = "pack_exhausted"
    PACK_EXPIRING = "pack_expiring"
    PACK_EXPIRED = "pack_expired"
    PACK_RENEWED = "pack_renewed"
    PACK_RENEWAL_FAILED = "pack_renewal_failed"
    REFUND_COMPLETED = "refund_completed"
    DAILY_REPORT = "daily_report"
    BALANCE_LOW = "balance_low"
    BUDGET_REACHED = "budget_reached"
    RUNWAY_LOW = "runway_low"
    WEBHOOK_DISABLED = "webhook_disabled"


@dataclass(frozen=True)
class DomainEvent:
    event_id: str  # the cause: the same cause always gives the same id (e.g. "pack_delivered#<purchase_id>")
    event_type: EventType
    account_id: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "event_id": self.event_id,
                "event_type": self.event_type.value,
                "account_id": self.account_id,
                "at": format_instant(self.at),
                "detail": self.detail,
            },
            ensure_ascii=False,
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> DomainEvent:
        values = json.loads(text)
        return cls(values["event_id"], EventType(values["event_type"]), values["account_id"],
                   parse_instant(values["at"]), values["detail"])


class EventSink(Protocol):
    def publish(self, events: list[DomainEvent]) -> None: ...


