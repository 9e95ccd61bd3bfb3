"""The Webhooks table: each account's webhooks and their count, each webhook's deliveries, and the ByDueTime
index of what falls due (a delivery's next attempt, or a failing webhook's disabling), which the retry sweep reads.

Keys: a webhook is (account#<id>, webhook#<id>), the account's count (account#<id>, count), a delivery
(webhook#<id>, delivery#<id>). An item is in ByDueTime (due_shard, due_at) only while something of it falls due:
a delivery while it is pending (at its next attempt, or when the lease of an attempt in flight runs out, so an
attempt whose process died is made again), a webhook while it keeps failing (5 days after its first failure).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.store.codec import (
    condition_failed,
    decode_cursor,
    encode_cursor,
    from_attributes,
    query_items,
    query_page,
    to_attributes,
)
from shared.store.transactions import TransactionItem, TransactionWriter, sortable_instant
from shared.webhooks.errors import TooManyWebhooks, WebhookNotFound
from shared.webhooks.models import (
    MAX_WEBHOOKS_PER_ACCOUNT,
    Delivery,
    DeliveryPage,
    DeliveryStatus,
    SealedSecret,
    Webhook,
    WebhookStatus,
)

DUE_INDEX = "ByDueTime"
DUE_SHARD = "due"
# A delivery's log is kept a month after its event: long enough to look into what a receiver missed.
DELIVERY_RETENTION = timedelta(days=31)
_CURSOR_NAMES = ("sk",)


def _webhook_key(account_id: str, webhook_id: str) -> dict[str, Any]:
    return to_attributes({"pk": f"account#{account_id}", "sk": f"webhook#{webhook_id}"})


def _count_key(account_id: str) -> dict[str, Any]:
    return to_attributes({"pk": f"account#{account_id}", "sk": "count"})


def _delivery_key(webhook_id: str, delivery_id: str) -> dict[str, Any]:
    return to_attributes({"pk": f"webhook#{webhook_id}", "sk": f"delivery#{delivery_id}"})


class WebhookRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    # -- webhooks ---------------------------------------------------------------------------------------

    def add(self, webhook: Webhook) -> None:
        """Store a new webhook, counted against the account's MAX_WEBHOOKS_PER_ACCOUNT in the same transaction (two
        registrations racing for the last place: one wins)."""
        TransactionWriter(self._dynamodb).commit([
            TransactionItem({"Update": {
                "TableName": self._table, "Key": _count_key(webhook.account_id),
                "UpdateExpression": "SET webhooks = if_not_exists(webhooks, :zero) + :one",
                "ConditionExpression": "attribute_not_exists(webhooks) OR webhooks < :most",
                "ExpressionAttributeValues": to_attributes({":zero": 0, ":one": 1,
                                                            ":most": MAX_WEBHOOKS_PER_ACCOUNT}),
            }}, lambda _: TooManyWebhooks()),
            TransactionItem({"Put": {
                "TableName": self._table, "Item": _webhook_item(webhook),
                "ConditionExpression": "attribute_not_exists(pk)",
            }}, lambda _: RuntimeError(f"webhook id {webhook.webhook_id} taken")),
        ])

    def delete(self, account_id: str, webhook_id: str) -> None:
        TransactionWriter(self._dynamodb).commit([
            TransactionItem({"Delete": {
                "TableName": self._table, "Key": _webhook_key(account_id, webhook_id),
                "ConditionExpression": "attribute_exists(pk)",
            }}, lambda _: WebhookNotFound(webhook_id)),
            TransactionItem({"Update": {
                "TableName": self._table, "Key": _count_key(account_id),
                "UpdateExpression": "SET webhooks = webhooks - :one",
                "ConditionExpression": "webhooks > :zero",
                "ExpressionAttributeValues": to_attributes({":zero": 0, ":one": 1}),
            }}, lambda _: RuntimeError(f"account {account_id}: webhook count already 0")),
        ])

    def get(self, account_id: str, webhook_id: str) -> Webhook | None:
        answer = self._dynamodb.get_item(TableName=self._table, Key=_webhook_key(account_id, webhook_id),
                                         ConsistentRead=True)
        return _webhook(from_attributes(answer["Item"])) if "Item" in answer else None

    def of_account(self, account_id: str) -> list[Webhook]:
        """The account's webhooks, oldest first (at most MAX_WEBHOOKS_PER_ACCOUNT: one Query)."""
        items = query_items(self._dynamodb, {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :webhook)",
            "ExpressionAttributeValues": to_attributes({":pk": f"account#{account_id}", ":webhook": "webhook#"}),
        })
        webhooks = [_webhook(from_attributes(item)) for item in items]
        return sorted(webhooks, key=lambda webhook: (webhook.created_at, webhook.webhook_id))

    def rotate_secret(self, webhook: Webhook, secret: SealedSecret, previous: SealedSecret) -> None:
        """The new secret, the one it replaces kept to sign beside it until `previous.valid_until`; refused when
        another rotation changed the secret meanwhile (the caller reads again)."""
        assert previous.valid_until is not None, "a rotated-out secret signs for a while, not for ever"
        rotated = _written(
            self._dynamodb.update_item,
            TableName=self._table, Key=_webhook_key(webhook.account_id, webhook.webhook_id),
            UpdateExpression="SET secret = :secret, previous_secret = :previous, previous_until = :until",
            ConditionExpression="secret = :current",
            ExpressionAttributeValues=to_attributes({
                ":secret": secret.ciphertext, ":previous": previous.ciphertext,
                ":until": sortable_instant(previous.valid_until), ":current": webhook.secret.ciphertext}),
        )
        if not rotated:
            if self.get(webhook.account_id, webhook.webhook_id) is None:
                raise WebhookNotFound(webhook.webhook_id)
            raise RotatedMeanwhile()

    def note_failure(self, webhook: Webhook, at: datetime, disable_at: datetime) -> None:
        """The first failure of a run: the webhook falls due for disabling at `disable_at` (later failures of the
        same run change nothing)."""
        self._update_quietly(webhook, "SET failing_since = :at, due_shard = :shard, due_at = :due",
                             "attribute_exists(pk) AND attribute_not_exists(failing_since)",
                             {":at": sortable_instant(at), ":shard": DUE_SHARD, ":due": sortable_instant(disable_at)})

    def note_delivered(self, webhook: Webhook) -> None:
        """A delivery succeeded: the webhook's run of failures, if it had one, is over."""
        self._update_quietly(webhook, "REMOVE failing_since, due_shard, due_at",
                             "attribute_exists(pk) AND attribute_exists(failing_since)", {})

    def disable(self, webhook: Webhook, at: datetime) -> bool:
        """Disable a webhook still failing since the same instant; False when a delivery succeeded meanwhile (or it
        was deleted, or disabled already). It stays due until its notice is out (notice_sent)."""
        assert webhook.failing_since is not None
        return self._update_quietly(
            webhook, "SET #status = :disabled, disabled_at = :at",
            "attribute_exists(pk) AND failing_since = :since AND #status = :enabled",
            {":disabled": WebhookStatus.DISABLED.value, ":enabled": WebhookStatus.ENABLED.value,
             ":at": sortable_instant(at), ":since": sortable_instant(webhook.failing_since)},
            names={"#status": "status"})

    def notice_sent(self, webhook: Webhook) -> None:
        """The webhook_disabled notice of a disabled webhook is published: nothing of it falls due any more."""
        self._update_quietly(webhook, "REMOVE due_shard, due_at", "attribute_exists(pk) AND #status = :disabled",
                             {":disabled": WebhookStatus.DISABLED.value}, names={"#status": "status"})

    def _update_quietly(self, webhook: Webhook, update: str, condition: str, values: dict[str, Any],
                        names: dict[str, str] | None = None) -> bool:
        request: dict[str, Any] = {"TableName": self._table, "UpdateExpression": update,
                                   "Key": _webhook_key(webhook.account_id, webhook.webhook_id),
                                   "ConditionExpression": condition}
        if values:
            request["ExpressionAttributeValues"] = to_attributes(values)
        if names:
            request["ExpressionAttributeNames"] = names
        return _written(self._dynamodb.update_item, **request)

    # -- deliveries -------------------------------------------------------------------------------------

    def start_delivery(self, delivery: Delivery, lease_until: datetime) -> bool:
        """Store a new delivery with its first attempt in flight (due again when the lease runs out, should this
        process die); False when the event was delivered to this webhook before (a redelivered event)."""
        item = {**_delivery_values(delivery), "due_shard": DUE_SHARD, "due_at": sortable_instant(lease_until),
                "expiration": int((delivery.created_at + DELIVERY_RETENTION).timestamp())}
        return _written(self._dynamodb.put_item, TableName=self._table, Item=to_attributes(item),
                        ConditionExpression="attribute_not_exists(pk)")

    def claim_attempt(self, delivery: Delivery, at: datetime, lease_until: datetime, *,
                      scheduled: bool) -> Delivery | None:
        """Take the next attempt of `delivery` as read (its attempts and status unchanged since), a scheduled one only
        once it is due (its next attempt, or the lease of an attempt in flight, at `at` or before): the delivery with
        that attempt counted, or None when another attempt took it first or it is not due."""
        condition = "attempts = :seen AND #status = :status" + (" AND due_at <= :at" if scheduled else "")
        claimed = _written(
            self._dynamodb.update_item,
            TableName=self._table, Key=_delivery_key(delivery.webhook_id, delivery.delivery_id),
            UpdateExpression="SET attempts = :claimed, last_attempt_at = :at, due_shard = :shard, due_at = :lease",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_attributes({
                ":claimed": delivery.attempts + 1, ":seen": delivery.attempts, ":status": delivery.status.value,
                ":at": sortable_instant(at), ":shard": DUE_SHARD, ":lease": sortable_instant(lease_until)}),
        )
        if not claimed:
            return None
        return replace(delivery, attempts=delivery.attempts + 1, last_attempt_at=at)

    def settle_attempt(self, delivery: Delivery) -> None:
        """Record how the attempt counted in `delivery.attempts` went (unless a later attempt was claimed since)."""
        values: dict[str, Any] = {
            ":status": delivery.status.value, ":code": delivery.last_status_code, ":error": delivery.last_error,
            ":attempts": delivery.attempts}
        sets = ["#status = :status"]
        removes = []
        for name, placeholder in (("last_status_code", ":code"), ("last_error", ":error")):
            if values[placeholder] is not None:
                sets.append(f"{name} = {placeholder}")
            else:
                removes.append(name)
        if delivery.next_attempt_at is not None:
            values.update({":next": sortable_instant(delivery.next_attempt_at), ":shard": DUE_SHARD})
            sets += ["next_attempt_at = :next", "due_shard = :shard", "due_at = :next"]
        else:
            removes += ["next_attempt_at", "due_shard", "due_at"]
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        _written(self._dynamodb.update_item,
                 TableName=self._table, Key=_delivery_key(delivery.webhook_id, delivery.delivery_id),
                 UpdateExpression=update, ConditionExpression="attempts = :attempts",
                 ExpressionAttributeNames={"#status": "status"},
                 ExpressionAttributeValues=to_attributes({k: v for k, v in values.items() if v is not None}))

    def get_delivery(self, webhook_id: str, delivery_id: str) -> Delivery | None:
        answer = self._dynamodb.get_item(TableName=self._table, Key=_delivery_key(webhook_id, delivery_id),
                                         ConsistentRead=True)
        return _delivery(from_attributes(answer["Item"])) if "Item" in answer else None

    def deliveries(self, webhook_id: str, *, limit: int, cursor: str | None) -> DeliveryPage:
        """A webhook's deliveries, newest event first."""
        start = None if cursor is None else {"pk": f"webhook#{webhook_id}", **decode_cursor(cursor, _CURSOR_NAMES)}
        query = {
            "TableName": self._table, "ScanIndexForward": False,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :delivery)",
            "ExpressionAttributeValues": to_attributes({":pk": f"webhook#{webhook_id}", ":delivery": "delivery#"}),
        }
        page, more = query_page(self._dynamodb, query, limit=limit, start=start)
        next_cursor = encode_cursor({"sk": page[-1]["sk"]}) if more else None
        return DeliveryPage([_delivery(item) for item in page], next_cursor)

    # -- what falls due ---------------------------------------------------------------------------------

    def due(self, until: datetime, *, limit: int) -> list[DueItem]:
        """What falls due at `until` or before, earliest first, at most `limit` (the sweep takes the rest next time)."""
        answer = self._dynamodb.query(
            TableName=self._table, IndexName=DUE_INDEX, Limit=limit,
            KeyConditionExpression="due_shard = :shard AND due_at <= :until",
            ExpressionAttributeValues=to_attributes({":shard": DUE_SHARD, ":until": sortable_instant(until)}),
        )
        return [_due_item(from_attributes(item)) for item in answer.get("Items", [])]


