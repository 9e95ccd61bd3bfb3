"""The cheapest way to pay for a year's volume of one tag: any mix of pack tiers plus postpaid."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from math import gcd

from shared.pricing.money import line_amount
from shared.pricing.price_book import BillingTag, get_tag


@dataclass(frozen=True)
class QuotePack:
    size: int
    quantity: int
    price: Decimal  # the tier price x quantity


@dataclass(frozen=True)
class Quote:
    billing_tag: str
    calls: int
    packs: tuple[QuotePack, ...]  # largest tier first
    postpaid_calls: int
    postpaid_amount: Decimal
    total: Decimal
    postpaid_only_total: Decimal

    @property
    def pack_calls(self) -> int:
        return sum(pack.size * pack.quantity for pack in self.packs)


def quote(billing_tag: str, calls: int) -> Quote:
    """The cheapest mix for `calls`; packs may cover more than `calls` when that is cheaper.

    Exact: an unbounded knapsack over pack totals in steps of the gcd of the tier sizes. An optimal mix
    never covers `calls + largest tier` or more (dropping any pack would still cover `calls` for less),
    so that bounds the table. Ties go to fewer calls bought, then fewer packs.
    """
    if isinstance(calls, bool) or not isinstance(calls, int):
        raise TypeError(f"calls must be an int, not {type(calls).__name__}")
    if calls < 0:
        raise ValueError(f"calls must be >= 0, got {calls}")
    tag = get_tag(billing_tag)
    postpaid_only_total = line_amount(calls, tag.unit_price)
    quantities = _cheapest_quantities(tag, calls) if calls and not tag.postpaid_only else {}

    price_by_size = {tier.size: tier.price for tier in tag.packs}
    packs = tuple(
        QuotePack(size, quantity, price_by_size[size] * quantity)
        for size, quantity in sorted(quantities.items(), reverse=True)
    )
    pack_calls = sum(pack.size * pack.quantity for pack in packs)
    postpaid_calls = max(0, calls - pack_calls)
    postpaid_amount = line_amount(postpaid_calls, tag.unit_price)
    total = sum((pack.price for pack in packs), postpaid_amount)
    return Quote(billing_tag, calls, packs, postpaid_calls, postpaid_amount, total, postpaid_only_total)


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(cents)


def _postpaid_fen_function(unit_price: Decimal) -> Callable[[int], int]:
    """calls -> line_amount(calls, unit_price) in fen, in integer arithmetic (half-up, as line_amount)."""
    numerator, denominator = unit_price.as_integer_ratio()
    return lambda calls: (2 * calls * numerator * 100 + denominator) // (2 * denominator)


def _cheapest_quantities(tag: BillingTag, calls: int) -> dict[int, int]:
    step = reduce(gcd, (tier.size for tier in tag.packs))
    tiers = sorted(tag.packs, key=lambda tier: tier.size, reverse=True)
    weights = [tier.size // step for tier in tiers]
    prices = [_cents(tier.price) for tier in tiers]
    last_index = (calls + tiers[0].size - 1) // step

    # cost[k], packs[k]: the cheapest mix (in fen; then fewest packs) totalling exactly k * step calls.
    unreachable = 1 << 62
    cost = [0] + [unreachable] * last_index
    packs = [0] * (last_index + 1)
    last_tier = [-1] * (last_index + 1)
    for k in range(1, last_index + 1):
        for index, weight in enumerate(weights):
            if weight <= k and cost[k - weight] < unreachable:
                candidate = (cost[k - weight] + prices[index], packs[k - weight] + 1)
                if candidate < (cost[k], packs[k]):
                    cost[k], packs[k] = candidate
                    last_tier[k] = index

    postpaid_fen = _postpaid_fen_function(tag.unit_price)

    def rank(k: int) -> tuple[int, int, int]:
        pack_calls = k * step
        return (cost[k] + postpaid_fen(max(0, calls - pack_calls)), max(calls, pack_calls), packs[k])

    chosen = min((k for k in range(last_index + 1) if cost[k] < unreachable), key=rank)
    quantities: dict[int, int] = {}
    while chosen:
        index = last_tier[chosen]
        quantities[tiers[index].size] = quantities.get(tiers[index].size, 0) + 1
        chosen -= weights[index]
    return quantities
