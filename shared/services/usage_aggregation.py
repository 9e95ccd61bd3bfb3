"""Usage counters from the Calls table's stream, each stream record counted exactly once.

A batch's call records are grouped by counter (account, billing date, tag). For each counter the
records above its marks (last sequence number applied per Calls partition) are summed into one
conditional update that also moves the marks; if another invocation moved them first, the counter
is re-read and recomputed. Records of a counter that could not be updated are reported failed, so
Lambda redelivers from the first of them; what is redelivered but already applied is below the
marks and skipped, whatever the new batch boundaries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from shared.pricing import BillingReason
from shared.store.calls import is_window_partition_key, stored_call_from_item
from shared.store.usage import CounterDelta, CounterKey, sequence_mark

logger = Logger(child=True)

MAX_WORKERS = 16
MAX_APPLY_ATTEMPTS = 10


class UsageStore(Protocol):
    def marks(self, keys: Iterable[CounterKey]) -> dict[CounterKey, dict[str, str]]: ...

    def marks_of(self, key: CounterKey) -> dict[str, str]: ...

    def apply(self, delta: CounterDelta) -> bool: ...


class CounterContention(RuntimeError):
    """A counter's marks kept moving under us: the records are reported failed and come back."""


@dataclass(frozen=True)
class CallRecord:
    """One call as the stream announced its insertion."""

    sequence_number: str  # as the stream spells it: the identifier of a failed record
    mark: str  # the same, 40 digits
    partition: str  # the call's shard in its `pk`: the unit of the counters' marks
    counter: CounterKey
    billable: bool
    unclassified: bool
    return_code: str


def call_record(raw: Mapping[str, Any]) -> CallRecord | None:
    """The call a stream record inserted; None for what the counters ignore (NFC windows, MODIFY, REMOVE)."""
    if raw.get("eventName") != "INSERT":
        return None
    change = raw["dynamodb"]
    pk = change["Keys"]["pk"]["S"]
    if is_window_partition_key(pk):
        return None
    call = stored_call_from_item(change["NewImage"])
    return CallRecord(
        sequence_number=change["SequenceNumber"],
        mark=sequence_mark(change["SequenceNumber"]),
        partition=pk.rsplit("#", 1)[1],
        counter=CounterKey(call.account_id, call.billing_date, call.billing_tag),
        billable=call.billable,
        unclassified=call.reason is BillingReason.UNCLASSIFIED_CODE,
        return_code=call.return_code,
    )


def plan(key: CounterKey, records: Sequence[CallRecord], marks: Mapping[str, str]) -> CounterDelta | None:
    """What the records not applied yet (above the counter's marks) add to it; None if nothing."""
    fresh = [record for record in records if record.mark > marks.get(record.partition, "")]
    if not fresh:
        return None
    partitions = {record.partition for record in fresh}
    return CounterDelta(
        key=key,
        calls=len(fresh),
        billable=sum(record.billable for record in fresh),
        unclassified=sum(record.unclassified for record in fresh),
        by_return_code=dict(Counter(record.return_code for record in fresh)),
        marks={partition: max(record.mark for record in fresh if record.partition == partition)
               for partition in partitions},
        expected={partition: marks.get(partition) for partition in partitions},
    )


def _apply_counter(usage: UsageStore, key: CounterKey, records: Sequence[CallRecord], marks: Mapping[str, str]) -> None:
    for _ in range(MAX_APPLY_ATTEMPTS):
        delta = plan(key, records, marks)
        if delta is None or usage.apply(delta):
            return
        marks = usage.marks_of(key)
    raise CounterContention(f"the marks of a counter of account {key.account_id!r} kept moving")


def aggregate_usage(raw_records: Sequence[Mapping[str, Any]], usage: UsageStore, *,
                    max_workers: int | None = None) -> set[str]:
    """Apply one stream batch to the counters; answer the sequence numbers of the records not applied."""
    failed: set[str] = set()
    by_counter: dict[CounterKey, list[CallRecord]] = defaultdict(list)
    for raw in raw_records:
        try:
            record = call_record(raw)
        except (KeyError, TypeError, ValueError) as error:
            # Only this code writes calls, so this is a bug to fix, not data to skip: the record stays failed.
            sequence_number = str((raw.get("dynamodb") or {}).get("SequenceNumber", ""))
            logger.error("unreadable call record", extra={"sequence_number": sequence_number,
                                                          "error_type": type(error).__name__})
            failed.add(sequence_number)
            continue
        if record is not None:
            by_counter[record.counter].append(record)
    if not by_counter:
        return failed

    def sequence_numbers(key: CounterKey) -> set[str]:
        return {record.sequence_number for record in by_counter[key]}

    try:
        marks = usage.marks(by_counter)
    except Exception:
        logger.exception("counters unreadable; the batch will be redelivered")
        return failed | {number for key in by_counter for number in sequence_numbers(key)}

    def apply(key: CounterKey) -> CounterKey | None:
        try:
            _apply_counter(usage, key, by_counter[key], marks.get(key, {}))
        except Exception as error:
            logger.warning("counter not updated; its records will be redelivered",
                           extra={"account_id": key.account_id, "usage_key": key.usage_key,
                                  "error_type": type(error).__name__})
            return key
        return None

    keys = sorted(by_counter)
    max_workers = max_workers or MAX_WORKERS
    if len(keys) == 1 or max_workers <= 1:
        not_updated = [apply(key) for key in keys]
    else:
        with ThreadPoolExecutor(max_workers=min(max_workers, len(keys))) as executor:
            not_updated = list(executor.map(apply, keys))
    for key in not_updated:
        if key is not None:
            failed |= sequence_numbers(key)
    return failed
