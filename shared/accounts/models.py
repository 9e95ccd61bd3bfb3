"""Domain types of accounts, wallets, packs and the ledger. Money is Decimal, instants are aware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from shared.alerts.models import Alerts, AlertSettings
from shared.pricing import PackBalance, SettlementCycle, billing_date, pack_kind_for_origin

ZERO = Decimal("0")


class AccountStatus(StrEnum):
    ACTIVE = "active"
    ARREARS = "arrears"
    SUSPENDED = "suspended"
    RELEASED = "released"


class SuspensionReason(StrEnum):
    ARREARS = "arrears"
    VIOLATION = "violation"


class Wallet(StrEnum):
    CASH = "cash"
    INCOME = "income"
    GIFT = "gift"


WALLET_ORDER: tuple[Wallet, ...] = (Wallet.CASH, Wallet.INCOME, Wallet.GIFT)
"""The order in which wallets pay for a purchase."""


class Locale(StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


class PackOrigin(StrEnum):
    FREE_QUOTA = "free_quota"
    PURCHASE = "purchase"
    PROMOTION = "promotion"


class PackStatus(StrEnum):
    ACTIVE = "active"
    EXHAUSTED = "exhausted"
    EXPIRED = "expired"
    REFUNDED = "refunded"


class LedgerKind(StrEnum):
    RECHARGE = "recharge"
    PACK_PURCHASE = "pack_purchase"
    POSTPAID_CHARGE = "postpaid_charge"
    REFUND = "refund"
    PACK_BREAKAGE = "pack_breakage"  # amount 0: an expired pack's unused calls, so every call bought is accounted for


@dataclass(frozen=True)
class Wallets:
    cash: Decimal = ZERO
    income: Decimal = ZERO
    gift: Decimal = ZERO

    def __getitem__(self, wallet: Wallet) -> Decimal:
        return getattr(self, Wallet(wallet).value)

    @property
    def total(self) -> Decimal:
        return self.cash + self.income + self.gift

    def plus(self, wallet: Wallet, amount: Decimal) -> Wallets:
        return replace(self, **{Wallet(wallet).value: self[wallet] + amount})


@dataclass(frozen=True)
class Contacts:
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Account:
    account_id: str
    status: AccountStatus
    suspension_reason: SuspensionReason | None
    settlement_cycle: SettlementCycle
    postpaid_enabled: bool
    balance: Decimal
    wallets: Wallets
    contacts: Contacts
    locale: Locale
    daily_report: bool
    activated_at: datetime
    created_at: datetime
    arrears_since: datetime | None = None
    suspend_at: datetime | None = None
    release_at: datetime | None = None  # set when suspended for arrears: when the account will be released
    released_at: datetime | None = None
    eid_granted_at: datetime | None = None
    alerts: Alerts = field(default_factory=Alerts)
    version: int = 0  # bumped by every write of money or status: a write conditioned on it saw the latest state

    @property
    def suspended_for_violation(self) -> bool:
        return self.status is AccountStatus.SUSPENDED and self.suspension_reason is SuspensionReason.VIOLATION

    @property
    def may_buy(self) -> bool:
        return self.status not in (AccountStatus.SUSPENDED, AccountStatus.RELEASED)


@dataclass(frozen=True)
class Payment:
    """Who paid for a purchase (or one pack of it): the wallets, and a voucher that is not account money."""

    cash: Decimal = ZERO
    income: Decimal = ZERO
    gift: Decimal = ZERO
    voucher: Decimal = ZERO

    def from_wallet(self, wallet: Wallet) -> Decimal:
        return getattr(self, Wallet(wallet).value)

    @property
    def from_wallets(self) -> Decimal:
        return self.cash + self.income + self.gift

    @property
    def total(self) -> Decimal:
        return self.from_wallets + self.voucher


@dataclass(frozen=True)
class Pack:
    account_id: str
    pack_id: str
    billing_tag: str
    origin: PackOrigin
    size: int
    remaining: int
    acquired_at: datetime
    effective_from: date  # a billing date: the pack offsets calls from 00:00 of this day
    expires_at: datetime  # the last instant of its validity
    recorded_status: PackStatus = PackStatus.ACTIVE  # what jobs wrote (refunded, expired); see rules.pack_status
    purchase_id: str | None = None
    grant_id: str | None = None
    paid: Payment | None = None  # purchases only: what this pack cost, by wallet and voucher
    deferred: Decimal | None = None  # purchases only: the paid value not recognized yet (shared.books.value)
    auto_renew: bool = False  # 自动续费: the run that expires it buys it again (shared.lifecycle.renewal)

    @property
    def paid_value(self) -> Decimal:
        """What the pack is worth in the vendor's books: its wallet part (a voucher is never revenue)."""
        return ZERO if self.paid is None else self.paid.from_wallets

    @property
    def used(self) -> int:
        return self.size - self.remaining

    def balance(self, zone: ZoneInfo) -> PackBalance:
        """The pack as the pricing package's deduction sees it."""
        return PackBalance(
            pack_id=self.pack_id,
            billing_tag=self.billing_tag,
            kind=pack_kind_for_origin(self.origin.value),
            remaining=self.remaining,
            effective_from=self.effective_from,
            expires_on=billing_date(self.expires_at, zone),
            acquired_at=self.acquired_at,
        )


@dataclass(frozen=True)
class PackView:
    """A pack as an answer shows it at one instant."""

    pack: Pack
    status: PackStatus
    refundable: bool


@dataclass(frozen=True)
class PurchaseResult:
    packs: tuple[PackView, ...]
    paid: Payment


@dataclass(frozen=True)
class LedgerEntry:
    """One money movement of one wallet; an account's balance is the sum of its entries' amounts."""

    account_id: str
    kind: LedgerKind
    wallet: Wallet
    amount: Decimal  # signed: credits positive, debits negative
    at: datetime
    ref: str  # the client id or resource that caused it (recharge_id, purchase_id, bill id, ...)
    details: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class AccountPage:
    accounts: tuple[Account, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class ProfileChanges:
    """The fields a PATCH sets; None leaves a field as it is. In `contacts`, a None value removes it."""

    postpaid_enabled: bool | None = None
    contacts: Mapping[str, str | None] | None = None
    locale: Locale | None = None
    daily_report: bool | None = None
    # The alert settings as the account will have them; only those in `alert_fields` (balance_alert, budgets,
    # runway_alert_days) are written, a None among them unsets it:
    alert_settings: AlertSettings = field(default_factory=AlertSettings)
    alert_fields: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return (self.postpaid_enabled is None and self.contacts is None and self.locale is None
                and self.daily_report is None and not self.alert_fields)
