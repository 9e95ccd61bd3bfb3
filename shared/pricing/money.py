"""Money arithmetic: Decimal yuan, rounded half-up to the fen."""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def _require_decimal(value: object, what: str) -> Decimal:
    # bool is an int subclass and float is inexact: neither is ever money.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{what} must be a Decimal (or an int), not {type(value).__name__}")


def round_yuan(amount: Decimal) -> Decimal:
    """Round to 0.01 yuan, half-up (0.005 -> 0.01)."""
    return _require_decimal(amount, "amount").quantize(FEN, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """Format an amount with exactly two decimals, never in scientific notation: "17000.00"."""
    return format(round_yuan(amount), "f")


def format_unit_price(price: Decimal) -> str:
    """Format a unit price with the decimals the price book gives it: "0.0035", "1.2", "1.0", "1"."""
    return format(_require_decimal(price, "price"), "f")


def line_amount(calls: int, unit_price: Decimal) -> Decimal:
    """The amount of a bill line: calls x unit price, rounded half-up to the fen."""
    if isinstance(calls, bool) or not isinstance(calls, int):
        raise TypeError(f"calls must be an int, not {type(calls).__name__}")
    if calls < 0:
        raise ValueError(f"calls must be >= 0, got {calls}")
    return round_yuan(Decimal(calls) * _require_decimal(unit_price, "unit_price"))
