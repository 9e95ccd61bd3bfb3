"""Settlement arithmetic: which packs offset which day's billable calls, and what goes postpaid."""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from shared.pricing.errors import UnknownBillingTag
from shared.pricing.money import line_amount
from shared.pricing.price_book import MONTHLY_LADDER_TAGS, PRICE_BOOK, BillingTag, get_tag


class PackKind(StrEnum):
    GIFTED = "gifted"  # 赠送: free quota and promotion grants; deducted first
    PURCHASED = "purchased"


_KIND_BY_ORIGIN: Mapping[str, PackKind] = MappingProxyType(
    {"free_quota": PackKind.GIFTED, "promotion": PackKind.GIFTED, "purchase": PackKind.PURCHASED}
)


def pack_kind_for_origin(origin: str) -> PackKind:
    try:
        return _KIND_BY_ORIGIN[origin]
    except KeyError:
        expected = ", ".join(_KIND_BY_ORIGIN)
        raise ValueError(f"unknown pack origin {origin!r}; expected one of {expected}") from None


@dataclass(frozen=True)
class PackBalance:
    pack_id: str
    billing_tag: str
    kind: PackKind
    remaining: int
    effective_from: date
    expires_on: date
    acquired_at: datetime

    def __post_init__(self) -> None:
        if self.remaining < 0:
            raise ValueError(f"pack {self.pack_id} has a negative balance: {self.remaining}")
        if self.effective_from > self.expires_on:
            raise ValueError(f"pack {self.pack_id} expires before it takes effect")
        if self.acquired_at.tzinfo is None:
            raise ValueError(f"pack {self.pack_id}: acquired_at must carry a time zone")

    def offsets(self, usage_date: date, billing_tag: str) -> bool:
        return self.billing_tag == billing_tag and self.effective_from <= usage_date <= self.expires_on

    def deduction_rank(self) -> tuple[bool, date, datetime, str]:
        """Sort key: gifted before purchased, then first to expire, then older, then smaller id."""
        purchased = self.kind is not PackKind.GIFTED
        return (purchased, self.expires_on, self.acquired_at.astimezone(UTC), self.pack_id)


@dataclass(frozen=True)
class Usage:
    usage_date: date
    billing_tag: str
    billable_calls: int

    def __post_init__(self) -> None:
        if self.billable_calls < 0:
            raise ValueError(f"billable_calls must be >= 0, got {self.billable_calls}")


@dataclass(frozen=True)
class DeductionLine:
    usage_date: date
    billing_tag: str
    billable_calls: int
    pack_deductions: tuple[tuple[str, int], ...]  # (pack_id, calls), in the order they were taken
    postpaid_calls: int

    @property
    def prepaid_calls(self) -> int:
        return sum(calls for _, calls in self.pack_deductions)


@dataclass(frozen=True)
class Deduction:
    lines: tuple[DeductionLine, ...]
    remaining: Mapping[str, int]  # pack_id -> calls left after this deduction


def deduct(usage: Sequence[Usage], packs: Sequence[PackBalance]) -> Deduction:
    """Offset billable usage with packs, oldest day first, in the vendor's order; the rest is postpaid.

    Lines come back one per usage, sorted by date then tag (usages of one date and tag keep their order).
    """
    pack_ids = [pack.pack_id for pack in packs]
    if len(set(pack_ids)) != len(pack_ids):
        raise ValueError("each pack may appear only once")

    remaining = {pack.pack_id: pack.remaining for pack in packs}
    ranked_by_tag: dict[str, list[PackBalance]] = defaultdict(list)
    for pack in sorted(packs, key=PackBalance.deduction_rank):
        ranked_by_tag[pack.billing_tag].append(pack)

    lines = []
    for item in sorted(usage, key=lambda u: (u.usage_date, u.billing_tag)):
        still_due = item.billable_calls
        taken: list[tuple[str, int]] = []
        for pack in ranked_by_tag.get(item.billing_tag, ()):
            if still_due == 0:
                break
            if not pack.offsets(item.usage_date, item.billing_tag) or remaining[pack.pack_id] == 0:
                continue
            calls = min(still_due, remaining[pack.pack_id])
            remaining[pack.pack_id] -= calls
            still_due -= calls
            taken.append((pack.pack_id, calls))
        lines.append(
            DeductionLine(item.usage_date, item.billing_tag, item.billable_calls, tuple(taken), still_due)
        )
    return Deduction(lines=tuple(lines), remaining=MappingProxyType(remaining))


def postpaid_amount(calls: int, unit_price: Decimal) -> Decimal:
    return line_amount(calls, unit_price)


def daily_unit_price(billing_tag: str) -> Decimal:
    return get_tag(billing_tag).unit_price


@dataclass(frozen=True)
class PricedLine:
    line: DeductionLine
    unit_price: Decimal
    amount: Decimal  # postpaid calls x unit price, rounded half-up to the fen


def price_lines(
    lines: Sequence[DeductionLine], unit_price_for: Callable[[str], Decimal] = daily_unit_price
) -> tuple[PricedLine, ...]:
    """Price the postpaid part of each line; a bill's total is the sum of these rounded amounts."""
    priced = []
    for line in lines:
        unit_price = unit_price_for(line.billing_tag)
        priced.append(PricedLine(line, unit_price, line_amount(line.postpaid_calls, unit_price)))
    return tuple(priced)


def monthly_unit_prices(
    month_volume_by_tag: Mapping[str, int], price_book: Mapping[str, BillingTag] = PRICE_BOOK
) -> dict[str, Decimal]:
    """Unit prices of a monthly settlement: the ladder for 实名信息核验 tags, the daily price for the rest.

    The volume is the month's whole billable volume of the tag (阶梯到达: one price for all of it).
    """
    prices = {}
    for tag_id, volume in month_volume_by_tag.items():
        if tag_id not in price_book:
            raise UnknownBillingTag(f"unknown billing tag: {tag_id!r}")
        tag = price_book[tag_id]
        prices[tag_id] = tag.monthly_unit_price(volume) if tag_id in MONTHLY_LADDER_TAGS else tag.unit_price
    return prices
