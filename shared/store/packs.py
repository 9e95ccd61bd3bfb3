"""The Packs table: one item per pack (资源包) of an account.

`status` holds what was recorded (active, or expired / refunded / exhausted as jobs write them); the
status an answer shows is computed against the clock by shared.accounts.rules.pack_status.
`expiry_date` (the billing date of `expires_at`) keys the sparse ByExpiryDate index that the daily
lifecycle job reads, with `account_pack` = "<account_id>#<pack_id>". It is set while a pack is active, and
kept after the job has expired it until its pack_expired event is published, so a crash in between leaves
the pack in the index for the next run to publish. The job also writes `expiring_notified_at` (its
pack_expiring event is out) and `unused_at_expiry` (the calls its breakage entry booked).

`auto_renew` (absent on items older than auto-renewal: off) is the customer's switch. The expiry of an auto-renew
pack sets `renewal_due`, the billing date its renewal is next tried, which keys the sparse ByRenewalDue index
(with `account_pack`); the lifecycle job moves it a day on after a refused attempt (`renewal_failed_on`: the
date whose pack_renewal_failed is out) and removes it once the renewal bought its pack (`renewed_by`) or its
retries are over (`renewal_outcome`).

One item is not a pack: the lifecycle job's record of how far it has expired packs, under the partition
LIFECYCLE_PARTITION, which no account id can be (they never hold "#").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from shared.accounts.errors import PackNotFound, StalePack
from shared.accounts.models import Pack, PackOrigin, PackStatus, Payment
from shared.lifecycle.models import PendingRenewal, TrackedPack
from shared.pricing import billing_date
from shared.store.codec import batch_get, condition_failed, from_attributes, query_items, to_attributes
from shared.store.transactions import TransactionItem, sortable_instant

_PAID_PARTS = ("cash", "income", "gift", "voucher")
LIFECYCLE_PARTITION = "#lifecycle"
_EXPIRY_CURSOR = "expiries"
_BY_EXPIRY_DATE = "ByExpiryDate"
_BY_RENEWAL_DUE = "ByRenewalDue"
RENEWAL_RENEWED = "renewed"
RENEWAL_STOPPED = "stopped"


class PackIdTaken(RuntimeError):
    """Two packs drew the same id: ids carry 40 random bits per millisecond, so this is a bug."""


class PackNoLongerLive(RuntimeError):
    """The pack was expired (or refunded) since it was read."""


class PackDrawnMeanwhile(RuntimeError):
    """A settlement drew on the pack since it was read: read it again."""


def pack_to_item(pack: Pack, zone: ZoneInfo) -> dict[str, Any]:
    active = pack.recorded_status is PackStatus.ACTIVE
    return {
        "account_id": pack.account_id,
        "pack_id": pack.pack_id,
        "account_pack": f"{pack.account_id}#{pack.pack_id}",
        "billing_tag": pack.billing_tag,
        "origin": pack.origin.value,
        "size": pack.size,
        "remaining": pack.remaining,
        "acquired_at": sortable_instant(pack.acquired_at),
        "effective_from": pack.effective_from.isoformat(),
        "expires_at": sortable_instant(pack.expires_at),
        "expiry_date": billing_date(pack.expires_at, zone).isoformat() if active else None,
        "status": pack.recorded_status.value,
        "purchase_id": pack.purchase_id,
        "grant_id": pack.grant_id,
        "paid": None if pack.paid is None else {part: getattr(pack.paid, part) for part in _PAID_PARTS},
        "deferred_value": pack.deferred,
        "auto_renew": pack.auto_renew,
    }


def pack_from_item(values: Mapping[str, Any]) -> Pack:
    paid = values.get("paid")
    return Pack(
        account_id=values["account_id"],
        pack_id=values["pack_id"],
        billing_tag=values["billing_tag"],
        origin=PackOrigin(values["origin"]),
        size=int(values["size"]),
        remaining=int(values["remaining"]),
        acquired_at=datetime.fromisoformat(values["acquired_at"]),
        effective_from=date.fromisoformat(values["effective_from"]),
        expires_at=datetime.fromisoformat(values["expires_at"]),
        recorded_status=PackStatus(values.get("status", PackStatus.ACTIVE.value)),
        purchase_id=values.get("purchase_id"),
        grant_id=values.get("grant_id"),
        paid=None if paid is None else Payment(**{part: Decimal(paid.get(part, 0)) for part in _PAID_PARTS}),
        deferred=None if values.get("deferred_value") is None else Decimal(values["deferred_value"]),
        auto_renew=bool(values.get("auto_renew", False)),  # items older than auto-renewal have none: off
    )


def pending_renewal_from_item(values: Mapping[str, Any]) -> PendingRenewal:
    failed_on = values.get("renewal_failed_on")
    return PendingRenewal(
        pack=pack_from_item(values),
        due=date.fromisoformat(values["renewal_due"]),
        failed_on=None if failed_on is None else date.fromisoformat(failed_on),
    )


def tracked_pack_from_item(values: Mapping[str, Any]) -> TrackedPack:
    unused = values.get("unused_at_expiry")
    return TrackedPack(
        pack=pack_from_item(values),
        expiring_notified="expiring_notified_at" in values,
        unused_at_expiry=None if unused is None else int(unused),
    )


class PackRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def list_for_account(self, account_id: str) -> list[Pack]:
        """Every pack of the account, whatever its status, in pack id (acquisition) order."""
        query: dict[str, Any] = {
            "TableName": self.table, "KeyConditionExpression": "account_id = :account",
            "ExpressionAttributeValues": to_attributes({":account": account_id}), "ConsistentRead": True,
        }
        return [pack_from_item(from_attributes(item)) for item in query_items(self._dynamodb, query)]

    def get(self, account_id: str, pack_id: str) -> Pack | None:
        item = self._dynamodb.get_item(
            TableName=self.table, Key=to_attributes({"account_id": account_id, "pack_id": pack_id}),
            ConsistentRead=True,
        ).get("Item")
        return None if item is None else pack_from_item(from_attributes(item))

    def add(self, pack: Pack, *, zone: ZoneInfo) -> TransactionItem:
        """The transaction item that writes a new pack (`zone` gives its expiry date)."""
        return TransactionItem(
            {"Put": {"TableName": self.table, "Item": to_attributes(pack_to_item(pack, zone)),
                     "ConditionExpression": "attribute_not_exists(pack_id)"}},
            lambda _old: PackIdTaken(f"{pack.account_id}#{pack.pack_id}"),
        )

    def mark_refunded(self, pack: Pack, at: datetime) -> TransactionItem:
        """Record the refund of a pack, if it is still active and whole: a settlement that drew on it since it
        was read (settlement conditions on the remaining it read) makes exactly one of the two fail. Out of
        the expiry index: a refunded pack never expires."""
        def refusal(old: dict[str, Any] | None) -> Exception:
            return PackNotFound(pack.account_id, pack.pack_id) if old is None else StalePack(pack.pack_id)

        return TransactionItem(
            {"Update": {
                "TableName": self.table,
                "Key": to_attributes({"account_id": pack.account_id, "pack_id": pack.pack_id}),
                "UpdateExpression": "SET #status = :refunded, refunded_at = :at REMOVE expiry_date",
                "ConditionExpression": "#status = :active AND remaining = #size",
                "ExpressionAttributeNames": {"#status": "status", "#size": "size"},
                "ExpressionAttributeValues": to_attributes({
                    ":refunded": PackStatus.REFUNDED.value, ":active": PackStatus.ACTIVE.value,
                    ":at": sortable_instant(at),
                }),
            }},
            refusal,
        )

    def set_auto_renew(self, pack: Pack, auto_renew: bool) -> Pack:
        """Turn the pack's auto-renewal on or off while it is still recorded live; the pack as written. StalePack
        if it was expired or refunded since it was read (read again: the rules refuse it then)."""
        try:
            answer = self._dynamodb.update_item(
                TableName=self.table, Key=self._key(pack.account_id, pack.pack_id),
                UpdateExpression="SET auto_renew = :renew",
                ConditionExpression="#status IN (:active, :exhausted)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_attributes({
                    ":renew": auto_renew, ":active": PackStatus.ACTIVE.value, ":exhausted": PackStatus.EXHAUSTED.value,
                }),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise StalePack(pack.pack_id) from error
            raise
        return pack_from_item(from_attributes(answer["Attributes"]))

    # -- the lifecycle job's side

    def tracked_on(self, day: date) -> list[TrackedPack]:
        """The packs the expiry index holds for `day`, read consistently from the table, by account and pack."""
        query: dict[str, Any] = {
            "TableName": self.table, "IndexName": _BY_EXPIRY_DATE, "KeyConditionExpression": "expiry_date = :day",
            "ExpressionAttributeValues": to_attributes({":day": day.isoformat()}),
        }
        keys = [{"account_id": item["account_id"], "pack_id": item["pack_id"]}
                for item in query_items(self._dynamodb, query)]
        items = [from_attributes(item) for item in batch_get(self._dynamodb, self.table, keys)]
        # The index is eventually consistent: a pack that left it a moment ago may still be listed.
        return [tracked_pack_from_item(item) for item in sorted(items, key=lambda item: item["account_pack"])
                if item.get("expiry_date") == day.isoformat()]

    def mark_expired(self, pack: Pack, *, renewal_due: date | None = None) -> TransactionItem:
        """Record the expiry of a pack still live and as read, and the calls it leaves unused (its breakage is
        booked on them in the same transaction). `remaining` is left alone: settlement still deducts the calls
        of days inside the validity (and books them back from the breakage). `renewal_due` puts an auto-renew
        pack in the renewal index in the same write; the write is conditioned on `auto_renew` as read, so a
        switch turned meanwhile makes it read again."""
        def refusal(old: dict[str, Any] | None) -> Exception:
            if old is not None and old.get("status") in (PackStatus.ACTIVE.value, PackStatus.EXHAUSTED.value):
                return PackDrawnMeanwhile(f"{pack.account_id}#{pack.pack_id}")
            return PackNoLongerLive(f"{pack.account_id}#{pack.pack_id}")

        renewal = "" if renewal_due is None else ", renewal_due = :due"
        values: dict[str, Any] = {
            ":expired": PackStatus.EXPIRED.value, ":unused": pack.remaining,
            ":active": PackStatus.ACTIVE.value, ":exhausted": PackStatus.EXHAUSTED.value, ":renew": True,
        }
        if renewal_due is not None:
            values[":due"] = renewal_due.isoformat()
        as_read = ("auto_renew = :renew" if pack.auto_renew
                   else "(attribute_not_exists(auto_renew) OR auto_renew <> :renew)")
        return TransactionItem(
            {"Update": {
                "TableName": self.table, "Key": self._key(pack.account_id, pack.pack_id),
                "UpdateExpression": f"SET #status = :expired, unused_at_expiry = :unused{renewal}",
                "ConditionExpression": f"#status IN (:active, :exhausted) AND remaining = :unused AND {as_read}",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_attributes(values),
            }},
            refusal,
        )

    def leave_expiry_index(self, pack: Pack) -> None:
        """Take an expired pack out of the expiry index, once its pack_expired event is published."""
        self._dynamodb.update_item(
            TableName=self.table, Key=self._key(pack.account_id, pack.pack_id), UpdateExpression="REMOVE expiry_date",
            ConditionExpression="#status = :expired", ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_attributes({":expired": PackStatus.EXPIRED.value}),
        )

    def mark_expiring_notified(self, pack: Pack, at: datetime) -> None:
        self._dynamodb.update_item(
            TableName=self.table, Key=self._key(pack.account_id, pack.pack_id),
            UpdateExpression="SET expiring_notified_at = :at", ConditionExpression="attribute_exists(pack_id)",
            ExpressionAttributeValues=to_attributes({":at": sortable_instant(at)}),
        )

    def renewals_due_on(self, day: date) -> list[PendingRenewal]:
        """The pending renewals the renewal index holds for `day`, read consistently from the table."""
        query: dict[str, Any] = {
            "TableName": self.table, "IndexName": _BY_RENEWAL_DUE, "KeyConditionExpression": "renewal_due = :day",
            "ExpressionAttributeValues": to_attributes({":day": day.isoformat()}),
        }
        keys = [{"account_id": item["account_id"], "pack_id": item["pack_id"]}
                for item in query_items(self._dynamodb, query)]
        items = [from_attributes(item) for item in batch_get(self._dynamodb, self.table, keys)]
        return [pending_renewal_from_item(item) for item in sorted(items, key=lambda item: item["account_pack"])
                if item.get("renewal_due") == day.isoformat()]

    def record_renewal_failed(self, pending: PendingRenewal, day: date, next_due: date | None) -> None:
        """A refused attempt of `day` whose pack_renewal_failed is out: due again on `next_due`, or out of the
        renewal index for good (its retries are over). Conditioned on the renewal as read: a concurrent run that
        recorded it first wins, and this one changes nothing."""
        due = "SET renewal_due = :next, renewal_failed_on = :day" if next_due is not None else (
            "SET renewal_failed_on = :day, renewal_outcome = :stopped REMOVE renewal_due")
        values: dict[str, Any] = {":due": pending.due.isoformat(), ":day": day.isoformat()}
        if next_due is None:
            values[":stopped"] = RENEWAL_STOPPED
        else:
            values[":next"] = next_due.isoformat()
        self._update_pending(pending, due, values)

    def record_renewal_stopped(self, pending: PendingRenewal) -> None:
        """A renewal whose retries ran out while no run tried it: out of the renewal index, untried."""
        self._update_pending(pending, "SET renewal_outcome = :stopped REMOVE renewal_due",
                             {":due": pending.due.isoformat(), ":stopped": RENEWAL_STOPPED})

    def record_renewed(self, pending: PendingRenewal, renewed_by: str) -> None:
        """The renewal bought `renewed_by` and its pack_renewed is out: out of the renewal index."""
        self._update_pending(pending, "SET renewal_outcome = :renewed, renewed_by = :by REMOVE renewal_due",
                             {":due": pending.due.isoformat(), ":renewed": RENEWAL_RENEWED, ":by": renewed_by})

    def _update_pending(self, pending: PendingRenewal, update: str, values: dict[str, Any]) -> None:
        try:
            self._dynamodb.update_item(
                TableName=self.table, Key=self._key(pending.pack.account_id, pending.pack.pack_id),
                UpdateExpression=update, ConditionExpression="renewal_due = :due",
                ExpressionAttributeValues=to_attributes(values),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

    def expiries_done_through(self) -> date | None:
        """The date up to which every pack has been expired and announced (None before the first run)."""
        item = self._dynamodb.get_item(
            TableName=self.table, Key=self._key(LIFECYCLE_PARTITION, _EXPIRY_CURSOR), ConsistentRead=True,
        ).get("Item")
        return None if item is None else date.fromisoformat(from_attributes(item)["done_through"])

    def record_expiries_done_through(self, day: date) -> None:
        """Move the mark forward; a run that finds it further already (a concurrent or later run) leaves it."""
        try:
            self._dynamodb.update_item(
                TableName=self.table, Key=self._key(LIFECYCLE_PARTITION, _EXPIRY_CURSOR),
                UpdateExpression="SET done_through = :day",
                ConditionExpression="attribute_not_exists(done_through) OR done_through < :day",
                ExpressionAttributeValues=to_attributes({":day": day.isoformat()}),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

    def _key(self, account_id: str, pack_id: str) -> dict[str, Any]:
        return to_attributes({"account_id": account_id, "pack_id": pack_id})
