"""Python values <-> DynamoDB attribute values. Numbers are Decimal both ways; a float is refused.

Also what every repository shares: reading a Query through, a page at a time with its opaque cursor, and
telling a write refused by its condition.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from shared.refusals import InvalidField

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


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def query_items(dynamodb: Any, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, as DynamoDB stores it, page after page."""
    request = dict(query)
    while True:
        answer = dynamodb.query(**request)
        yield from answer.get("Items", [])
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def query_page(
    dynamodb: Any, query: dict[str, Any], *, limit: int, start: Mapping[str, str] | None
) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` items (plain values) a Query matches after the key `start`, and whether more follow.

    One more than a page is read, so the last page is known as such and gives no cursor.
    """
    exclusive_start = None if start is None else to_attributes(start)
    items: list[dict[str, Any]] = []
    while len(items) <= limit:
        request = {**query, "Limit": limit + 1 - len(items)}
        if exclusive_start is not None:
            request["ExclusiveStartKey"] = exclusive_start
        answer = dynamodb.query(**request)
        items.extend(from_attributes(item) for item in answer.get("Items", []))
        exclusive_start = answer.get("LastEvaluatedKey")
        if exclusive_start is None:
            break
    return items[:limit], len(items) > limit


def encode_cursor(key: Mapping[str, str]) -> str:
    """The opaque cursor a listing gives out for the key its next page starts after."""
    text = json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(
    cursor: str, key_names: Collection[str], *, expected: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The key of a cursor this listing gave out: exactly `key_names`, each a non-empty text, those of `expected`
    (the listing's partition) with their value there; anything else is a bad request."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        key = None
    valid = (
        isinstance(key, dict)
        and set(key) == set(key_names)
        and all(isinstance(value, str) and value for value in key.values())
        and all(key[name] == value for name, value in (expected or {}).items())
    )
    if not valid:
        raise InvalidField("cursor", "not a cursor of this listing; pass next_cursor of the page before as it is")
    return key


def condition_failed(error: ClientError) -> bool:
    """Whether a refused write was refused by its ConditionExpression."""
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


BATCH_GET_LIMIT = 100  # keys per BatchGetItem request (DynamoDB's limit)


_UNPROCESSED_ATTEMPTS = 8


class UnprocessedKeysError(RuntimeError):
    """DynamoDB kept answering UnprocessedKeys (throttling): transient, the whole batch is retried."""


def batch_get(dynamodb: Any, table: str, keys: Sequence[dict[str, Any]], *, projection: str | None = None,
              names: dict[str, str] | None = None, consistent: bool = True) -> list[dict[str, Any]]:
    """Every item of `keys` that exists (raw attribute values), in chunks of 100, retrying UnprocessedKeys."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        request: dict[str, Any] = {"Keys": list(keys[start:start + BATCH_GET_LIMIT]), "ConsistentRead": consistent}
        if projection:
            request["ProjectionExpression"] = projection
        if names:
            request["ExpressionAttributeNames"] = names
        pending: dict[str, Any] = {table: request}
        for attempt in range(_UNPROCESSED_ATTEMPTS):
            answer = dynamodb.batch_get_item(RequestItems=pending)
            found.extend(answer.get("Responses", {}).get(table, []))
            pending = answer.get("UnprocessedKeys") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 1.0))
        else:
            raise UnprocessedKeysError(f"{table}: keys still unprocessed after {_UNPROCESSED_ATTEMPTS} attempts")
    return found
