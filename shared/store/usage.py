"""The Usage table: live counters per account, billing date and tag, fed by the Calls table's stream.

One item per (account_id, usage_key = f"{billing_date}#{billing_tag}") holding `calls`, `billable`,
`unclassified`, one `rc#{code}` count per return code, and, per Calls partition (`seq#{n}`, n the
call's shard 0..15 of `pk`), the sequence number of the last stream record applied, zero-padded to
40 digits. DynamoDB orders the stream records of one partition key, and Lambda delivers a stream
shard in order, so a record is new to a counter exactly when its sequence number is above that
mark: a retried or re-cut batch never counts twice. (Lambda's stream events do not name their shard,
and a partition key never spans two shards at once, so the partition is the mark's unit.)

While a counter has billable calls not yet settled it carries `unsettled_shard` and `unsettled_key`,
the keys of the sparse Unsettled index; settlement sets `settled_billable` (never touched here).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.store.codec import batch_get, condition_failed, from_attributes, query_items, to_attributes

SEQUENCE_WIDTH = 40
UNSETTLED_SHARDS = 16
RETURN_CODE_PREFIX = "rc#"
SEQUENCE_PREFIX = "seq#"


def sequence_mark(sequence_number: str | int) -> str:
    """A stream sequence number as stored: 40 digits, so marks compare as strings as they do as numbers."""
    return f"{int(sequence_number):0{SEQUENCE_WIDTH}d}"


def unsettled_key(account_id: str, usage_date: date) -> str:
    return f"{account_id}#{usage_date.isoformat()}"


def unsettled_shard(account_id: str) -> str:
    return str(int(hashlib.sha256(account_id.encode("utf-8")).hexdigest(), 16) % UNSETTLED_SHARDS)


@dataclass(frozen=True, order=True)
class CounterKey:
    account_id: str
    usage_date: date
    billing_tag: str

    @property
    def usage_key(self) -> str:
        return f"{self.usage_date.isoformat()}#{self.billing_tag}"

    def item_key(self) -> dict[str, Any]:
        return to_attributes({"account_id": self.account_id, "usage_key": self.usage_key})


@dataclass(frozen=True)
class UsageCounter:
    """What the counters hold for one account, billing date and tag."""

    usage_date: date
    billing_tag: str
    calls: int
    billable: int
    unclassified: int
    by_return_code: Mapping[str, int] = field(default_factory=dict)
    settled_billable: int = 0

    @property
    def unsettled_billable(self) -> int:
        return max(0, self.billable - self.settled_billable)


@dataclass(frozen=True)
class CounterDelta:
    """What one batch adds to one counter, and the marks it moves (guarded by the marks it read)."""

    key: CounterKey
    calls: int
    billable: int
    unclassified: int
    by_return_code: Mapping[str, int]
    marks: Mapping[str, str]  # partition -> mark of the last record applied by this delta
    expected: Mapping[str, str | None]  # partition -> mark read before (None: nothing applied yet)


def _counter_from_item(item: dict[str, Any]) -> UsageCounter:
    values = from_attributes(item)
    day, _, tag = values["usage_key"].partition("#")
    return UsageCounter(
        usage_date=date.fromisoformat(day),
        billing_tag=tag,
        calls=int(values.get("calls", 0)),
        billable=int(values.get("billable", 0)),
        unclassified=int(values.get("unclassified", 0)),
        by_return_code={name.removeprefix(RETURN_CODE_PREFIX): int(count) for name, count in sorted(values.items())
                        if name.startswith(RETURN_CODE_PREFIX)},
        settled_billable=int(values.get("settled_billable", 0)),
    )


def _marks_from_item(item: dict[str, Any]) -> dict[str, str]:
    return {name.removeprefix(SEQUENCE_PREFIX): value["S"] for name, value in item.items()
            if name.startswith(SEQUENCE_PREFIX)}


class UsageRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    # --- reads for the usage, entitlement and settlement code -----------------------------------

    def for_day(self, account_id: str, day: date, *, consistent: bool = False) -> list[UsageCounter]:
        """Every tag's counter of one billing day, by tag."""
        return self._query(account_id, "begins_with(usage_key, :from)", day.isoformat() + "#", consistent)

    def since(self, account_id: str, from_date: date, *, consistent: bool = False) -> list[UsageCounter]:
        """Every counter from `from_date` (included) on, oldest day first, then by tag."""
        return self._query(account_id, "usage_key >= :from", from_date.isoformat(), consistent)

    def between(self, account_id: str, first: date, last: date) -> list[UsageCounter]:
        """Every counter of the billing dates `first` to `last` (both included), oldest day first, then by tag."""
        # "YYYY-MM-DD" of the day after `last` sorts after every "<last>#<tag>" key and before its own day's keys.
        after_last = (last + timedelta(days=1)).isoformat()
        return self._query(account_id, "usage_key BETWEEN :from AND :to", first.isoformat(), False, end=after_last)

    def get(self, account_id: str, day: date, billing_tag: str, *, consistent: bool = False) -> UsageCounter | None:
        item = self._dynamodb.get_item(
            TableName=self._table, Key=CounterKey(account_id, day, billing_tag).item_key(), ConsistentRead=consistent
        ).get("Item")
        return _counter_from_item(item) if item else None

    def _query(self, account_id: str, condition: str, start: str, consistent: bool, end: str | None = None
               ) -> list[UsageCounter]:
        values = {":account": account_id, ":from": start, **({":to": end} if end is not None else {})}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": f"account_id = :account AND {condition}",
            "ExpressionAttributeValues": to_attributes(values),
            "ConsistentRead": consistent,
        }
        return [_counter_from_item(item) for item in query_items(self._dynamodb, request)]

    # --- the stream aggregator's side ---------------------------------------------------------------

    def marks(self, keys: Iterable[CounterKey]) -> dict[CounterKey, dict[str, str]]:
        """The applied-record marks of each counter (an absent counter has none), read consistently."""
        wanted = {(key.account_id, key.usage_key): key for key in keys}
        found: dict[CounterKey, dict[str, str]] = {key: {} for key in wanted.values()}
        for item in batch_get(self._dynamodb, self._table, [key.item_key() for key in wanted.values()]):
            found[wanted[(item["account_id"]["S"], item["usage_key"]["S"])]] = _marks_from_item(item)
        return found

    def marks_of(self, key: CounterKey) -> dict[str, str]:
        item = self._dynamodb.get_item(TableName=self._table, Key=key.item_key(), ConsistentRead=True).get("Item")
        return _marks_from_item(item) if item else {}

    def apply(self, delta: CounterDelta) -> bool:
        """Add `delta` and move its marks, if the marks are still those it was computed from.
        False when another invocation moved them first: re-read and compute again."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}

        def name(attribute: str) -> str:
            placeholder = f"#a{len(names)}"
            names[placeholder] = attribute
            return placeholder

        def value(content: Any) -> str:
            placeholder = f":v{len(values)}"
            values[placeholder] = content
            return placeholder

        additions = [f"{name('calls')} {value(delta.calls)}", f"{name('billable')} {value(delta.billable)}",
                     f"{name('unclassified')} {value(delta.unclassified)}"]
        additions += [f"{name(RETURN_CODE_PREFIX + code)} {value(count)}"
                      for code, count in sorted(delta.by_return_code.items())]
        assignments = [f"{name(SEQUENCE_PREFIX + partition)} = {value(mark)}"
                       for partition, mark in sorted(delta.marks.items())]
        if delta.billable > 0:
            account_id = delta.key.account_id
            assignments += [f"{name('unsettled_shard')} = {value(unsettled_shard(account_id))}",
                            f"{name('unsettled_key')} = {value(unsettled_key(account_id, delta.key.usage_date))}"]
        conditions = []
        for partition, expected in sorted(delta.expected.items()):
            attribute = name(SEQUENCE_PREFIX + partition)
            conditions.append(f"attribute_not_exists({attribute})" if expected is None
                              else f"{attribute} = {value(expected)}")
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": delta.key.item_key(),
            "UpdateExpression": f"ADD {', '.join(additions)} SET {', '.join(assignments)}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_attributes(values),
        }
        if conditions:
            request["ConditionExpression"] = " AND ".join(conditions)
        try:
            self._dynamodb.update_item(**request)
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True
