"""Who pays for a purchase, and how a purchase's payment is shared over its packs."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.accounts.errors import InsufficientBalance
from shared.accounts.models import Payment, Wallets
from shared.accounts.rules import allocate_payment, split_payment
from shared.refusals import InvalidField

SOURCES = ("voucher", "cash", "income", "gift")


def yuan(text: str) -> Decimal:
    return Decimal(text)


def test_cash_pays_before_income_and_income_before_gift():
    wallets = Wallets(cash=yuan("100"), income=yuan("50"), gift=yuan("1000"))

    paid = split_payment(yuan("180"), yuan("0"), wallets, wallets.total)

    assert paid == Payment(cash=yuan("100"), income=yuan("50"), gift=yuan("30"), voucher=yuan("0"))


def test_the_voucher_pays_first_and_only_the_rest_comes_from_the_wallets():
    wallets = Wallets(cash=yuan("1000"))

    paid = split_payment(yuan("1150"), yuan("150"), wallets, wallets.total)

    assert paid == Payment(cash=yuan("1000"), voucher=yuan("150"))


def test_a_voucher_larger_than_the_price_is_a_bad_request_on_its_field():
    with pytest.raises(InvalidField) as refused:
        split_payment(yuan("100"), yuan("100.01"), Wallets(cash=yuan("500")), yuan("500"))

    assert [detail.field for detail in refused.value.details] == ["voucher_amount"]


def test_not_enough_money_is_insufficient_balance():
    wallets = Wallets(cash=yuan("10"), income=yuan("10"), gift=yuan("10"))

    with pytest.raises(InsufficientBalance) as refused:
        split_payment(yuan("30.01"), yuan("0"), wallets, wallets.total)

    assert refused.value.code == "INSUFFICIENT_BALANCE"
    assert "0.01 yuan short" in refused.value.message


def test_a_negative_wallet_pays_nothing_and_the_balance_caps_the_others():
    wallets = Wallets(cash=yuan("-100"), gift=yuan("300"))

    paid = split_payment(yuan("200"), yuan("0"), wallets, wallets.total)

    assert paid == Payment(gift=yuan("200"))
    with pytest.raises(InsufficientBalance):
        split_payment(yuan("200.01"), yuan("0"), wallets, wallets.total)


def test_a_negative_balance_never_pays_but_a_voucher_still_does():
    wallets = Wallets(cash=yuan("-100"))

    assert split_payment(yuan("50"), yuan("50"), wallets, wallets.total) == Payment(voucher=yuan("50"))
    with pytest.raises(InsufficientBalance):
        split_payment(yuan("50"), yuan("49.99"), wallets, wallets.total)


def test_the_packs_of_a_purchase_share_its_payment_pack_by_pack():
    payment = Payment(cash=yuan("1000"), income=yuan("1500"), gift=yuan("849.99"), voucher=yuan("100.01"))

    shares = allocate_payment(payment, [yuan("1150")] * 3)

    assert shares == (
        Payment(voucher=yuan("100.01"), cash=yuan("1000"), income=yuan("49.99")),
        Payment(income=yuan("1150")),
        Payment(income=yuan("300.01"), gift=yuan("849.99")),
    )


def test_prices_that_do_not_sum_to_the_payment_are_a_bug():
    with pytest.raises(ValueError):
        allocate_payment(Payment(cash=yuan("10")), [yuan("5"), yuan("4")])


# -- properties

cents = st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n) / 100)
signed_cents = st.integers(min_value=-(10**8), max_value=10**9).map(lambda n: Decimal(n) / 100)
prices = st.integers(min_value=1, max_value=10**9).map(lambda n: Decimal(n) / 100)


@st.composite
def purchases(draw, wallet_amounts=cents):
    price = draw(prices)
    voucher = draw(st.integers(min_value=0, max_value=int(price * 100)).map(lambda n: Decimal(n) / 100))
    wallets = Wallets(draw(wallet_amounts), draw(wallet_amounts), draw(wallet_amounts))
    return price, voucher, wallets


@given(purchases(signed_cents))
def test_a_split_pays_the_price_exactly_never_negative_never_beyond_a_wallet_or_the_balance(purchase):
    price, voucher, wallets = purchase
    held = sum(max(Decimal(0), wallets[w]) for w in ("cash", "income", "gift"))
    spendable = min(held, max(Decimal(0), wallets.total))
    try:
        paid = split_payment(price, voucher, wallets, wallets.total)
    except InsufficientBalance:
        assert price - voucher > spendable
        return

    assert paid.total == price
    assert paid.voucher == voucher
    assert all(getattr(paid, source) >= 0 for source in SOURCES)
    assert all(paid.from_wallet(w) <= max(Decimal(0), wallets[w]) for w in ("cash", "income", "gift"))
    assert paid.from_wallets <= max(Decimal(0), wallets.total)


@given(purchases())
def test_a_split_takes_income_only_once_cash_is_empty_and_gift_only_once_income_is_empty(purchase):
    price, voucher, wallets = purchase
    try:
        paid = split_payment(price, voucher, wallets, wallets.total)
    except InsufficientBalance:
        return

    if paid.income > 0:
        assert paid.cash == wallets.cash
    if paid.gift > 0:
        assert (paid.cash, paid.income) == (wallets.cash, wallets.income)


@st.composite
def payments_and_prices(draw):
    pack_prices = draw(st.lists(prices, min_size=1, max_size=20))
    total_cents = int(sum(pack_prices) * 100)
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=total_cents), min_size=3, max_size=3)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total_cents], strict=True)]
    payment = Payment(**{source: Decimal(part) / 100 for source, part in zip(SOURCES, parts, strict=True)})
    return payment, pack_prices


@given(payments_and_prices())
def test_the_shares_of_the_packs_sum_to_each_price_and_to_each_source_exactly(case):
    payment, pack_prices = case

    shares = allocate_payment(payment, pack_prices)

    assert [share.total for share in shares] == pack_prices
    for source in SOURCES:
        assert sum(getattr(share, source) for share in shares) == getattr(payment, source)
        assert all(getattr(share, source) >= 0 for share in shares)


@given(payments_and_prices())
def test_a_source_is_used_up_before_the_next_one_pays_in_the_order_voucher_cash_income_gift(case):
    payment, pack_prices = case

    shares = allocate_payment(payment, pack_prices)

    used = dict.fromkeys(SOURCES, Decimal(0))
    for share in shares:
        for source in SOURCES:
            used[source] += getattr(share, source)
        for earlier, later in pairwise(SOURCES):
            if getattr(share, later) > 0:
                assert used[earlier] == getattr(payment, earlier)
