"""Pure rules of the alerts: what a change of balance or spend sends, and what the alerts remember of it.

Every write that moves an account's money (a settlement, a purchase, a refund, a recharge) passes its
result through `after_money_change` and writes the alerts it returns in the same transaction as the money,
with the notices it returns among the write's events: a retried write decides the same, a write that lost
a race reads again and decides again, so a notice is neither sent twice nor lost.

- balance_low (余额预警): a settlement, purchase or refund that leaves the balance below the threshold (one
  that lands on it is not below) sends one, at most one a billing date and at most `BALANCE_NOTICES_IN_A_ROW`
  until the alert is armed again, which a balance back at or above the threshold does (any money write
  sees it). A stretch of days with no money write in between does not restart the count: the balance never
  recovered.
- budget_reached (费用预警): a period's spend is the postpaid amounts of the bills dated in it and the wallet
  money paid for packs bought in it (a refund gives money back; it does not unspend the purchase). A write
  that adds to a period's spend and brings it to a threshold or past it sends one notice for that budget
  and period, naming the highest threshold it reached; each threshold is announced once a period.
- runway_low: `runway_days` is the balance over the average daily postpaid amount of the 7 billing dates
  before today (a date with no bill counts as 0), rounded down; 0 when the balance is not above zero; None
  when that average is 0. A settlement that leaves it below the setting sends one notice; it is armed
  again once a money write sees it at or above the setting (or None).

Changing a setting (shared.store.accounts, the PATCH) starts that alert afresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from types import MappingProxyType

from shared.alerts.models import (
    ZERO,
    Alerts,
    AlertSettings,
    AlertState,
    BalanceAlertState,
    Budget,
    BudgetPeriod,
    DaySpend,
)

BALANCE_NOTICES_IN_A_ROW = 5
RUNWAY_WINDOW_DAYS = 7


class MoneyChange(StrEnum):
    SETTLEMENT = "settlement"
    PURCHASE = "purchase"
    REFUND = "refund"
    RECHARGE = "recharge"


_SENDS_BALANCE_LOW = (MoneyChange.SETTLEMENT, MoneyChange.PURCHASE, MoneyChange.REFUND)


@dataclass(frozen=True)
class BalanceLow:
    on: date  # the billing date it is sent for
    balance: Decimal
    threshold: Decimal


@dataclass(frozen=True)
class BudgetReached:
    budget: Budget
    period_key: str  # "2026-03-05" or "2026-03"
    spent: Decimal
    threshold: int  # the highest threshold reached by this write


@dataclass(frozen=True)
class RunwayLow:
    runway_days: int
    setting: int
    balance: Decimal


AlertNotice = BalanceLow | BudgetReached | RunwayLow


@dataclass(frozen=True)
class AlertOutcome:
    alerts: Alerts
    notices: tuple[AlertNotice, ...]


def after_money_change(
    alerts: Alerts, *, change: MoneyChange, balance: Decimal, today: date,
    spent: Sequence[tuple[date, DaySpend]] = (),
) -> AlertOutcome:
    """The alerts after a write leaves the balance at `balance` on billing date `today` and adds `spent` (by
    the billing date each part counts on) to the spend, and the notices that write sends."""
    spend = record_spend(alerts.spend, spent, today)
    notices: list[AlertNotice] = []
    settings, state = alerts.settings, alerts.state

    balance_state, balance_low = balance_alert(settings.balance_threshold, state.balance, balance, today,
                                               may_notify=change in _SENDS_BALANCE_LOW)
    if balance_low is not None:
        notices.append(balance_low)

    reached, crossings = budgets_reached(settings, state.budgets_reached, spend, [day for day, _ in spent])
    notices += crossings

    runway_sent, runway_low = runway_alert(settings.runway_days, state.runway_low_sent,
                                           runway_days(balance, spend, today), balance,
                                           may_notify=change is MoneyChange.SETTLEMENT)
    if runway_low is not None:
        notices.append(runway_low)

    new_state = AlertState(balance=balance_state, runway_low_sent=runway_sent,
                           budgets_reached=_prune_keys(reached, today))
    return AlertOutcome(replace(alerts, spend=spend, state=new_state), tuple(notices))


# -- spend


def spend_horizon(today: date) -> date:
    """The oldest billing date the spend keeps: the first of the month before `today`'s (a month's budget and
    the runway's 7 days need no more)."""
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def record_spend(spend: Mapping[date, DaySpend], spent: Sequence[tuple[date, DaySpend]],
                 today: date) -> Mapping[date, DaySpend]:
    horizon = spend_horizon(today)
    days = {day: amounts for day, amounts in spend.items() if day >= horizon}
    for day, amounts in spent:
        if day < horizon or (amounts.postpaid == ZERO and amounts.packs == ZERO):
            continue
        before = days.get(day, DaySpend())
        days[day] = DaySpend(before.postpaid + amounts.postpaid, before.packs + amounts.packs)
    return MappingProxyType(dict(sorted(days.items())))


