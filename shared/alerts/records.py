"""An account's alerts as record fields and back: the settings (written by a PATCH) and the tracking, the
recent spend and what was sent (written with the money). Money is spelt by the caller's `money`
(Decimal in DynamoDB, text in JSON); billing dates are ISO text. Fields an older record lacks read as unset."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from shared.alerts.models import (
    Alerts,
    AlertSettings,
    AlertState,
    BalanceAlertState,
    Budget,
    BudgetPeriod,
    DaySpend,
)

SETTING_FIELDS = ("balance_alert", "budgets", "runway_alert_days")
TRACKING_FIELDS = ("spend", "balance_alert_state", "runway_low_sent", "budgets_reached")


def settings_record(settings: AlertSettings, *, money: Callable[[Decimal], Any]) -> dict[str, Any]:
    threshold = settings.balance_threshold
    return {
        "balance_alert": None if threshold is None else {"threshold": money(threshold)},
        "budgets": None if settings.budgets is None else [
            {"period": budget.period.value, "amount": money(budget.amount), "thresholds": list(budget.thresholds)}
            for budget in settings.budgets],
        "runway_alert_days": settings.runway_days,
    }


def tracking_record(alerts: Alerts, *, money: Callable[[Decimal], Any]) -> dict[str, Any]:
    state = alerts.state
    return {
        "spend": {day.isoformat(): {"postpaid": money(spent.postpaid), "packs": money(spent.packs)}
                  for day, spent in alerts.spend.items()},
        "balance_alert_state": {"notices": state.balance.notices,
                                "last_notice_on": None if state.balance.last_notice_on is None
                                else state.balance.last_notice_on.isoformat()},
        "runway_low_sent": state.runway_low_sent,
        "budgets_reached": dict(state.budgets_reached),
    }


def alerts_record(alerts: Alerts, *, money: Callable[[Decimal], Any]) -> dict[str, Any]:
    return {**settings_record(alerts.settings, money=money), **tracking_record(alerts, money=money)}


def alerts_from_record(values: Mapping[str, Any]) -> Alerts:
    balance_alert = values.get("balance_alert")
    budgets = values.get("budgets")
    balance_state = values.get("balance_alert_state") or {}
    last_notice = balance_state.get("last_notice_on")
    settings = AlertSettings(
        balance_threshold=None if balance_alert is None else Decimal(balance_alert["threshold"]),
        budgets=None if budgets is None else tuple(
            Budget(BudgetPeriod(budget["period"]), Decimal(budget["amount"]),
                   tuple(int(threshold) for threshold in budget["thresholds"]))
            for budget in budgets),
        runway_days=None if values.get("runway_alert_days") is None else int(values["runway_alert_days"]),
    )
    spend = {date.fromisoformat(day): DaySpend(Decimal(spent["postpaid"]), Decimal(spent["packs"]))
             for day, spent in (values.get("spend") or {}).items()}
    state = AlertState(
        balance=BalanceAlertState(int(balance_state.get("notices", 0)),
                                  None if last_notice is None else date.fromisoformat(last_notice)),
        runway_low_sent=bool(values.get("runway_low_sent", False)),
        budgets_reached=MappingProxyType({key: int(threshold)
                                          for key, threshold in (values.get("budgets_reached") or {}).items()}),
    )
    return Alerts(settings, MappingProxyType(dict(sorted(spend.items()))), state)
