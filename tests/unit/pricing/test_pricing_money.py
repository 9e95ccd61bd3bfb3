from decimal import Decimal

import pytest

from shared.pricing import PRICE_BOOK, format_money, format_unit_price, line_amount, round_yuan


def test_amounts_round_half_up_to_the_fen_not_to_even():
    assert round_yuan(Decimal("0.025")) == Decimal("0.03")
    assert round_yuan(Decimal("0.0249")) == Decimal("0.02")
    assert round_yuan(Decimal("-0.025")) == Decimal("-0.03")


def test_money_always_has_two_decimals_and_never_an_exponent():
    assert format_money(Decimal("17000")) == "17000.00"
    assert format_money(Decimal("1E+4")) == "10000.00"
    assert format_money(Decimal("0.5")) == "0.50"
    assert format_money(0) == "0.00"


def test_unit_prices_keep_the_books_decimals():
    assert format_unit_price(Decimal("0.0035")) == "0.0035"
    assert format_unit_price(Decimal("1.2")) == "1.2"
    assert format_unit_price(Decimal("1.0")) == "1.0"
    assert format_unit_price(Decimal("1E-7")) == "0.0000001"


def test_the_books_unit_prices_format_as_the_price_page_prints_them():
    formatted = {tag_id: format_unit_price(tag.unit_price) for tag_id, tag in PRICE_BOOK.items()}
    assert formatted["face_risk_detection"] == "0.0035"
    assert formatted["nfc_id_reading"] == "1.0"
    assert formatted["basic_authority"] == "1"
    assert formatted["enhanced_authority_wechat"] == "1.2"


def test_a_line_is_calls_times_unit_price_rounded_once():
    assert line_amount(143, Decimal("0.0035")) == Decimal("0.50")
    assert line_amount(142, Decimal("0.0035")) == Decimal("0.50")  # 0.497
    assert line_amount(1, Decimal("0.0035")) == Decimal("0.00")
    assert line_amount(0, Decimal("1.2")) == Decimal("0.00")


def test_floats_are_never_money():
    with pytest.raises(TypeError):
        round_yuan(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        line_amount(10, 1.2)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        line_amount(True, Decimal("1.2"))  # type: ignore[arg-type]


def test_a_negative_call_count_is_refused():
    with pytest.raises(ValueError):
        line_amount(-1, Decimal("1.2"))
