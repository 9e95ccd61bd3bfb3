"""The arrears check's side of the Accounts table: the sparse ByDeadline index, and the writes that record
the arrears transitions.

An account is in the index while the check has something to do for it: `deadline_kind` says what (suspend,
release, notice) and `deadline_at` (sortable UTC text) from when. Settlement puts an account in it (suspend)
when a charge starts its arrears; a credit that ends the arrears takes it out (AccountRepository.credit).

A transition is one conditional write that records the new stage together with its notice, due at once
(kind `notice`, `pending_notice` = the event type); the notice is published, then the stage's next deadline
takes the notice's place. A crash in between leaves the notice due, so the next run publishes it again under
the same event id: at least once, and the notifier dedupes by id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.accounts.errors import StaleAccount
from shared.accounts.models import Account
from shared.arrears.models import Deadline, DeadlineKind
from shared.events import EventType
from shared.store.accounts import DEADLINE_AT, DEADLINE_KIND, PENDING_NOTICE, account_from_item
from shared.store.codec import condition_failed, from_attributes, query_items, to_attributes
from shared.store.transactions import sortable_instant

INDEX = "ByDeadline"
PAGE_SIZE = 200


@dataclass(frozen=True)
class DeadlineState:
    """An account as the arrears check reads it: the account, its deadline in the index, its pending notice."""

    account: Account
    deadline: Deadline | None
    pending_notice: EventType | None


class AccountDeadlines:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def _key(self, account_id: str) -> dict[str, Any]:
        return to_attributes({"account_id": account_id})

    def due(self, kind: DeadlineKind, now: datetime) -> Iterator[str]:
        """The ids of the accounts whose deadline of `kind` is at or before `now`, earliest first, a page at a
        time. The index is eventually consistent: callers read each account again before acting."""
        query: dict[str, Any] = {
            "TableName": self.table, "IndexName": INDEX,
            "KeyConditionExpression": "#kind = :kind AND #at <= :now",
            "ExpressionAttributeNames": {"#kind": DEADLINE_KIND, "#at": DEADLINE_AT},
            "ExpressionAttributeValues": to_attributes({":kind": kind.value, ":now": sortable_instant(now)}),
            "Limit": PAGE_SIZE,
        }
        for item in query_items(self._dynamodb, query):
            yield item["account_id"]["S"]

    def load(self, account_id: str) -> DeadlineState | None:
        item = self._dynamodb.get_item(TableName=self.table, Key=self._key(account_id), ConsistentRead=True).get("Item")
        if item is None:
            return None
        values = from_attributes(item)
        kind, at, notice = values.get(DEADLINE_KIND), values.get(DEADLINE_AT), values.get(PENDING_NOTICE)
        deadline = None if kind is None or at is None else Deadline(DeadlineKind(kind), datetime.fromisoformat(at))
        return DeadlineState(account_from_item(values), deadline, None if notice is None else EventType(notice))

    def record_transition(self, before: DeadlineState, after: Account, notice: EventType, at: datetime) -> None:
        """Record `after`'s stage (status, reason, release instants) with its notice due at `at`, if the account
        and its deadline are still as `before` read them (else StaleAccount)."""
        if before.deadline is None:
            raise ValueError(f"account {after.account_id}: no deadline, no transition")
        sets = ["#status = :status", "version = version + :one", "#kind = :notice_kind", "#at = :at",
                "#notice = :notice"]
        removes = []
        values: dict[str, Any] = {
            ":status": after.status.value, ":one": 1, ":notice_kind": DeadlineKind.NOTICE.value,
            ":at": sortable_instant(at), ":notice": notice.value, ":version": before.account.version,
            ":read_kind": before.deadline.kind.value, ":read_at": sortable_instant(before.deadline.at),
        }
        if after.suspension_reason is None:
            removes.append("suspension_reason")
        else:
            sets.append("suspension_reason = :reason")
            values[":reason"] = after.suspension_reason.value
        for name in ("release_at", "released_at"):
            instant = getattr(after, name)
            if instant is not None:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = sortable_instant(instant)
        try:
            self._dynamodb.update_item(
                TableName=self.table, Key=self._key(after.account_id),
                UpdateExpression="SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
                ConditionExpression="version = :version AND #kind = :read_kind AND #at = :read_at",
                ExpressionAttributeNames={"#status": "status", "#kind": DEADLINE_KIND, "#at": DEADLINE_AT,
                                          "#notice": PENDING_NOTICE},
                ExpressionAttributeValues=to_attributes(values),
            )
        except ClientError as error:
            if condition_failed(error):
                raise StaleAccount(after.account_id) from None
            raise

    def replace_deadline(self, state: DeadlineState, following: Deadline | None) -> None:
        """Put `following` (or nothing) in place of the deadline `state` read, and drop its pending notice. A
        no-op if the deadline changed meanwhile (a credit ended the arrears, another run got there first)."""
        if state.deadline is None:
            return
        names = {"#kind": DEADLINE_KIND, "#at": DEADLINE_AT, "#notice": PENDING_NOTICE}
        values: dict[str, Any] = {":read_kind": state.deadline.kind.value,
                                  ":read_at": sortable_instant(state.deadline.at)}
        if following is None:
            expression = "REMOVE #kind, #at, #notice"
        else:
            expression = "SET #kind = :kind, #at = :at REMOVE #notice"
            values.update({":kind": following.kind.value, ":at": sortable_instant(following.at)})
        try:
            self._dynamodb.update_item(
                TableName=self.table, Key=self._key(state.account.account_id), UpdateExpression=expression,
                ConditionExpression="#kind = :read_kind AND #at = :read_at",
                ExpressionAttributeNames=names, ExpressionAttributeValues=to_attributes(values),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
