"""The in-site inbox: an account's messages newest first, from the Messages table's sparse Inbox index
(only notice records carry its key, see shared.store.notices), a page at a time."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.store.codec import from_attributes, to_attributes
from shared.store.notices import INBOX_INDEX


class BadCursor(ValueError):
    """A cursor this listing never gave out."""


@dataclass(frozen=True)
class InboxMessage:
    message_id: str  # the event id: one in-site message per cause
    message_type: str
    title: str
    text: str
    at: datetime


@dataclass(frozen=True)
class InboxPage:
    messages: tuple[InboxMessage, ...]
    next_cursor: str | None


class InboxRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def page(self, account_id: str, *, limit: int, cursor: str | None) -> InboxPage:
        start = None if cursor is None else _decode_cursor(cursor, account_id)
        # One more than a page tells whether another page follows, so the last page has no cursor.
        items: list[dict[str, Any]] = []
        while len(items) <= limit:
            query: dict[str, Any] = {
                "TableName": self._table, "IndexName": INBOX_INDEX, "ScanIndexForward": False,
                "KeyConditionExpression": "account_id = :account_id",
                "ExpressionAttributeValues": to_attributes({":account_id": account_id}),
                "Limit": limit + 1 - len(items),
            }
            if start is not None:
                query["ExclusiveStartKey"] = start
            answer = self._dynamodb.query(**query)
            items.extend(from_attributes(item) for item in answer.get("Items", []))
            start = answer.get("LastEvaluatedKey")
            if start is None:
                break
        page = items[:limit]
        next_cursor = _encode_cursor(page[-1]) if len(items) > limit else None
        return InboxPage(tuple(_message(item) for item in page), next_cursor)


def _message(item: dict[str, Any]) -> InboxMessage:
    return InboxMessage(message_id=item["event_id"], message_type=item["event_type"], title=item["title"],
                        text=item["text"], at=datetime.fromisoformat(item["event_at"]))


def _encode_cursor(item: dict[str, Any]) -> str:
    text = json.dumps({"inbox_key": item["inbox_key"], "message_key": item["message_key"]}, separators=(",", ":"),
                      ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, account_id: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        key = None
    if not (isinstance(key, dict) and set(key) == {"inbox_key", "message_key"}
            and all(isinstance(value, str) and value for value in key.values())):
        raise BadCursor(cursor)
    return to_attributes({"account_id": account_id, **key})
