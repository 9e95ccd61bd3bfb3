"""The alert settings an account sets, what it has spent of late, and what its alerts have sent.

Money is Decimal; a spend is keyed by billing date in the billing time zone. None of these types knows
the account: the account carries them (shared.accounts.models) and the rules (shared.alerts.rules) decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

ZERO = Decimal("0")
MAX_BUDGET_THRESHOLDS = 3
BUDGET_PERCENT_RANGE = (1, 1000)


class BudgetPeriod(StrEnum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class Budget:
    """费用预警: a notice when a period's spend reaches each of `thresholds` percent of `amount`."""

    period: BudgetPeriod
    amount: Decimal
    thresholds: tuple[int, ...]  # whole percents, distinct, in the order the account gave them


@dataclass(frozen=True)
class AlertSettings:
    """The three settings as the account set them; None: not set."""

    balance_threshold: Decimal | None = None  # 余额预警
    budgets: tuple[Budget, ...] | None = None  # 费用预警, at most one a period
    runway_days: int | None = None

    def budget(self, period: BudgetPeriod) -> Budget | None:
        return next((budget for budget in self.budgets or () if budget.period is period), None)


@dataclass(frozen=True)
class DaySpend:
    postpaid: Decimal = ZERO  # the postpaid amounts of the bills dated that day
    packs: Decimal = ZERO  # the wallet money paid for packs bought that day

    @property
    def total(self) -> Decimal:
        return self.postpaid + self.packs


@dataclass(frozen=True)
class BalanceAlertState:
    notices: int = 0  # balance_low notices since the alert was last armed
    last_notice_on: date | None = None


@dataclass(frozen=True)
class AlertState:
    """What the alerts have sent, so each notice goes out once: kept beside the balance, written with it."""

    balance: BalanceAlertState = BalanceAlertState()
    runway_low_sent: bool = False  # until runway_days is seen at or above the setting again
    # "day#2026-03-05" / "month#2026-03" -> the highest threshold that period's budget has announced
    budgets_reached: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Alerts:
    """An account's alerts: its settings, its recent spend by billing date, and their state."""

    settings: AlertSettings = AlertSettings()
    spend: Mapping[date, DaySpend] = field(default_factory=lambda: MappingProxyType({}))
    state: AlertState = AlertState()
