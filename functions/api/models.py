"""Answer models of the catalog and the quote, mapped from the pricing package."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    model_validator,
)

from shared.accounts.models import (
    Account,
    AccountPage,
    AccountStatus,
    Locale,
    PackOrigin,
    PackStatus,
    PackView,
    Payment,
    ProfileChanges,
    PurchaseResult,
    SuspensionReason,
    Wallet,
)
from shared.accounts.rules import used_percent
from shared.instants import EARLIEST_DAY, LATEST_DAY, format_instant, parse_instant
from shared.pricing import PRICE_BOOK, BillingTag, Channel, Quote, SettlementCycle
from shared.services.accounts import MAX_PACKS_PER_PURCHASE
from shared.web.identifiers import ACCOUNT_ID_PATTERN, CLIENT_ID_PATTERN
from shared.web.model import ApiModel
from shared.web.money import Money, MoneyIn, UnitPrice


class PackTierOut(ApiModel):
    size: int = Field(description="Calls in the pack.", examples=[10000])
    price: Money


class BillingTagOut(ApiModel):
    id: str = Field(examples=["enhanced_authority_wechat"])
    name_zh: str = Field(examples=["增强版人脸核身(权威库)-微信"])
    name_en: str = Field(examples=["Enhanced face verification (authority) - WeChat"])
    unit_price: UnitPrice = Field(description="Postpaid price per billable call, in yuan.")
    packs: list[PackTierOut] = Field(description="Pack tiers (资源包规格); empty for postpaid-only tags.")
    postpaid_only: bool

    @classmethod
    def from_domain(cls, tag: BillingTag) -> BillingTagOut:
        return cls(
            id=tag.id,
            name_zh=tag.name_zh,
            name_en=tag.name_en,
            unit_price=tag.unit_price,
            packs=[PackTierOut(size=tier.size, price=tier.price) for tier in tag.packs],
            postpaid_only=tag.postpaid_only,
        )


class ChannelOut(ApiModel):
    id: str = Field(examples=["enhanced.wechat_miniprogram"])
    name_zh: str
    name_en: str
    sources: list[str] = Field(description="authority and/or upload where the source picks the tag; else empty.")
    return_code_family: str = Field(examples=["wechat"])

    @classmethod
    def from_domain(cls, channel: Channel) -> ChannelOut:
        return cls(
            id=channel.id,
            name_zh=channel.name_zh,
            name_en=channel.name_en,
            sources=list(channel.sources),
            return_code_family=channel.return_code_family,
        )


class Catalog(ApiModel):
    billing_tags: list[BillingTagOut]
    channels: list[ChannelOut]


class QuotePackOut(ApiModel):
    size: int
    quantity: int
    price: Money = Field(description="Price of all packs of this size (tier price × quantity).")


class QuoteOut(ApiModel):
    billing_tag: str
    calls: int
    packs: list[QuotePackOut]
    postpaid_calls: int
    postpaid_amount: Money
    total: Money
    postpaid_only_total: Money = Field(description="What the same calls cost with no pack at all.")

    @classmethod
    def from_domain(cls, quote: Quote) -> QuoteOut:
        return cls(
            billing_tag=quote.billing_tag,
            calls=quote.calls,
            packs=[QuotePackOut(size=p.size, quantity=p.quantity, price=p.price) for p in quote.packs],
            postpaid_calls=quote.postpaid_calls,
            postpaid_amount=quote.postpaid_amount,
            total=quote.total,
            postpaid_only_total=quote.postpaid_only_total,
        )


# -- Accounts, keys and packs (issue 4): request models refuse unknown fields; answers map domain types.

EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
E164_PATTERN = r"^\+[1-9]\d{6,14}$"


def _instant_from_text(value: object) -> datetime:
    # RFC 3339 with an offset only: a number or a naive time would be guessed at, never read.
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 string with an offset, e.g. 2026-03-01T09:00:00+08:00")
    try:
        instant = parse_instant(value)
    except ValueError:
        raise ValueError("must be RFC 3339 with an offset, e.g. 2026-03-01T09:00:00+08:00") from None
    # The years every other date of the API lies in: an account activated in year 1 would be settled monthly
    # from a calendar no one bills in.
    if not EARLIEST_DAY.year <= instant.astimezone(UTC).year <= LATEST_DAY.year:
        raise ValueError(f"must lie in the years {EARLIEST_DAY.year} to {LATEST_DAY.year}")
    return instant


InstantIn = Annotated[
    datetime,
    BeforeValidator(_instant_from_text),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-01T09:00:00+08:00"]}),
]
"""An instant in a request: RFC 3339 with an offset (or Z)."""

InstantOut = Annotated[
    datetime,
    PlainSerializer(format_instant, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-01T09:00:00+08:00"]}),
]
"""An instant in an answer: RFC 3339 in +08:00."""

def _known_billing_tag(value: str) -> str:
    if value not in PRICE_BOOK:
        raise ValueError(f"unknown billing tag {value!r}; see GET /v1/catalog")
    return value


KnownBillingTag = Annotated[
    str,
    AfterValidator(_known_billing_tag),
    WithJsonSchema({"type": "string", "enum": list(PRICE_BOOK), "examples": ["enhanced_authority_wechat"]}),
]
"""A billing tag id of the catalog."""

ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN, description="Chosen by the client; idempotent.")]

AccountId = Annotated[str, Path(pattern=ACCOUNT_ID_PATTERN, description="The account's id.")]
"""The account id in a route's path."""


