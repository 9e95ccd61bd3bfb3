"""The domain events of the alerts' notices. Each id names its cause, so a retried write publishes the same
event and consumers drop the repeat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.alerts.rules import AlertNotice, BalanceLow, BudgetReached, RunwayLow
from shared.events import DomainEvent, EventType
from shared.pricing import format_money


def alert_events(account_id: str, at: datetime, notices: Sequence[AlertNotice], *, cause: str) -> list[DomainEvent]:
    """`cause`: the write that sent them (a bill id, a purchase or refund id): runway_low has no date of its own."""
    return [_event(account_id, at, notice, cause) for notice in notices]


def _event(account_id: str, at: datetime, notice: AlertNotice, cause: str) -> DomainEvent:
    match notice:
        case BalanceLow(on=on, balance=balance, threshold=threshold):
            return DomainEvent(f"balance_low#{account_id}#{on.isoformat()}", EventType.BALANCE_LOW, account_id, at,
                               {"billing_date": on.isoformat(), "balance": format_money(balance),
                                "threshold": format_money(threshold)})
        case BudgetReached(budget=budget, period_key=key, spent=spent, threshold=threshold):
            amount = format_money(budget.amount)
            return DomainEvent(
                f"budget_reached#{account_id}#{budget.period.value}#{key}#{amount}#{threshold}",
                EventType.BUDGET_REACHED, account_id, at,
                {"period": budget.period.value, "period_key": key, "amount": amount, "spent": format_money(spent),
                 "threshold": threshold, "thresholds": list(budget.thresholds)})
        case RunwayLow(runway_days=days, setting=setting, balance=balance):
            return DomainEvent(f"runway_low#{account_id}#{cause}", EventType.RUNWAY_LOW, account_id, at,
                               {"runway_days": days, "runway_alert_days": setting, "balance": format_money(balance)})
    raise TypeError(f"not an alert notice: {notice!r}")
