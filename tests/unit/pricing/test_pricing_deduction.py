from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.pricing import (
    PackBalance,
    PackKind,
    Usage,
    daily_unit_price,
    deduct,
    pack_kind_for_origin,
    postpaid_amount,
    price_lines,
)

TAG = "enhanced_authority_wechat"
OTHER_TAG = "basic_authority"
DAY = date(2024, 6, 10)
GIFTED, PURCHASED = PackKind.GIFTED, PackKind.PURCHASED


def pack(
    pack_id: str,
    remaining: int,
    *,
    kind: PackKind = PURCHASED,
    tag: str = TAG,
    effective_from: date = date(2024, 1, 1),
    expires_on: date = date(2024, 12, 31),
    acquired_at: datetime = datetime(2024, 1, 1, tzinfo=UTC),
) -> PackBalance:
    return PackBalance(pack_id, tag, kind, remaining, effective_from, expires_on, acquired_at)


def test_gifted_packs_are_deducted_before_purchased_ones_even_when_a_purchased_one_expires_first():
    packs = [pack("bought", 50, expires_on=date(2024, 7, 1)), pack("gift", 30, kind=GIFTED)]
    (line,) = deduct([Usage(DAY, TAG, 40)], packs).lines
    assert line.pack_deductions == (("gift", 30), ("bought", 10))
    assert line.postpaid_calls == 0


def test_among_packs_of_one_kind_the_first_to_expire_goes_first():
    packs = [
        pack("later", 10, expires_on=date(2024, 12, 31)),
        pack("sooner", 10, expires_on=date(2024, 8, 1)),
    ]
    (line,) = deduct([Usage(DAY, TAG, 5)], packs).lines
    assert line.pack_deductions == (("sooner", 5),)


def test_packs_expiring_together_go_oldest_first_then_by_smaller_id():
    older = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
    newer = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    packs = [
        pack("a", 1, acquired_at=newer),
        pack("c", 1, acquired_at=older),
        pack("b", 1, acquired_at=older),
    ]
    (line,) = deduct([Usage(DAY, TAG, 3)], packs).lines
    assert [pack_id for pack_id, _ in line.pack_deductions] == ["b", "c", "a"]


def test_what_the_packs_cannot_cover_goes_postpaid_and_balances_never_go_negative():
    result = deduct([Usage(DAY, TAG, 130)], [pack("p", 100)])
    assert result.lines[0].postpaid_calls == 30
    assert result.remaining == {"p": 0}


def test_a_pack_offsets_only_days_inside_its_validity():
    bought_late = pack("p", 100, effective_from=date(2024, 6, 10), expires_on=date(2025, 6, 10))
    result = deduct(
        [Usage(date(2024, 6, 9), TAG, 5), Usage(date(2024, 6, 10), TAG, 5), Usage(date(2025, 6, 11), TAG, 5)],
        [bought_late],
    )
    assert [line.postpaid_calls for line in result.lines] == [5, 0, 5]
    assert result.remaining == {"p": 95}


def test_a_pack_offsets_only_its_own_tag():
    result = deduct([Usage(DAY, OTHER_TAG, 5)], [pack("p", 100)])
    assert result.lines[0].pack_deductions == ()
    assert result.lines[0].postpaid_calls == 5


def test_the_oldest_day_is_served_first_whatever_the_input_order():
    result = deduct([Usage(DAY + timedelta(days=1), TAG, 8), Usage(DAY, TAG, 8)], [pack("p", 10)])
    assert [(line.usage_date, line.prepaid_calls, line.postpaid_calls) for line in result.lines] == [
        (DAY, 8, 0),
        (DAY + timedelta(days=1), 2, 6),
    ]


def test_a_day_with_no_billable_calls_takes_nothing():
    result = deduct([Usage(DAY, TAG, 0)], [pack("p", 10)])
    assert result.lines[0].pack_deductions == ()
    assert result.remaining == {"p": 10}


def test_the_same_pack_twice_is_refused():
    with pytest.raises(ValueError):
        deduct([], [pack("p", 1), pack("p", 2)])


