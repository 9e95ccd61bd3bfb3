"""The refund route's request and answer models; the answer reads shared.refunds.models.Refund."""

from __future__ import annotations

from pydantic import Field

from shared.web.fields import ClientId
from shared.web.model import AnswerModel, RequestModel
from shared.web.money import Money, WalletAmounts


class RefundIn(RequestModel):
    refund_id: ClientId = Field(examples=["rf-2026-03-02-1"])


class RefundedToOut(WalletAmounts):
    pass


class RefundOut(AnswerModel):
    refund_id: str
    pack_id: str
    amount: Money = Field(description="What the wallets paid for the pack; a voucher is not returned.")
    to: RefundedToOut = Field(description="What went back to each wallet: what each paid.")


class RefundAnswer(AnswerModel):
    refund: RefundOut
