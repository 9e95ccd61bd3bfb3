"""The Messages table's notice records: one item per account and cause (event), which is at once the
in-site message (站内信) and the record of every channel's delivery, so that each notice goes out at most
once per cause and channel however often its event is delivered.

Item: account_id, message_key "notice#<event_id>", the in-site message (event_type, event_at, title,
text) with inbox_key "<event instant>#<event_id>", the sort key of the sparse local index Inbox that
lists messages newest first, and per sending channel `<channel>_state` (shared.delivery.models.
DeliveryState), `<channel>_lease_until` and `<channel>_note` (the provider's message id or the error).

The first delivery of an event writes the whole item with one conditional put, which both stores the
in-site message (exactly once) and claims every channel with a lease; a redelivery finds the item and
claims, one conditional update each, only the channels that failed or whose lease ran out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.delivery.models import Claim, Delivery, DeliveryState, SendingChannel
from shared.store.codec import condition_failed, from_attributes, to_attributes
from shared.store.transactions import sortable_instant

INBOX_INDEX = "Inbox"
_SETTLED = (DeliveryState.SENT.value, DeliveryState.REJECTED.value)


@dataclass(frozen=True)
class NoticeRecord:
    """The in-site message of one event, as the first delivery stores it."""

    account_id: str
    event_id: str
    event_type: str
    event_at: datetime
    title: str
    text: str


def notice_key(event_id: str) -> str:
    return f"notice#{event_id}"


def inbox_key(event_at: datetime, event_id: str) -> str:
    return f"{sortable_instant(event_at)}#{event_id}"


class NoticeRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def _key(self, account_id: str, event_id: str) -> dict[str, Any]:
        return to_attributes({"account_id": account_id, "message_key": notice_key(event_id)})

    def claim(self, notice: NoticeRecord, channels: Collection[SendingChannel], *, now: datetime, lease: timedelta,
              keep_until: datetime) -> Claim:
        """Store the in-site message if it is new, and claim for this delivery each channel of `channels` that
        is neither settled (sent, rejected) nor held by another delivery's lease."""
        lease_until = sortable_instant(now + lease)
        item: dict[str, Any] = {
            "account_id": notice.account_id, "message_key": notice_key(notice.event_id),
            "event_id": notice.event_id, "event_type": notice.event_type,
            "event_at": sortable_instant(notice.event_at), "inbox_key": inbox_key(notice.event_at, notice.event_id),
            "title": notice.title, "text": notice.text, "expires_at": int(keep_until.timestamp()),
        }
        for channel in channels:
            item[f"{channel}_state"] = DeliveryState.SENDING.value
            item[f"{channel}_lease_until"] = lease_until
        try:
            self._dynamodb.put_item(TableName=self._table, Item=to_attributes(item),
                                    ConditionExpression="attribute_not_exists(message_key)",
                                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
            return Claim(owned=frozenset(channels), busy=frozenset())
        except ClientError as error:
            if not condition_failed(error):
                raise
            stored = from_attributes(error.response.get("Item") or {})

        owned, busy = set(), set()
        for channel in channels:
            state = stored.get(f"{channel}_state")
            if state in _SETTLED:
                continue
            held = state == DeliveryState.SENDING and stored.get(f"{channel}_lease_until", "") > sortable_instant(now)
            if not held and self._take_over(notice, channel, now=now, lease_until=lease_until):
                owned.add(channel)
            else:
                busy.add(channel)
        return Claim(owned=frozenset(owned), busy=frozenset(busy))

    def _take_over(self, notice: NoticeRecord, channel: SendingChannel, *, now: datetime, lease_until: str) -> bool:
        """Claim one channel of a stored notice: new to it, failed, or abandoned (its lease ran out)."""
        try:
            self._dynamodb.update_item(
                TableName=self._table, Key=self._key(notice.account_id, notice.event_id),
                UpdateExpression="SET #state = :sending, #lease = :lease_until",
                ConditionExpression="attribute_exists(message_key) AND (attribute_not_exists(#state) "
                                    "OR #state = :failed OR (#state = :sending AND #lease < :now))",
                ExpressionAttributeNames={"#state": f"{channel}_state", "#lease": f"{channel}_lease_until"},
                ExpressionAttributeValues=to_attributes({
                    ":sending": DeliveryState.SENDING.value, ":failed": DeliveryState.FAILED.value,
                    ":lease_until": lease_until, ":now": sortable_instant(now),
                }),
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def settle(self, account_id: str, event_id: str, channel: SendingChannel, delivery: Delivery) -> None:
        """Record how a channel this delivery owned went; this ends its lease."""
        self._dynamodb.update_item(
            TableName=self._table, Key=self._key(account_id, event_id), UpdateExpression="SET #state = :state, "
            "#note = :note", ExpressionAttributeNames={"#state": f"{channel}_state", "#note": f"{channel}_note"},
            ExpressionAttributeValues=to_attributes({":state": delivery.state.value, ":note": delivery.note}),
        )
