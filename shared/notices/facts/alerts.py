"""The facts of the alerts' notices: a balance below its alert, a budget reached, a short runway."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from shared.notices.detail import Detail


class BalanceLow(NamedTuple):
    balance: Decimal | None
    threshold: Decimal | None
    billing_date: date | None


def balance_low(detail: Detail) -> BalanceLow:
    return BalanceLow(balance=detail.money("balance"), threshold=detail.money("threshold"),
                      billing_date=detail.day("billing_date"))


class BudgetReached(NamedTuple):
    monthly: bool  # a month's budget, else a day's
    period: str | None  # "2026-03-05" or "2026-03"
    amount: Decimal | None
    spent: Decimal | None
    threshold: int | None  # the highest threshold reached, in percent


def budget_reached(detail: Detail) -> BudgetReached:
    return BudgetReached(monthly=detail.text("period") == "month", period=detail.text("period_key"),
                         amount=detail.money("amount"), spent=detail.money("spent"),
                         threshold=detail.count("threshold"))


class RunwayLow(NamedTuple):
    runway_days: int | None
    alert_days: int | None
    balance: Decimal | None


def runway_low(detail: Detail) -> RunwayLow:
    return RunwayLow(runway_days=detail.count("runway_days"), alert_days=detail.count("runway_alert_days"),
                     balance=detail.money("balance"))
