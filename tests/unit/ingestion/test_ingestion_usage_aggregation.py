"""Usage counters from stream records, over an in-memory counter store: every record counted exactly
once, whatever the batch boundaries, redeliveries, failures and concurrent updates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.services.usage_aggregation import MAX_APPLY_ATTEMPTS, aggregate_usage, call_record, plan
from shared.store.codec import to_attributes
from shared.store.usage import CounterDelta, CounterKey, sequence_mark

DAY = date(2026, 3, 10)


def record(sequence: int, *, account: str = "acme", shard: int = 0, tag: str = "phone_2e", code: str = "0",
           billable: bool = True, reason: str | None = None, event: str = "INSERT", day: date = DAY) -> dict:
    pk = f"{account}#{shard}"
    image = to_attributes({
        "pk": pk, "request_id": f"r-{sequence}", "account_id": account, "channel": "verify.phone_2e",
        "return_code": code, "occurred_at": "2026-03-10T01:00:00+00:00", "received_at": "2026-03-10T01:00:01+00:00",
        "billing_date": day.isoformat(), "billing_tag": tag, "billable": billable,
        "reason": reason or ("BILLABLE_CODE" if billable else "FREE_CODE"), "fingerprint": "f", "expires_at": 1,
    })
    return {"eventName": event, "eventSource": "aws:dynamodb",
            "dynamodb": {"Keys": {"pk": image["pk"], "request_id": image["request_id"]}, "NewImage": image,
                         "SequenceNumber": str(4_000_000_000_000_000_000 + sequence), "StreamViewType": "NEW_IMAGE"}}


def window_record(sequence: int) -> dict:
    image = to_attributes({"pk": "acme#nfc", "request_id": "window#n-1", "account_id": "acme", "nfc_req_id": "n-1",
                           "first_billable_at": "2026-03-10T01:00:00+00:00", "opener": "r-1", "expires_at": 1})
    return {"eventName": "INSERT", "dynamodb": {"Keys": {"pk": image["pk"], "request_id": image["request_id"]},
                                                "NewImage": image, "SequenceNumber": str(sequence)}}


class Unavailable(Exception):
    pass


class MemoryUsage:
    """The UsageStore protocol in memory: conditional on the marks read, like the DynamoDB update."""

    def __init__(self) -> None:
        self.counters: dict[CounterKey, Counter] = {}
        self.marks_by_key: dict[CounterKey, dict[str, str]] = {}
        self.fail_next: int = 0  # that many apply() calls raise before writing
        self.meddle = None  # runs before an apply(): another invocation at work

    def marks(self, keys: Iterable[CounterKey]) -> dict[CounterKey, dict[str, str]]:
        return {key: dict(self.marks_by_key.get(key, {})) for key in keys}

    def marks_of(self, key: CounterKey) -> dict[str, str]:
        return dict(self.marks_by_key.get(key, {}))

    def apply(self, delta: CounterDelta) -> bool:
        if self.meddle is not None:
            meddle, self.meddle = self.meddle, None
            meddle()
        if self.fail_next:
            self.fail_next -= 1
            raise Unavailable()
        current = self.marks_by_key.setdefault(delta.key, {})
        if any(current.get(partition) != expected for partition, expected in delta.expected.items()):
            return False
        counter = self.counters.setdefault(delta.key, Counter())
        counter.update({"calls": delta.calls, "billable": delta.billable, "unclassified": delta.unclassified})
        counter.update({f"rc#{code}": count for code, count in delta.by_return_code.items()})
        current.update(delta.marks)
        return True

    def totals(self) -> dict[CounterKey, dict[str, int]]:
        return {key: {name: count for name, count in counter.items() if count}
                for key, counter in self.counters.items()}


def truth(records: list[dict]) -> dict[CounterKey, dict[str, int]]:
    counts: dict[CounterKey, Counter] = {}
    for raw in records:
        parsed = call_record(raw)
        if parsed is None:
            continue
        counter = counts.setdefault(parsed.counter, Counter())
        counter.update({"calls": 1, "billable": int(parsed.billable), "unclassified": int(parsed.unclassified),
                        f"rc#{parsed.return_code}": 1})
    return {key: {name: count for name, count in counter.items() if count} for key, counter in counts.items()}


def test_a_batch_adds_each_counters_records_in_one_update():
    usage = MemoryUsage()
    records = [record(1), record(2, code="1"), record(3, billable=False, code="-3"),
               record(4, tag="phone_3e_simple"), record(5, code="X", billable=False, reason="UNCLASSIFIED_CODE")]

    assert aggregate_usage(records, usage) == set()

    assert usage.totals() == {
        CounterKey("acme", DAY, "phone_2e"): {"calls": 4, "billable": 2, "unclassified": 1, "rc#0": 1, "rc#1": 1,
                                              "rc#-3": 1, "rc#X": 1},
        CounterKey("acme", DAY, "phone_3e_simple"): {"calls": 1, "billable": 1, "rc#0": 1},
    }


def test_windows_modifications_and_removals_are_not_calls():
    usage = MemoryUsage()

    aggregate_usage([window_record(1), record(2, event="MODIFY"), record(3, event="REMOVE")], usage)

    assert usage.totals() == {}


def test_a_redelivered_batch_counts_nothing_twice():
    usage = MemoryUsage()
    records = [record(n, shard=n % 3) for n in range(10)]
    aggregate_usage(records, usage)

    aggregate_usage(records[4:], usage)

    assert usage.totals() == truth(records)


def test_plan_takes_only_the_records_above_the_mark_of_their_partition():
    key = CounterKey("acme", DAY, "phone_2e")
    records = [call_record(record(n, shard=n % 2)) for n in range(6)]  # shard 0: 0, 2, 4; shard 1: 1, 3, 5

    delta = plan(key, records, {"0": sequence_mark(records[2].sequence_number)})

    assert delta is not None and delta.calls == 4
    assert delta.marks == {"0": records[4].mark, "1": records[5].mark}
    assert delta.expected == {"0": records[2].mark, "1": None}
    assert plan(key, records, {"0": records[4].mark, "1": records[5].mark}) is None


def test_marks_compare_as_numbers_even_when_sequence_numbers_grow_a_digit():
    assert sequence_mark("999") < sequence_mark("1000")
    assert len(sequence_mark("1")) == 40


def test_a_counter_moved_by_another_invocation_is_read_again_and_counted_once():
    usage = MemoryUsage()
    records = [record(n) for n in range(6)]
    # Another invocation (an earlier delivery of the first half) lands between our read and our update.
    usage.meddle = lambda: aggregate_usage(records[:3], usage)

    assert aggregate_usage(records, usage) == set()

    assert usage.totals() == truth(records)


def test_a_counter_that_cannot_be_updated_reports_its_records_and_only_them():
    usage = MemoryUsage()
    records = [record(1, tag="phone_2e"), record(2, tag="phone_3e_simple"), record(3, tag="phone_2e")]
    usage.fail_next = 1  # counters are updated in key order: phone_2e first

    failed = aggregate_usage(records, usage, max_workers=1)

    assert failed == {records[0]["dynamodb"]["SequenceNumber"], records[2]["dynamodb"]["SequenceNumber"]}
    assert usage.totals() == truth([records[1]])


def test_a_counter_whose_marks_never_stop_moving_is_reported_after_bounded_attempts():
    usage = MemoryUsage()
    attempts = []

    def contended(delta):
        attempts.append(delta)
        return False

    usage.apply = contended

    failed = aggregate_usage([record(1)], usage)

    assert failed == {record(1)["dynamodb"]["SequenceNumber"]} and len(attempts) == MAX_APPLY_ATTEMPTS


def test_an_unreadable_call_record_is_reported_failed_not_skipped():
    broken = record(7)
    del broken["dynamodb"]["NewImage"]["billing_tag"]

    assert aggregate_usage([broken, record(8)], MemoryUsage()) == {broken["dynamodb"]["SequenceNumber"]}


_RECORD_SHAPES = st.tuples(st.integers(0, 9), st.sampled_from(["acme", "globex"]), st.integers(0, 3),
                           st.sampled_from(["phone_2e", "basic_upload"]), st.sampled_from(["0", "-1", "X"]),
                           st.booleans())


@st.composite
def streams(draw):
    records = []
    for sequence, (kind, account, shard, tag, code, billable) in enumerate(
            draw(st.lists(_RECORD_SHAPES, min_size=1, max_size=60))):
        records.append(window_record(sequence) if kind == 0 else
                       record(sequence, account=account, shard=shard, tag=tag, code=code, billable=billable))
    return records


@settings(max_examples=100, deadline=None)
@given(records=streams(), data=st.data())
def test_any_delivery_with_failures_rewinds_and_new_cuts_counts_every_record_exactly_once(records, data):
    usage = MemoryUsage()
    position = 0
    for _ in range(500):
        if position >= len(records):
            break
        batch = records[position:position + data.draw(st.integers(1, 12), label="cut")]
        usage.fail_next = data.draw(st.integers(0, 2), label="failing updates")
        failed = aggregate_usage(batch, usage, max_workers=1)
        numbers = [raw["dynamodb"]["SequenceNumber"] for raw in batch]
        position += min(numbers.index(number) for number in failed) if failed else len(batch)
        # At-least-once: sometimes what was already processed comes again, from an earlier point.
        position = max(0, position - data.draw(st.integers(0, 5), label="rewind"))
    usage.fail_next = 0
    aggregate_usage(records[position:], usage)  # whatever is left, in one healthy batch

    assert usage.totals() == truth(records)
