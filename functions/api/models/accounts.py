"""Request and answer models of accounts: opening, changing, recharging, suspending for a violation."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, model_validator

from shared.accounts.models import AccountStatus, Locale, ProfileChanges, SuspensionReason, Wallet
from shared.pricing import SettlementCycle
from shared.web.fields import ACCOUNT_ID_PATTERN, ClientId, InstantIn, InstantOut
from shared.web.model import AnswerModel, RequestModel
from shared.web.money import Money, MoneyIn, WalletAmounts

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


class AccountPatchIn(RequestModel):
    postpaid_enabled: StrictBool = Field(default=None)
    contacts: ContactsIn = Field(default=None, description="Given contacts are set; a contact sent as null is removed.")
    locale: Locale = Field(default=None)
    daily_report: StrictBool = Field(default=None)

    @model_validator(mode="after")
    def _changes_something(self) -> AccountPatchIn:
        if not self.model_fields_set:
            raise ValueError("give at least one of postpaid_enabled, contacts, locale, daily_report")
        return self

    def to_domain(self) -> ProfileChanges:
        contacts = None
        if self.contacts is not None:
            contacts = {name: getattr(self.contacts, name) for name in self.contacts.model_fields_set}
        return ProfileChanges(postpaid_enabled=self.postpaid_enabled, contacts=contacts, locale=self.locale,
                              daily_report=self.daily_report)


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


class AccountPageOut(AnswerModel):
    accounts: list[AccountOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")
