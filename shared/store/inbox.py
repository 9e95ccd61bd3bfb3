"""The in-site inbox: an account's messages newest first, from the Messages table's sparse Inbox index
(only notice records carry its key, see shared.store.notices), a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.delivery.models import InboxMessage, InboxPage
from shared.store.codec import decode_cursor, encode_cursor, query_page, to_attributes
from shared.store.notices import INBOX_INDEX

_CURSOR_NAMES = ("inbox_key", "message_key")  # with the account id, the key a page starts after


class InboxRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def page(self, account_id: str, *, limit: int, cursor: str | None) -> InboxPage:
        start = None if cursor is None else {"account_id": account_id, **decode_cursor(cursor, _CURSOR_NAMES)}
        query: dict[str, Any] = {
            "TableName": self._table, "IndexName": INBOX_INDEX, "ScanIndexForward": False,
            "KeyConditionExpression": "account_id = :account_id",
            "ExpressionAttributeValues": to_attributes({":account_id": account_id}),
        }
        page, more = query_page(self._dynamodb, query, limit=limit, start=start)
        next_cursor = encode_cursor({name: page[-1][name] for name in _CURSOR_NAMES}) if more else None
        return InboxPage(tuple(_message(item) for item in page), next_cursor)


def _message(item: dict[str, Any]) -> InboxMessage:
    return InboxMessage(message_id=item["event_id"], message_type=item["event_type"], title=item["title"],
                        text=item["text"], at=datetime.fromisoformat(item["event_at"]))

