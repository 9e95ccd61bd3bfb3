"""The cumulative rounding rule of API.md (Reports): after k of N calls, round_half_up(paid × k / N, 0.01) in all."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.books.value import deferred_value, recognized_by, recognized_value


@pytest.mark.parametrize("paid, size, used, recognized", [
    ("200.00", 1000, 100, "20.00"),  # the walk: 300.00 with 100.00 by voucher, 100 calls used
    ("200.00", 1000, 0, "0.00"),
    ("200.00", 1000, 1000, "200.00"),
    ("0.05", 2, 1, "0.03"),  # 0.025: half up
    ("0.01", 3, 1, "0.00"),  # 0.00333...
    ("0.01", 3, 2, "0.01"),  # 0.00666...
    ("1150.00", 1000, 341, "392.15"),
    ("299.99", 1000, 341, "102.30"),  # 102.29659
    ("0.00", 1000, 500, "0.00"),  # a pack paid wholly by voucher carries no value
])
def test_the_value_recognized_after_k_calls(paid, size, used, recognized):
    assert recognized_value(Decimal(paid), size, used) == Decimal(recognized)


def test_a_half_fen_rounds_up_exactly_where_floating_point_would_not():
    # 2.675 is 2.67499999... as a float; in fen arithmetic it is exactly half a fen above 2.67.
    assert recognized_value(Decimal("5.35"), 2, 1) == Decimal("2.68")


def test_deferred_is_what_is_not_recognized_yet():
    assert deferred_value(Decimal("200.00"), 1000, 900) == Decimal("180.00")
    assert recognized_by(Decimal("200.00"), 1000, 900, 870) == Decimal("6.00")


@pytest.mark.parametrize("paid, size, used", [("-1.00", 10, 1), ("1.00", 10, 11), ("1.00", 10, -1), ("1.00", 0, 0)])
def test_impossible_figures_are_refused(paid, size, used):
    with pytest.raises(ValueError):
        recognized_value(Decimal(paid), size, used)


@given(fen=st.integers(0, 10**9), size=st.integers(1, 10**6), data=st.data())
def test_however_the_calls_are_split_the_deductions_recognize_exactly_the_paid_value(fen, size, data):
    paid = Decimal(fen) / 100
    cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=8)))
    remaining = sorted([size, *(size - cut for cut in cuts), 0], reverse=True)
    steps = [recognized_by(paid, size, before, after) for before, after in itertools.pairwise(remaining)]

    assert sum(steps, Decimal(0)) == paid
    assert all(step >= 0 for step in steps)
    assert all(step == step.quantize(Decimal("0.01")) for step in steps)
