"""Python values <-> DynamoDB attribute values. Numbers are Decimal both ways; a float is refused."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    """int and Decimal pass; bool stays bool; a float is a bug (money must never be a float)."""
    if isinstance(value, float):
        raise TypeError(f"float {value!r} refused: use Decimal or int")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    """A dict of Python values -> DynamoDB attributes; None values are left out."""
    return {key: _serializer.serialize(_plain(value)) for key, value in values.items() if value is not None}


def to_attribute(value: Any) -> dict[str, Any]:
    return _serializer.serialize(_plain(value))


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def as_int(value: Decimal | int) -> int:
    return int(value)


def query_items(dynamodb: Any, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, as DynamoDB stores it, page after page."""
    request = dict(query)
    while True:
        answer = dynamodb.query(**request)
        yield from answer.get("Items", [])
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
