from decimal import Decimal
from math import ceil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.pricing import PRICE_BOOK, Quote, UnknownBillingTag, get_tag, line_amount, quote

TAGS_WITH_PACKS = [tag_id for tag_id, tag in PRICE_BOOK.items() if tag.packs]


def test_no_calls_is_an_empty_quote_of_zero():
    result = quote("enhanced_authority_wechat", 0)
    assert (result.packs, result.postpaid_calls, result.total, result.postpaid_only_total) == (
        (),
        0,
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_negative_or_non_integer_calls_are_refused():
    with pytest.raises(ValueError):
        quote("enhanced_authority_wechat", -1)
    with pytest.raises(TypeError):
        quote("enhanced_authority_wechat", True)  # type: ignore[arg-type]
    with pytest.raises(UnknownBillingTag):
        quote("nope", 10)


def test_postpaid_only_tags_are_quoted_all_postpaid():
    result = quote("face_risk_detection", 143)
    assert result.packs == ()
    assert result.postpaid_calls == 143
    assert result.total == result.postpaid_only_total == result.postpaid_amount == Decimal("0.50")


def test_a_pack_bigger_than_the_need_is_bought_when_it_is_cheaper_than_postpaid():
    # 980 calls postpaid at 1.2 = 1176.00, a 1,000 pack = 1150
    result = quote("enhanced_authority_wechat", 980)
    assert [(p.size, p.quantity) for p in result.packs] == [(1_000, 1)]
    assert (result.postpaid_calls, result.total) == (0, Decimal("1150.00"))


def test_postpaid_is_kept_when_a_pack_would_cost_more():
    result = quote("enhanced_authority_wechat", 900)  # 1080.00 postpaid against 1150 for a pack
    assert (result.packs, result.total) == ((), Decimal("1080.00"))


def test_a_tie_in_price_goes_to_fewer_packs():
    result = quote("plus_authority_wechat", 1_000)  # 1,000 x 1.5 = 1500 = the 1,000 pack
    assert (result.packs, result.total) == ((), Decimal("1500.00"))


def test_the_seeds_cheap_200000_bank_card_pack_beats_smaller_mixes():
    result = quote("bankcard_basic_query", 150_000)
    assert [(p.size, p.quantity, p.price) for p in result.packs] == [(200_000, 1, Decimal("36000"))]


def test_a_quote_for_ten_million_calls_finishes_and_adds_up():
    result = quote("eid_authority", 10_000_000)
    assert_consistent(result)
    assert result.total <= result.postpaid_only_total


# --- properties -----------------------------------------------------------------------------------


def assert_consistent(result: Quote) -> None:
    tag = get_tag(result.billing_tag)
    pack_calls = sum(p.size * p.quantity for p in result.packs)
    assert all(p.quantity > 0 and p.price == tag.tier(p.size).price * p.quantity for p in result.packs)
    assert pack_calls + result.postpaid_calls >= result.calls
    assert result.postpaid_calls == max(0, result.calls - pack_calls)
    assert result.postpaid_amount == line_amount(result.postpaid_calls, tag.unit_price)
    assert result.total == sum((p.price for p in result.packs), result.postpaid_amount)
    assert result.postpaid_only_total == line_amount(result.calls, tag.unit_price)


def mix_cost(tag_id: str, calls: int, quantities: dict[int, int]) -> Decimal:
    tag = get_tag(tag_id)
    pack_calls = sum(size * quantity for size, quantity in quantities.items())
    packs_price = sum((tag.tier(size).price * quantity for size, quantity in quantities.items()), Decimal(0))
    return packs_price + line_amount(max(0, calls - pack_calls), tag.unit_price)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(TAGS_WITH_PACKS), st.integers(0, 1_500_000))
def test_a_quote_is_never_dearer_than_postpaid_or_any_single_tier_mix(tag_id, calls):
    result = quote(tag_id, calls)
    assert_consistent(result)
    assert result.total <= result.postpaid_only_total
    for tier in get_tag(tag_id).packs:
        for quantity in range(ceil(calls / tier.size) + 1):
            assert result.total <= mix_cost(tag_id, calls, {tier.size: quantity})


def brute_force_best(tag_id: str, calls: int) -> tuple[Decimal, int, int]:
    """(total, calls bought, packs) of the best mix, over every mix that adds packs only while short."""
    tiers = sorted(get_tag(tag_id).packs, key=lambda tier: tier.size, reverse=True)
    best = None

    def walk(index: int, covered: int, quantities: dict[int, int]) -> None:
        nonlocal best
        if index == len(tiers):
            key = (mix_cost(tag_id, calls, quantities), max(calls, covered), sum(quantities.values()))
            best = key if best is None or key < best else best
            return
        size = tiers[index].size
        quantity = 0
        while True:
            walk(index + 1, covered + quantity * size, {**quantities, size: quantity})
            if covered + quantity * size >= calls:
                return  # already covered: one more pack can only cost more
            quantity += 1

    walk(0, 0, {})
    assert best is not None
    return best


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(TAGS_WITH_PACKS), st.integers(0, 30_000))
def test_a_quote_matches_a_brute_force_search_over_every_mix_for_small_volumes(tag_id, calls):
    result = quote(tag_id, calls)
    pack_calls = sum(p.size * p.quantity for p in result.packs)
    chosen = (result.total, max(calls, pack_calls), sum(p.quantity for p in result.packs))
    assert chosen == brute_force_best(tag_id, calls)
