"""GET /v1/catalog and GET /v1/quote: the price book and the cheapest way to buy N calls."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.catalog import Catalog, QuoteOut
from shared.pricing import CHANNELS, PRICE_BOOK, quote
from shared.web.openapi import answers

MAX_QUOTE_CALLS = 100_000_000

router = APIGatewayRouter()

BillingTagId = StrEnum("BillingTagId", {tag_id: tag_id for tag_id in PRICE_BOOK})


@router.get("/v1/catalog", summary="Billing tags, prices, pack tiers and channels", responses=answers(Catalog))
def get_catalog() -> Catalog:
    return Catalog(billing_tags=list(PRICE_BOOK.values()), channels=list(CHANNELS.values()))


@router.get(
    "/v1/quote",
    summary="The cheapest mix of packs and postpaid for a year's calls of one tag",
    responses=answers(QuoteOut),
)
def get_quote(
    billing_tag: Annotated[BillingTagId, Query(description="A billing tag id of the catalog.")],
    calls: Annotated[int, Query(ge=0, le=MAX_QUOTE_CALLS, description="Calls expected within a year.")],
) -> QuoteOut:
    return QuoteOut.model_validate(quote(billing_tag.value, calls))