class RequestModel(ApiModel):
    model_config = ConfigDict(extra="forbid")


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


class GrantIn(RequestModel):
    grant_id: ClientId
    billing_tag: KnownBillingTag
    size: StrictInt = Field(ge=1, le=10_000_000)
    valid_days: StrictInt = Field(default=365, ge=1, le=3650)


class PurchaseIn(RequestModel):
    purchase_id: ClientId
    billing_tag: KnownBillingTag
    size: StrictInt = Field(gt=0, description="A pack tier of the tag (see the catalog).")
    quantity: StrictInt = Field(default=1, ge=1, le=MAX_PACKS_PER_PURCHASE)
    voucher_amount: MoneyIn | None = Field(default=None, description="Pays first; at most the price.")


class ContactsOut(ApiModel):
    email: str | None
    phone: str | None


class WalletsOut(ApiModel):
    cash: Money
    income: Money
    gift: Money


class AccountOut(ApiModel):
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

    @classmethod
    def from_domain(cls, account: Account) -> AccountOut:
        return cls(
            account_id=account.account_id,
            status=account.status,
            suspension_reason=account.suspension_reason,
            settlement_cycle=account.settlement_cycle,
            postpaid_enabled=account.postpaid_enabled,
            balance=account.balance,
            wallets=WalletsOut(cash=account.wallets.cash, income=account.wallets.income, gift=account.wallets.gift),
            arrears_since=account.arrears_since,
            suspend_at=account.suspend_at,
            release_at=account.release_at,
            activated_at=account.activated_at,
            created_at=account.created_at,
            contacts=ContactsOut(email=account.contacts.email, phone=account.contacts.phone),
            locale=account.locale,
            daily_report=account.daily_report,
        )


class AccountPageOut(ApiModel):
    accounts: list[AccountOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: AccountPage) -> AccountPageOut:
        return cls(accounts=[AccountOut.from_domain(a) for a in page.accounts], next_cursor=page.next_cursor)


class ApiKeyOut(ApiModel):
    api_key: str = Field(description="Shown once: only its SHA-256 is stored.")


class PackOut(ApiModel):
    pack_id: str
    billing_tag: str
    origin: PackOrigin
    size: int
    remaining: int
    used: int
    used_percent: float = Field(description="Percent of the pack used, one decimal.", examples=[12.5])
    acquired_at: InstantOut
    effective_from: date = Field(description="Billing date from which the pack offsets calls.")
    expires_at: InstantOut
    status: PackStatus
    refundable: bool

    @classmethod
    def from_domain(cls, view: PackView) -> PackOut:
        pack = view.pack
        return cls(
            pack_id=pack.pack_id,
            billing_tag=pack.billing_tag,
            origin=pack.origin,
            size=pack.size,
            remaining=pack.remaining,
            used=pack.used,
            used_percent=float(used_percent(pack)),
            acquired_at=pack.acquired_at,
            effective_from=pack.effective_from,
            expires_at=pack.expires_at,
            status=view.status,
            refundable=view.refundable,
        )


class PackAnswer(ApiModel):
    pack: PackOut


class PacksOut(ApiModel):
    packs: list[PackOut]


class PaidOut(ApiModel):
    cash: Money
    income: Money
    gift: Money
    voucher: Money

    @classmethod
    def from_domain(cls, payment: Payment) -> PaidOut:
        return cls(cash=payment.cash, income=payment.income, gift=payment.gift, voucher=payment.voucher)


class PurchaseOut(ApiModel):
    packs: list[PackOut]
    paid: PaidOut

    @classmethod
    def from_domain(cls, result: PurchaseResult) -> PurchaseOut:
        return cls(packs=[PackOut.from_domain(view) for view in result.packs], paid=PaidOut.from_domain(result.paid))
