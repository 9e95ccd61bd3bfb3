"""The Calls table: each call written once, and the NFC reqId windows.

Keys (template.yaml): `pk` = f"{account_id}#{shard}" with shard = sha256(request_id) % 16, sort key
`request_id`. The shard spreads a big account's writes over 16 partitions, and a repeat of a
request_id always lands on the partition of its first write, so one conditional put both stores a
new call and detects a repeat, on any day. The NFC windows live in the same table under
pk = f"{account_id}#nfc" (never a call's pk: those end in a number) and request_id = f"window#{reqId}".

A billable call also carries `billable_date` (its billing date, again): with `pk` it keys the sparse BillableByDay
index (projecting `billing_tag`), so the nightly reconciliation counts a day's billable calls from the calls
themselves with one query per shard, not a scan. The index is sharded by the table's own `pk`, so a big
account's index writes spread as its table writes do, and the attribute adds 23 bytes to the item, which keeps
the largest call under 1 KB (one write unit). A call that is not billable is not in the index and costs no
index write.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.instants import utc_text
from shared.pricing import BillingReason
from shared.store.codec import batch_get, condition_failed, from_attributes, query_items, to_attributes

CALL_SHARDS = 16
BILLABLE_BY_DAY = "BillableByDay"

CallKey = tuple[str, str]  # (account_id, request_id)
WindowKey = tuple[str, str]  # (account_id, nfc_req_id)


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it for capacity (names + values, in bytes)."""
    return sum(len(name.encode("utf-8")) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, content), = value.items()
    if kind == "S":
        return len(content.encode("utf-8"))
    if kind == "N":
        digits = len(content.lstrip("-").replace(".", "").strip("0")) or 1
        return (digits + 1) // 2 + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: element}) for element in content)
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in content)
    return 3 + sum(1 + len(name.encode("utf-8")) + _value_size(element) for name, element in content.items())


def call_shard(request_id: str) -> int:
    return int(hashlib.sha256(request_id.encode("utf-8")).hexdigest(), 16) % CALL_SHARDS


def shard_partition_key(account_id: str, shard: int) -> str:
    return f"{account_id}#{shard}"


def call_partition_key(account_id: str, request_id: str) -> str:
    return shard_partition_key(account_id, call_shard(request_id))


def window_partition_key(account_id: str) -> str:
    return f"{account_id}#nfc"


def is_window_partition_key(pk: str) -> bool:
    return pk.endswith("#nfc")


@dataclass(frozen=True)
class StoredCall:
    """A call as recorded, with the decision made when it was accepted."""

    account_id: str
    request_id: str
    channel: str
    source: str | None
    return_code: str
    occurred_at: datetime
    received_at: datetime
    billing_date: date
    billing_tag: str
    billable: bool
    reason: BillingReason
    fingerprint: str
    nfc_req_id: str | None
    expires_at: int

    @property
    def key(self) -> CallKey:
        return (self.account_id, self.request_id)


@dataclass(frozen=True)
class NfcWindow:
    """The open 5-minute window of one NFC reqId: when it was last billed, and by which call."""

    account_id: str
    nfc_req_id: str
    first_billable_at: datetime
    opener: str  # request_id of the call that opened it
    expires_at: int

    @property
    def key(self) -> WindowKey:
        return (self.account_id, self.nfc_req_id)

    def starts_like(self, other: NfcWindow) -> bool:
        return self.first_billable_at == other.first_billable_at and self.opener == other.opener


def call_item(call: StoredCall) -> dict[str, Any]:
    return to_attributes(
        {
            "pk": call_partition_key(call.account_id, call.request_id),
            "request_id": call.request_id,
            "account_id": call.account_id,
            "channel": call.channel,
            "source": call.source,
            "return_code": call.return_code,
            "occurred_at": utc_text(call.occurred_at),
            "received_at": utc_text(call.received_at),
            "billing_date": call.billing_date.isoformat(),
            "billing_tag": call.billing_tag,
            "billable": call.billable,
            "reason": call.reason.value,
            "fingerprint": call.fingerprint,
            "nfc_req_id": call.nfc_req_id,
            "expires_at": call.expires_at,
            "billable_date": call.billing_date.isoformat() if call.billable else None,
        }
    )


def stored_call_from_item(item: dict[str, Any]) -> StoredCall:
    """A call item (DynamoDB attribute values, as GetItem or a stream's NewImage give it) -> StoredCall."""
    values = from_attributes(item)
    return StoredCall(
        account_id=values["account_id"],
        request_id=values["request_id"],
        channel=values["channel"],
        source=values.get("source"),
        return_code=values["return_code"],
        occurred_at=datetime.fromisoformat(values["occurred_at"]),
        received_at=datetime.fromisoformat(values["received_at"]),
        billing_date=date.fromisoformat(values["billing_date"]),
        billing_tag=values["billing_tag"],
        billable=bool(values["billable"]),
        reason=BillingReason(values["reason"]),
        fingerprint=values["fingerprint"],
        nfc_req_id=values.get("nfc_req_id"),
        expires_at=int(values["expires_at"]),
    )