def _written(write: Any, **request: Any) -> bool:
    """A conditional write: True once written, False when its condition refused it."""
    try:
        write(**request)
    except ClientError as error:
        if condition_failed(error):
            return False
        raise
    return True


class RotatedMeanwhile(RuntimeError):
    """Another rotation changed the webhook's secret between the read and the write."""


@dataclass(frozen=True)
class DueItem:
    """A delivery whose next attempt is due, or (delivery_id None) a failing webhook to check for disabling."""

    account_id: str
    webhook_id: str
    delivery_id: str | None
    due_at: datetime


def _due_item(item: dict[str, Any]) -> DueItem:
    return DueItem(item["account_id"], item["webhook_id"], item.get("delivery_id"), datetime.fromisoformat(
        item["due_at"]))


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _webhook_item(webhook: Webhook) -> dict[str, Any]:
    return to_attributes({
        "pk": f"account#{webhook.account_id}", "sk": f"webhook#{webhook.webhook_id}",
        "account_id": webhook.account_id, "webhook_id": webhook.webhook_id, "url": webhook.url,
        "event_types": list(webhook.event_types) if webhook.event_types is not None else None,
        "status": webhook.status.value, "created_at": sortable_instant(webhook.created_at),
        "secret": webhook.secret.ciphertext,
    })