def period_key(period: BudgetPeriod, day: date) -> str:
    return day.isoformat() if period is BudgetPeriod.DAY else day.strftime("%Y-%m")


def period_spend(spend: Mapping[date, DaySpend], period: BudgetPeriod, day: date) -> Decimal:
    key = period_key(period, day)
    return sum((amounts.total for spent_on, amounts in spend.items() if period_key(period, spent_on) == key), ZERO)


# -- the three alerts


def balance_alert(threshold: Decimal | None, state: BalanceAlertState, balance: Decimal, today: date, *,
                  may_notify: bool) -> tuple[BalanceAlertState, BalanceLow | None]:
    if threshold is None or balance >= threshold:
        # Armed again; the date of the last notice stays, so a date never has two.
        return BalanceAlertState(0, state.last_notice_on), None
    if (not may_notify or state.last_notice_on == today or state.notices >= BALANCE_NOTICES_IN_A_ROW):
        return state, None
    return BalanceAlertState(state.notices + 1, today), BalanceLow(today, balance, threshold)


def budgets_reached(settings: AlertSettings, reached: Mapping[str, int], spend: Mapping[date, DaySpend],
                    days_spent: Sequence[date]) -> tuple[Mapping[str, int], list[BudgetReached]]:
    """Each budget's threshold reached anew in a period that `days_spent` added to: one notice a budget and
    period, naming the highest."""
    after = dict(reached)
    crossings = []
    for budget in settings.budgets or ():
        for key, day in sorted({period_key(budget.period, day): day for day in days_spent}.items()):
            spent = period_spend(spend, budget.period, day)
            stored_key = f"{budget.period.value}#{key}"
            new = [threshold for threshold in budget.thresholds
                   if threshold > after.get(stored_key, 0) and spent * 100 >= budget.amount * threshold]
            if new:
                after[stored_key] = max(new)
                crossings.append(BudgetReached(budget, key, spent, max(new)))
    return after, crossings


def runway_days(balance: Decimal, spend: Mapping[date, DaySpend], today: date) -> int | None:
    window = {today - timedelta(days=back) for back in range(1, RUNWAY_WINDOW_DAYS + 1)}
    postpaid = sum((amounts.postpaid for day, amounts in spend.items() if day in window), ZERO)
    if balance <= ZERO:
        return 0
    if postpaid <= ZERO:
        return None
    return int((balance * RUNWAY_WINDOW_DAYS / postpaid).to_integral_value(rounding=ROUND_FLOOR))


def runway_alert(setting: int | None, sent: bool, days: int | None, balance: Decimal, *,
                 may_notify: bool) -> tuple[bool, RunwayLow | None]:
    if setting is None or days is None or days >= setting:
        return False, None
    if sent or not may_notify:
        return sent, None
    return True, RunwayLow(days, setting, balance)


def _prune_keys(reached: Mapping[str, int], today: date) -> Mapping[str, int]:
    horizon = spend_horizon(today)
    oldest = {BudgetPeriod.DAY.value: horizon.isoformat(), BudgetPeriod.MONTH.value: horizon.strftime("%Y-%m")}
    return MappingProxyType({key: threshold for key, threshold in sorted(reached.items())
                             if key.split("#", 1)[1] >= oldest[key.split("#", 1)[0]]})