def _window_key(account_id: str, nfc_req_id: str) -> dict[str, Any]:
    return to_attributes({"pk": window_partition_key(account_id), "request_id": f"window#{nfc_req_id}"})


def _window_from_item(item: dict[str, Any]) -> NfcWindow:
    values = from_attributes(item)
    return NfcWindow(
        account_id=values["account_id"],
        nfc_req_id=values["nfc_req_id"],
        first_billable_at=datetime.fromisoformat(values["first_billable_at"]),
        opener=values["opener"],
        expires_at=int(values["expires_at"]),
    )


class CallRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def insert(self, call: StoredCall) -> StoredCall | None:
        """Store `call` unless its (account_id, request_id) is taken: None when written, else the call
        already stored (one write either way; a repeat is told apart by its fingerprint)."""
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=call_item(call),
                ConditionExpression="attribute_not_exists(request_id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            old = error.response.get("Item")
            existing = stored_call_from_item(old) if old else self.get(call.account_id, call.request_id)
            if existing is None:  # cannot happen: the condition failed because the item exists
                raise
            return existing
        return None

    def get(self, account_id: str, request_id: str, *, consistent: bool = True) -> StoredCall | None:
        """The call recorded under this account and request_id, if any (the call lookup route)."""
        key = to_attributes({"pk": call_partition_key(account_id, request_id), "request_id": request_id})
        item = self._dynamodb.get_item(TableName=self._table, Key=key, ConsistentRead=consistent).get("Item")
        return stored_call_from_item(item) if item else None

    def prefetch(
        self, call_keys: Iterable[CallKey], window_keys: Iterable[WindowKey]
    ) -> tuple[dict[CallKey, StoredCall], dict[WindowKey, NfcWindow]]:
        """Calls and NFC windows by key, in as few strongly consistent BatchGetItem requests as possible."""
        keys = [to_attributes({"pk": call_partition_key(account_id, request_id), "request_id": request_id})
                for account_id, request_id in dict.fromkeys(call_keys)]
        keys += [_window_key(account_id, nfc_req_id) for account_id, nfc_req_id in dict.fromkeys(window_keys)]
        calls: dict[CallKey, StoredCall] = {}
        windows: dict[WindowKey, NfcWindow] = {}
        for item in batch_get(self._dynamodb, self._table, keys):
            if is_window_partition_key(item["pk"]["S"]):
                window = _window_from_item(item)
                windows[window.key] = window
            else:
                call = stored_call_from_item(item)
                calls[call.key] = call
        return calls, windows

    def billable_by_tag(self, account_id: str, day: date) -> dict[str, int]:
        """The billable calls recorded for the account's billing date `day`, per tag, counted from the calls
        themselves: the account's 16 partitions of the BillableByDay index, reading only each entry's tag."""
        counts: Counter[str] = Counter()
        for shard in range(CALL_SHARDS):
            request = {
                "TableName": self._table, "IndexName": BILLABLE_BY_DAY,
                "KeyConditionExpression": "pk = :pk AND billable_date = :day",
                "ExpressionAttributeValues": to_attributes({":pk": shard_partition_key(account_id, shard),
                                                            ":day": day.isoformat()}),
                "ProjectionExpression": "billing_tag",
            }
            counts.update(item["billing_tag"]["S"] for item in query_items(self._dynamodb, request))
        return dict(counts)

    def nfc_window(self, account_id: str, nfc_req_id: str) -> NfcWindow | None:
        item = self._dynamodb.get_item(
            TableName=self._table, Key=_window_key(account_id, nfc_req_id), ConsistentRead=True
        ).get("Item")
        return _window_from_item(item) if item else None

    def open_nfc_window(self, window: NfcWindow, *, replacing: NfcWindow | None) -> bool:
        """Write `window` if the reqId's window is still `replacing` (None: there is none yet).
        False when another call moved it first: re-read and decide again."""
        item = {
            **_window_key(window.account_id, window.nfc_req_id),
            **to_attributes({
                "account_id": window.account_id,
                "nfc_req_id": window.nfc_req_id,
                "first_billable_at": utc_text(window.first_billable_at),
                "opener": window.opener,
                "expires_at": window.expires_at,
            }),
        }
        if replacing is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(request_id)"}
        else:
            condition = {
                "ConditionExpression": "first_billable_at = :first AND opener = :opener",
                "ExpressionAttributeValues": to_attributes(
                    {":first": utc_text(replacing.first_billable_at), ":opener": replacing.opener}
                ),
            }
        try:
            self._dynamodb.put_item(TableName=self._table, Item=item, **condition)
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True
