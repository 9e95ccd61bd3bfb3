"""A bought pack's paid value, recognized call by call (API.md, Reports).

After k of its N calls, exactly round_half_up(paid × k / N, 0.01) has been recognized in all: each
deduction recognizes the difference of two such figures, so a pack used to the end recognizes what was
paid, to the fen, however its calls were split between bills. Computed on whole fen, so no division is
ever rounded twice.
"""

from __future__ import annotations

from decimal import Decimal

_FEN = Decimal("0.01")


def recognized_value(paid: Decimal, size: int, used: int) -> Decimal:
    """The paid value recognized once `used` of the pack's `size` calls have been deducted."""
    if not 0 <= used <= size or size <= 0:
        raise ValueError(f"{used} calls used of a pack of {size}")
    fen = int((paid / _FEN).to_integral_exact())
    if fen < 0:
        raise ValueError(f"a pack's paid value is never negative: {paid}")
    return Decimal((2 * fen * used + size) // (2 * size)) * _FEN


def deferred_value(paid: Decimal, size: int, remaining: int) -> Decimal:
    """The paid value not recognized yet while `remaining` of its `size` calls are left."""
    return paid - recognized_value(paid, size, size - remaining)


def recognized_by(paid: Decimal, size: int, before: int, after: int) -> Decimal:
    """What a deduction from `before` to `after` remaining calls recognizes."""
    return deferred_value(paid, size, before) - deferred_value(paid, size, after)
