"""What settlement reads and writes beyond each table's own repository, one small class per table.

A settlement commits one transaction: the bill (its guard, unique per account and period), the account's
new balance and wallets with a `pending_settlement` marker (the bill key), each pack drawn on, each
ledger entry and what it books in the vendor's books (shared.store.books). Its after-commit work is
recorded on the bill item, beside what API.md shows:
`settlement` = {"counts": {usage_key: billable calls settled up to}, "events": [event JSON, ...]}. The
work is publishing those events (and a subscriber's daily report of the bill's day, built each time from
the bill, the counters and the packs: shared.lifecycle.report), applying those counts to the usage
counters (which takes a counter out of the Unsettled index once everything billable in it is settled),
and clearing the marker, last: whoever finds the marker (the same run retried, or the next run) does that
work again, and each step is idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from shared.accounts.errors import AccountNotFound, StaleAccount
from shared.accounts.models import WALLET_ORDER, Account
from shared.arrears.models import DeadlineKind
from shared.events import DomainEvent
from shared.settlement.models import Bill
from shared.settlement.plan import PackChange, PeriodSettlement
from shared.store.accounts import DEADLINE_AT, DEADLINE_KIND, account_from_item, set_alert_tracking
from shared.store.bills import KEY_PREFIX, BillRepository, bill_from_item, bill_key
from shared.store.codec import condition_failed, from_attributes, to_attributes
from shared.store.transactions import TransactionItem, sortable_instant
from shared.store.usage import CounterKey

PENDING = "pending_settlement"


class PackChanged(RuntimeError):
    """A pack was drawn on or refunded since settlement read it: read again and recompute."""


@dataclass(frozen=True)
class AccountToSettle:
    account: Account
    pending_period: date | None  # the period whose settlement committed but is not finished


@dataclass(frozen=True)
class PendingWork:
    """A committed settlement's after-commit work, as its bill item records it, and the bill (which a daily
    report sent with it quotes)."""

    events: tuple[DomainEvent, ...]
    counts: Mapping[str, int]  # usage_key -> billable calls settled up to
    bill: Bill

    @classmethod
    def of(cls, settlement: PeriodSettlement) -> PendingWork:
        account_id = settlement.bill.account_id
        return cls(settlement.events, {CounterKey(account_id, day, tag).usage_key: settled
                                       for (day, tag), settled in sorted(settlement.settled_counts.items())},
                   settlement.bill)


class SettlementAccounts:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def _key(self, account_id: str) -> dict[str, Any]:
        return to_attributes({"account_id": account_id})

    def load(self, account_id: str) -> AccountToSettle | None:
        item = self._dynamodb.get_item(TableName=self.table, Key=self._key(account_id), ConsistentRead=True).get("Item")
        if item is None:
            return None
        values = from_attributes(item)
        pending = values.get(PENDING)
        return AccountToSettle(account_from_item(values),
                               None if pending is None else date.fromisoformat(pending.removeprefix(KEY_PREFIX)))

    def charge(self, settlement: PeriodSettlement) -> TransactionItem:
        """Write the balance, wallets and alerts the settlement leaves (and arrears, if it starts them) and mark it
        pending, if the account is as the settlement read it and no other settlement is pending."""
        before, after = settlement.account_before, settlement.account_after
        sets = ["balance = :balance", "version = :next", f"{PENDING} = :pending"]
        names = {}
        values: dict[str, Any] = {":balance": after.balance, ":next": after.version, ":version": before.version,
                                  ":pending": bill_key(settlement.bill.period_start)}
        for wallet in WALLET_ORDER:
            sets.append(f"wallets.#{wallet.value} = :{wallet.value}")
            names[f"#{wallet.value}"] = wallet.value
            values[f":{wallet.value}"] = after.wallets[wallet]
        set_alert_tracking(after.alerts, sets, names, values)
        if settlement.entered_arrears and after.arrears_since is not None and after.suspend_at is not None:
            sets += ["#status = :status", "arrears_since = :since", "suspend_at = :suspend_at",
                     "#deadline_kind = :deadline_kind", "#deadline_at = :suspend_at"]
            names.update({"#status": "status", "#deadline_kind": DEADLINE_KIND, "#deadline_at": DEADLINE_AT})
            values.update({":status": after.status.value, ":since": sortable_instant(after.arrears_since),
                           ":suspend_at": sortable_instant(after.suspend_at),
                           ":deadline_kind": DeadlineKind.SUSPEND.value})

        def refusal(old: dict[str, Any] | None) -> Exception:
            return AccountNotFound(before.account_id) if old is None else StaleAccount(before.account_id)

        return TransactionItem(
            {"Update": {
                "TableName": self.table, "Key": self._key(before.account_id),
                "UpdateExpression": "SET " + ", ".join(sets),
                "ConditionExpression": f"version = :version AND attribute_not_exists({PENDING})",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_attributes(values),
            }},
            refusal,
        )

    def clear_pending(self, account_id: str, period_start: date) -> None:
        """The last step of a settlement; a no-op if someone else finished it first."""
        try:
            self._dynamodb.update_item(
                TableName=self.table, Key=self._key(account_id), UpdateExpression=f"REMOVE {PENDING}",
                ConditionExpression=f"{PENDING} = :pending",
                ExpressionAttributeValues=to_attributes({":pending": bill_key(period_start)}),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise


class PackDraws:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def draw(self, account_id: str, change: PackChange, deferred: Decimal | None) -> TransactionItem:
        """Set a pack's remaining calls (and a bought pack's deferred value), if it still holds what settlement
        read and its status is still the one read: refunded meanwhile, or expired (its breakage booked on what
        it held then), the books would be wrong."""
        sets = ["remaining = :after"]
        values: dict[str, Any] = {":after": change.after, ":before": change.before,
                                  ":status": change.recorded_status.value}
        if deferred is not None:
            sets.append("deferred_value = :deferred")
            values[":deferred"] = deferred
        return TransactionItem(
            {"Update": {
                "TableName": self.table, "Key": to_attributes({"account_id": account_id, "pack_id": change.pack_id}),
                "UpdateExpression": "SET " + ", ".join(sets),
                "ConditionExpression": "remaining = :before AND #status = :status",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_attributes(values),
            }},
            lambda _old: PackChanged(f"{account_id}#{change.pack_id}"),
        )


class SettlementRecords:
    """Bills as settlement writes them: the bill with its after-commit work."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._bills = BillRepository(dynamodb, table)
        self.table = table

    def record(self, settlement: PeriodSettlement) -> TransactionItem:
        work = PendingWork.of(settlement)
        extra = {"settlement": {"counts": dict(work.counts), "events": [event.to_json() for event in work.events]}}
        return self._bills.add(settlement.bill, extra=extra)

    def pending_work(self, account_id: str, period_start: date) -> PendingWork:
        item = self._bills.get_item(account_id, period_start)
        if item is None:
            raise RuntimeError(f"account {account_id} marks the settlement of {period_start} pending, but it has "
                               "no bill: the marker and the bill are written in one transaction")
        work = item.get("settlement") or {}
        return PendingWork(
            events=tuple(DomainEvent.from_json(text) for text in work.get("events", [])),
            counts={usage_key: int(settled) for usage_key, settled in (work.get("counts") or {}).items()},
            bill=bill_from_item(item),
        )

