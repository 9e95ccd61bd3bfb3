"""Money at the API boundary: a JSON string, never a float, whatever Python or DynamoDB hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

from shared.pricing import format_money, format_unit_price

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
