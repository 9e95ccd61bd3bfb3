"""The refund route's request and answer models, mapped from shared.refunds.models.Refund."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from shared.refunds.models import Refund
from shared.web.identifiers import CLIENT_ID_PATTERN
from shared.web.model import ApiModel
from shared.web.money import Money


class RefundIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    refund_id: str = Field(pattern=CLIENT_ID_PATTERN, description="Chosen by the client; idempotent.",
                           examples=["rf-2026-03-02-1"])


class RefundedToOut(ApiModel):
    cash: Money
    income: Money
    gift: Money


class RefundOut(ApiModel):
    refund_id: str
    pack_id: str
    amount: Money = Field(description="What the wallets paid for the pack; a voucher is not returned.")
    to: RefundedToOut = Field(description="What went back to each wallet: what each paid.")


class RefundAnswer(ApiModel):
    refund: RefundOut

    @classmethod
    def from_domain(cls, refund: Refund) -> RefundAnswer:
        return cls(refund=RefundOut(
            refund_id=refund.refund_id, pack_id=refund.pack_id, amount=refund.amount,
            to=RefundedToOut(cash=refund.to.cash, income=refund.to.income, gift=refund.to.gift),
        ))
