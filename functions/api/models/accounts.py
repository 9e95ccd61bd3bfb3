"""Request and answer models of accounts: opening, changing, recharging, suspending for a violation."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, ValidationInfo, field_validator, model_validator

from shared.accounts.models import Account, AccountPage, AccountStatus, Locale, ProfileChanges, SuspensionReason, Wallet
from shared.alerts.models import BUDGET_PERCENT_RANGE, MAX_BUDGET_THRESHOLDS, AlertSettings, Budget, BudgetPeriod
from shared.alerts.rules import runway_days
from shared.pricing import SettlementCycle
from shared.web.fields import ACCOUNT_ID_PATTERN, ClientId, InstantIn, InstantOut
from shared.web.model import AnswerModel, RequestModel
from shared.web.money import Money, MoneyIn, SignedMoneyIn, WalletAmounts

MAX_RUNWAY_ALERT_DAYS = 365

EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
E164_PATTERN = r"^\+[1-9]\d{6,14}$"


class ContactsIn(RequestModel):
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN, examples=["ops@acme.example"])
    phone: str | None = Field(default=None, pattern=E164_PATTERN, description="E.164", examples=["+8613800000000"])


class NewAccountIn(RequestModel):
    account_id: str = Field(pattern=ACCOUNT_ID_PATTERN, examples=["acme"])
    activated_at: InstantIn | None = Field(default=None, description="Defaults to now; never in the future.")
    contacts: ContactsIn
    locale: Locale = Locale.ZH_CN


class BalanceAlertIn(RequestModel):
    threshold: SignedMoneyIn = Field(description="A balance_low notice when a settlement, purchase or refund leaves "
                                                 "the balance below it; it may be negative.")


class BudgetIn(RequestModel):
    period: BudgetPeriod
    amount: Annotated[MoneyIn, Field(gt=0)]
    thresholds: list[Annotated[StrictInt, Field(ge=BUDGET_PERCENT_RANGE[0], le=BUDGET_PERCENT_RANGE[1])]] = Field(
        min_length=1, max_length=MAX_BUDGET_THRESHOLDS, description="Whole percents of `amount`, 1 to 1000.",
        examples=[[50, 80, 100]])

    @field_validator("thresholds")
    @classmethod
    def _distinct(cls, thresholds: list[int]) -> list[int]:
        if len(set(thresholds)) != len(thresholds):
            raise ValueError("each threshold once")
        return thresholds


_ALERT_FIELDS = ("balance_alert", "budgets", "runway_alert_days")
_PATCH_FIELDS = "postpaid_enabled, contacts, locale, daily_report, balance_alert, budgets, runway_alert_days"


class AccountPatchIn(RequestModel):
    postpaid_enabled: StrictBool = Field(default=None)
    contacts: ContactsIn = Field(default=None, description="Given contacts are set; a contact sent as null is removed.")
    locale: Locale = Field(default=None)
    daily_report: StrictBool = Field(default=None)
    balance_alert: BalanceAlertIn | None = Field(default=None, description="余额预警; null turns it off.")
    budgets: list[BudgetIn] | None = Field(default=None, max_length=len(BudgetPeriod),
                                           description="费用预警, at most one a period; null turns them off.")
    runway_alert_days: Annotated[StrictInt, Field(ge=1, le=MAX_RUNWAY_ALERT_DAYS)] | None = Field(
        default=None, description="A runway_low notice when a settlement leaves runway_days below it; null: off.")

    @field_validator("budgets")
    @classmethod
    def _one_a_period(cls, budgets: list[BudgetIn] | None) -> list[BudgetIn] | None:
        if budgets is not None and len({budget.period for budget in budgets}) != len(budgets):
            raise ValueError("at most one budget a period")
        return budgets

    @model_validator(mode="after")
    def _changes_something(self) -> AccountPatchIn:
        if not self.model_fields_set:
            raise ValueError(f"give at least one of {_PATCH_FIELDS}")
        return self

    def to_domain(self) -> ProfileChanges:
        contacts = None
        if self.contacts is not None:
            contacts = {name: getattr(self.contacts, name) for name in self.contacts.model_fields_set}
        alert_fields = frozenset(self.model_fields_set & set(_ALERT_FIELDS))
        settings = AlertSettings(
            balance_threshold=None if self.balance_alert is None else self.balance_alert.threshold,
            budgets=None if self.budgets is None else tuple(
                Budget(budget.period, budget.amount, tuple(budget.thresholds)) for budget in self.budgets),
            runway_days=self.runway_alert_days,
        )
        return ProfileChanges(postpaid_enabled=self.postpaid_enabled, contacts=contacts, locale=self.locale,
                              daily_report=self.daily_report, alert_settings=settings, alert_fields=alert_fields)


class RechargeIn(RequestModel):
    recharge_id: ClientId
    amount: Annotated[MoneyIn, Field(gt=0)]
    wallet: Wallet


class ViolationIn(RequestModel):
    suspend: StrictBool


class ContactsOut(AnswerModel):
    email: str | None
    phone: str | None


class WalletsOut(WalletAmounts):
    pass


class BalanceAlertOut(AnswerModel):
    threshold: Money


class BudgetOut(AnswerModel):
    period: BudgetPeriod
    amount: Money
    thresholds: list[int]


class AccountOut(AnswerModel):
    account_id: str
    status: AccountStatus
    suspension_reason: SuspensionReason | None
    settlement_cycle: SettlementCycle
    postpaid_enabled: bool
    balance: Money = Field(description="cash + income + gift; the sum of the account's ledger.")
    wallets: WalletsOut
    arrears_since: InstantOut | None
    suspend_at: InstantOut | None
    release_at: InstantOut | None = Field(description="While suspended for arrears: when the account is released.")
    activated_at: InstantOut
    created_at: InstantOut
    contacts: ContactsOut
    locale: Locale
    daily_report: bool
    balance_alert: BalanceAlertOut | None
    budgets: list[BudgetOut] | None
    runway_alert_days: int | None
    runway_days: int | None = Field(description="The balance over the average daily postpaid amount of the last 7 "
                                                "billing dates, rounded down; 0 when the balance is not above zero; "
                                                "null when that average is 0.")

    @classmethod
    def from_domain(cls, account: Account, today: date) -> AccountOut:
        """`today`: the billing date the runway is counted back from."""
        return cls.model_validate(account, context={"today": today})

    @model_validator(mode="before")
    @classmethod
    def _alerts_of_the_account(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, Account):
            return data
        settings = data.alerts.settings
        return {
            **{field.name: getattr(data, field.name) for field in fields(data)},
            "balance_alert": None if settings.balance_threshold is None else {"threshold": settings.balance_threshold},
            "budgets": settings.budgets,
            "runway_alert_days": settings.runway_days,
            "runway_days": runway_days(data.balance, data.alerts.spend, (info.context or {})["today"]),
        }


class AccountPageOut(AnswerModel):
    accounts: list[AccountOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: AccountPage, today: date) -> AccountPageOut:
        return cls.model_validate(page, context={"today": today})