def test_impossible_inputs_are_refused():
    with pytest.raises(ValueError):
        pack("p", -1)
    with pytest.raises(ValueError):
        pack("p", 1, effective_from=date(2024, 2, 1), expires_on=date(2024, 1, 1))
    with pytest.raises(ValueError):
        pack("p", 1, acquired_at=datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        Usage(DAY, TAG, -1)


def test_free_quota_and_promotion_packs_are_gifted_and_purchases_are_not():
    assert pack_kind_for_origin("free_quota") is GIFTED
    assert pack_kind_for_origin("promotion") is GIFTED
    assert pack_kind_for_origin("purchase") is PURCHASED
    with pytest.raises(ValueError):
        pack_kind_for_origin("voucher")


def test_postpaid_lines_are_priced_at_the_tags_unit_price_rounded_per_line():
    result = deduct([Usage(DAY, "face_risk_detection", 143), Usage(DAY, TAG, 15_000)], [pack("p", 10_000)])
    priced = price_lines(result.lines)
    assert [(p.line.billing_tag, p.unit_price, p.amount) for p in priced] == [
        (TAG, Decimal("1.2"), Decimal("6000.00")),
        ("face_risk_detection", Decimal("0.0035"), Decimal("0.50")),
    ]
    assert postpaid_amount(143, daily_unit_price("face_risk_detection")) == Decimal("0.50")


def test_lines_can_be_priced_with_monthly_prices():
    (line,) = deduct([Usage(DAY, "phone_2e", 1000)], []).lines
    (priced,) = price_lines([line], {"phone_2e": Decimal("0.35")}.__getitem__)
    assert priced.amount == Decimal("350.00")


# --- properties -----------------------------------------------------------------------------------

BASE_DAY = date(2024, 1, 1)
TAGS = (TAG, OTHER_TAG)
INSTANTS = [datetime(2023, 12, 31, hour, tzinfo=UTC) for hour in range(3)]


@st.composite
def pack_balances(draw) -> list[PackBalance]:
    count = draw(st.integers(0, 6))
    packs = []
    for number in range(count):
        start = draw(st.integers(0, 9))
        packs.append(
            PackBalance(
                pack_id=f"p{draw(st.integers(0, 99)):02d}-{number}",
                billing_tag=draw(st.sampled_from(TAGS)),
                kind=draw(st.sampled_from(PackKind)),
                remaining=draw(st.integers(0, 40)),
                effective_from=BASE_DAY + timedelta(days=start),
                expires_on=BASE_DAY + timedelta(days=start + draw(st.integers(0, 9))),
                acquired_at=draw(st.sampled_from(INSTANTS)),
            )
        )
    return packs


usages = st.lists(
    st.builds(
        Usage,
        usage_date=st.integers(0, 12).map(lambda offset: BASE_DAY + timedelta(days=offset)),
        billing_tag=st.sampled_from(TAGS),
        billable_calls=st.integers(0, 60),
    ),
    max_size=8,
)


def independent_rank(balance: PackBalance):
    return (0 if balance.kind == "gifted" else 1, balance.expires_on, balance.acquired_at, balance.pack_id)


@settings(max_examples=100, deadline=None)
@given(usages, pack_balances())
def test_every_billable_call_lands_in_exactly_one_pack_or_postpaid(usage, packs):
    result = deduct(usage, packs)
    assert len(result.lines) == len(usage)
    assert Counter((u.usage_date, u.billing_tag, u.billable_calls) for u in usage) == Counter(
        (line.usage_date, line.billing_tag, line.billable_calls) for line in result.lines
    )
    assert [(line.usage_date, line.billing_tag) for line in result.lines] == sorted(
        (line.usage_date, line.billing_tag) for line in result.lines
    )
    for line in result.lines:
        assert line.postpaid_calls >= 0
        assert all(calls > 0 for _, calls in line.pack_deductions)
        assert sum(calls for _, calls in line.pack_deductions) + line.postpaid_calls == line.billable_calls


@settings(max_examples=100, deadline=None)
@given(usages, pack_balances())
def test_no_pack_goes_below_zero_and_remaining_is_original_minus_deducted(usage, packs):
    result = deduct(usage, packs)
    deducted: Counter[str] = Counter()
    for line in result.lines:
        for pack_id, calls in line.pack_deductions:
            deducted[pack_id] += calls
    assert set(result.remaining) == {p.pack_id for p in packs}
    for balance in packs:
        assert result.remaining[balance.pack_id] >= 0
        assert result.remaining[balance.pack_id] == balance.remaining - deducted[balance.pack_id]


@settings(max_examples=100, deadline=None)
@given(usages, pack_balances())
def test_packs_are_never_used_outside_their_validity_or_for_another_tag(usage, packs):
    by_id = {p.pack_id: p for p in packs}
    for line in deduct(usage, packs).lines:
        for pack_id, _ in line.pack_deductions:
            used = by_id[pack_id]
            assert used.billing_tag == line.billing_tag
            assert used.effective_from <= line.usage_date <= used.expires_on


@settings(max_examples=100, deadline=None)
@given(usages, pack_balances())
def test_each_day_drains_valid_packs_in_rank_order_before_going_postpaid(usage, packs):
    balance = {p.pack_id: p.remaining for p in packs}
    for line in deduct(usage, packs).lines:
        usable = sorted(
            (p for p in packs if p.billing_tag == line.billing_tag
             and p.effective_from <= line.usage_date <= p.expires_on and balance[p.pack_id] > 0),
            key=independent_rank,
        )
        taken = list(line.pack_deductions)
        # The packs taken are a prefix of the usable ones in rank order ...
        assert [pack_id for pack_id, _ in taken] == [p.pack_id for p in usable[: len(taken)]]
        # ... each emptied before the next is touched ...
        assert all(calls == balance[pack_id] for pack_id, calls in taken[:-1])
        # ... and nothing goes postpaid while a usable pack has calls left.
        if line.postpaid_calls:
            assert len(taken) == len(usable)
            assert all(calls == balance[pack_id] for pack_id, calls in taken)
        kinds = [next(p.kind for p in packs if p.pack_id == pack_id) for pack_id, _ in taken]
        assert kinds == sorted(kinds, key=lambda kind: kind != "gifted")
        for pack_id, calls in taken:
            balance[pack_id] -= calls
