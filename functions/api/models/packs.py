"""Request and answer models of packs (资源包): buying them, an operator's grant, the packs of an account."""

from __future__ import annotations

from datetime import date

from pydantic import Field, StrictBool, StrictInt, field_validator

from shared.accounts.models import PackOrigin, PackStatus, PackView, PurchaseResult
from shared.accounts.rules import used_percent
from shared.lifecycle.renewal import RENEWAL_PURCHASE_PREFIX
from shared.services.accounts import MAX_PACKS_PER_PURCHASE
from shared.web.fields import ClientId, InstantOut, KnownBillingTag
from shared.web.model import AnswerModel, RequestModel
from shared.web.money import Money, MoneyIn, WalletAmounts


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

    @field_validator("purchase_id")
    @classmethod
    def _not_a_renewal(cls, purchase_id: str) -> str:
        if purchase_id.startswith(RENEWAL_PURCHASE_PREFIX):
            raise ValueError(f"ids starting with {RENEWAL_PURCHASE_PREFIX!r} are the auto-renewals' own")
        return purchase_id


class AutoRenewIn(RequestModel):
    auto_renew: StrictBool = Field(description="Renew the pack when it expires (自动续费): bought packs only.")


class PackOut(AnswerModel):
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
    auto_renew: bool = Field(description="Bought again, same tag and size, from the balance when it expires.")

    @classmethod
    def from_domain(cls, view: PackView) -> PackOut:
        # The pack's own fields, with what the view adds (its status as of now, refundable) and the used share.
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
            auto_renew=pack.auto_renew,
        )


class PackAnswer(AnswerModel):
    pack: PackOut


class PacksOut(AnswerModel):
    packs: list[PackOut]


class PaidOut(WalletAmounts):
    voucher: Money


class PurchaseOut(AnswerModel):
    packs: list[PackOut]
    paid: PaidOut

    @classmethod
    def from_domain(cls, result: PurchaseResult) -> PurchaseOut:
        return cls(packs=[PackOut.from_domain(view) for view in result.packs], paid=result.paid)
