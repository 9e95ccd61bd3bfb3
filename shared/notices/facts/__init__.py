"""What each notice says, before it is put into words: one pure function per event type reads the event's
detail into frozen facts (numbers, instants, tag ids, flags), the same for every language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.events import EventType
from shared.notices.detail import Detail
from shared.notices.facts import account, alerts, packs, refunds, reports, webhooks

FACTS: Mapping[EventType, Callable[[Detail], Any]] = {
    EventType.PACK_DELIVERED: packs.pack_delivered,
    EventType.FREE_QUOTA_GRANTED: packs.free_quota_granted,
    EventType.PACK_LOW: packs.pack_low,
    EventType.PACK_EXHAUSTED: packs.pack_exhausted,
    EventType.PACK_EXPIRING: packs.pack_expiring,
    EventType.PACK_EXPIRED: packs.pack_expired,
    EventType.PACK_RENEWED: packs.pack_renewed,
    EventType.PACK_RENEWAL_FAILED: packs.pack_renewal_failed,
    EventType.ARREARS: account.arrears,
    EventType.SUSPENDED: account.suspended,
    EventType.RELEASED: account.released,
    EventType.RESTORED: account.restored,
    EventType.REFUND_COMPLETED: refunds.refund_completed,
    EventType.DAILY_REPORT: reports.daily_report,
    EventType.BALANCE_LOW: alerts.balance_low,
    EventType.BUDGET_REACHED: alerts.budget_reached,
    EventType.RUNWAY_LOW: alerts.runway_low,
    EventType.WEBHOOK_DISABLED: webhooks.webhook_disabled,
}
