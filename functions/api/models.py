"""Answer models of the catalog and the quote, mapped from the pricing package."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.pricing import BillingTag, Channel, Quote
from shared.web.money import Money, UnitPrice


class PackTierOut(BaseModel):
    size: int = Field(description="Calls in the pack.", examples=[10000])
    price: Money


class BillingTagOut(BaseModel):
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


class ChannelOut(BaseModel):
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


class Catalog(BaseModel):
    billing_tags: list[BillingTagOut]
    channels: list[ChannelOut]


class QuotePackOut(BaseModel):
    size: int
    quantity: int
    price: Money = Field(description="Price of all packs of this size (tier price × quantity).")


class QuoteOut(BaseModel):
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
