"""Answer models of the catalog and the quote, read from the pricing package."""

from __future__ import annotations

from pydantic import Field

from shared.web.model import AnswerModel
from shared.web.money import Money, UnitPrice


class PackTierOut(AnswerModel):
    size: int = Field(description="Calls in the pack.", examples=[10000])
    price: Money


class BillingTagOut(AnswerModel):
    id: str = Field(examples=["enhanced_authority_wechat"])
    name_zh: str = Field(examples=["增强版人脸核身(权威库)-微信"])
    name_en: str = Field(examples=["Enhanced face verification (authority) - WeChat"])
    unit_price: UnitPrice = Field(description="Postpaid price per billable call, in yuan.")
    packs: list[PackTierOut] = Field(description="Pack tiers (资源包规格); empty for postpaid-only tags.")
    postpaid_only: bool


class ChannelOut(AnswerModel):
    id: str = Field(examples=["enhanced.wechat_miniprogram"])
    name_zh: str
    name_en: str
    sources: list[str] = Field(description="authority and/or upload where the source picks the tag; else empty.")
    return_code_family: str = Field(examples=["wechat"])


class Catalog(AnswerModel):
    billing_tags: list[BillingTagOut]
    channels: list[ChannelOut]


class QuotePackOut(AnswerModel):
    size: int
    quantity: int
    price: Money = Field(description="Price of all packs of this size (tier price × quantity).")


class QuoteOut(AnswerModel):
    billing_tag: str
    calls: int
    packs: list[QuotePackOut]
    postpaid_calls: int
    postpaid_amount: Money
    total: Money
    postpaid_only_total: Money = Field(description="What the same calls cost with no pack at all.")
