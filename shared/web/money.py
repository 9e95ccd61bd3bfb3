"""Money at the API boundary: a JSON string, never a float, whatever Python or DynamoDB hold."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from shared.pricing import format_money, format_unit_price
from shared.web.model import AnswerModel

Money = Annotated[
    Decimal,
    PlainSerializer(format_money, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["17000.00"]}),
]
"""An amount in yuan, answered as a string with exactly two decimals."""

UnitPrice = Annotated[
    Decimal,
    PlainSerializer(format_unit_price, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["1.2", "0.0035"]}),
]
"""A price per call, answered with as many decimals as the price book has."""


_MONEY_TEXT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def _money_from_text(value: object) -> Decimal:
    # A JSON number is refused outright: 0.1 as a float is already not 0.1.
    if not isinstance(value, str):
        raise ValueError('money must be a JSON string such as "100.00", never a number')
    if not _MONEY_TEXT.match(value):
        raise ValueError('money must be yuan with at most two decimals, e.g. "100.00"')
    return Decimal(value)


MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_money_from_text),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$", "examples": ["100.00"]}),
]
"""An amount in a request: a string of yuan with at most two decimals; numbers are refused."""


_SIGNED_MONEY_TEXT = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")


def _signed_money_from_text(value: object) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('money must be a JSON string such as "-50.00", never a number')
    if not _SIGNED_MONEY_TEXT.match(value):
        raise ValueError('money must be yuan with at most two decimals, e.g. "100.00" or "-50.00"')
    return Decimal(value)


SignedMoneyIn = Annotated[
    Decimal,
    BeforeValidator(_signed_money_from_text),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,2})?$", "examples": ["100.00", "-50.00"]}),
]
"""An amount in a request that may be below zero (a balance alert's threshold)."""


class WalletAmounts(AnswerModel):
    """An amount for each wallet: an account's wallets, what each paid for a purchase, what a refund gave back.

    Each answer subclasses it under its own name (WalletsOut, PaidOut, RefundedToOut): the names are the
    OpenAPI document's component names, part of the contract.
    """

    cash: Money
    income: Money
    gift: Money
