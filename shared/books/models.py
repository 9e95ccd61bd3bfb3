"""The figures of the vendor's books (API.md, Reports): what a movement books, on which billing date and tag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Figure(StrEnum):
    """A money field of the revenue report that movements add to (the deferred balances follow from them)."""

    POSTPAID_REVENUE = "postpaid_revenue"
    PACK_SALES = "pack_sales"
    VOUCHER_DISCOUNTS = "voucher_discounts"
    RECOGNIZED_PACK_REVENUE = "recognized_pack_revenue"
    BREAKAGE = "breakage"
    REFUNDS = "refunds"


# How each figure moves the paid value still deferred: sold value comes in, the rest goes out.
DEFERRED_SIGN: dict[Figure, int] = {
    Figure.POSTPAID_REVENUE: 0,
    Figure.PACK_SALES: 1,
    Figure.VOUCHER_DISCOUNTS: 0,
    Figure.RECOGNIZED_PACK_REVENUE: -1,
    Figure.BREAKAGE: -1,
    Figure.REFUNDS: -1,
}


@dataclass(frozen=True)
class Booking:
    """`amount` added to one figure of one tag on one billing date."""

    day: date
    billing_tag: str
    figure: Figure
    amount: Decimal


FigureKey = tuple[str, Figure]  # (billing tag, figure): one number of a day's books