def _webhook(item: dict[str, Any]) -> Webhook:
    previous = None
    if "previous_secret" in item:
        previous = SealedSecret(bytes(item["previous_secret"]), _instant(item.get("previous_until")))
    event_types = item.get("event_types")
    return Webhook(
        account_id=item["account_id"], webhook_id=item["webhook_id"], url=item["url"],
        event_types=tuple(event_types) if event_types is not None else None,
        status=WebhookStatus(item["status"]), created_at=datetime.fromisoformat(item["created_at"]),
        secret=SealedSecret(bytes(item["secret"])), previous_secret=previous,
        failing_since=_instant(item.get("failing_since")), disabled_at=_instant(item.get("disabled_at")),
    )


def _delivery_values(delivery: Delivery) -> dict[str, Any]:
    return {
        "pk": f"webhook#{delivery.webhook_id}", "sk": f"delivery#{delivery.delivery_id}",
        "account_id": delivery.account_id, "webhook_id": delivery.webhook_id, "delivery_id": delivery.delivery_id,
        "event_id": delivery.event_id, "event_type": delivery.event_type, "body": delivery.body,
        "created_at": sortable_instant(delivery.created_at), "status": delivery.status.value,
        "attempts": delivery.attempts, "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "last_attempt_at": sortable_instant(delivery.last_attempt_at) if delivery.last_attempt_at else None,
        "next_attempt_at": sortable_instant(delivery.next_attempt_at) if delivery.next_attempt_at else None,
    }


def _delivery(item: dict[str, Any]) -> Delivery:
    code = item.get("last_status_code")
    return Delivery(
        account_id=item["account_id"], webhook_id=item["webhook_id"], delivery_id=item["delivery_id"],
        event_id=item["event_id"], event_type=item["event_type"], body=item["body"],
        created_at=datetime.fromisoformat(item["created_at"]), status=DeliveryStatus(item["status"]),
        attempts=int(item["attempts"]), last_status_code=int(code) if code is not None else None,
        last_error=item.get("last_error"), last_attempt_at=_instant(item.get("last_attempt_at")),
        next_attempt_at=_instant(item.get("next_attempt_at")),
    )
