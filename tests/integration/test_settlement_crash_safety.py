"""Crash safety of settlement, proven by sweeping the crash point: an account with two unsettled days (a
missed run), three tags, a bought and a gifted pack (low, then exhausted) and a charge that ends in
arrears is settled while the process dies at its 1st, 2nd, ... last step (the commit of each day, each
event published, each usage counter updated, the marker cleared), before or after the step lands; then
the run is retried. Whatever the crash point, the account ends as an uninterrupted run leaves it:
balance and wallets, ledger (summing to the balance), pack remainders, bills, counters settled and out
of the Unsettled index, and every event published at least once, with the same ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.config import settings
from shared.events import DomainEvent
from shared.pricing import SettlementCycle
from shared.services.settlement import SettlementOutcome, settle_account
from shared.settlement.periods import SettlementRun
from tests.integration.test_ingest_support import ProcessDied
from tests.integration.test_settlement_support import TAG, RecordingEvents, Settlement, settlement_system

D1, D2 = date(2026, 3, 1), date(2026, 3, 2)
CALLS = {D1: {TAG: 850, "basic_upload": 100, "phone_2e": 500},
         D2: {TAG: 3_300, "basic_upload": 10, "phone_2e": 10}}
WRITES = frozenset({"put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items"})


def run_after(day: date) -> SettlementRun:
    midnight = datetime.fromisoformat(f"{date.fromordinal(day.toordinal() + 1).isoformat()}T00:00:00+08:00")
    return SettlementRun(SettlementCycle.DAILY, midnight, settings().zone)


class Steps:
    """Counts the settlement's steps (DynamoDB writes, events published); the `crash_at`-th one kills the
    process, before or after it takes effect."""

    def __init__(self, crash_at: int | None = None, *, after: bool = False):
        self.crash_at = crash_at
        self.after = after
        self.taken: list[str] = []

    def take(self, name: str, step: Callable[[], Any]) -> Any:
        self.taken.append(name)
        crashes = len(self.taken) == self.crash_at
        if crashes and not self.after:
            raise ProcessDied(name)
        result = step()
        if crashes:
            raise ProcessDied(name)
        return result


class SteppedClient:
    def __init__(self, client: Any, steps: Steps):
        self._client = client
        self._steps = steps

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in WRITES:
            return attribute
        return lambda **request: self._steps.take(name, lambda: attribute(**request))


class SteppedEvents:
    def __init__(self, sink: RecordingEvents, steps: Steps):
        self._sink = sink
        self._steps = steps

    def publish(self, events: list[DomainEvent]) -> None:
        for event in events:
            self._steps.take("publish", lambda event=event: self._sink.publish([event]))


def prepare(system: Settlement, account_id: str) -> None:
    system.open_account(account_id, activated_at="2024-06-01T09:00:00+08:00")
    system.recharge(account_id, "5000.00")
    system.buy_pack(account_id, 1_000)  # 1,150.00; to 15% on the 1st (low), to 0 on the 2nd (exhausted)
    system.grant_pack(account_id, 100, "basic_upload")  # to 0 on the 1st
    for day, by_tag in CALLS.items():
        for tag, calls in by_tag.items():
            system.add_billable(account_id, day, calls, tag)


def settle(system: Settlement, account_id: str, sink: RecordingEvents, steps: Steps | None = None,
           run: SettlementRun | None = None) -> None:
    stores = system.stores(events=sink if steps is None else SteppedEvents(sink, steps),
                           dynamodb=None if steps is None else SteppedClient(system.client, steps))
    settle_account(stores, run or run_after(D2), account_id, since=D1)


def final_state(system: Settlement, account_id: str, sink: RecordingEvents) -> dict[str, Any]:
    """What the account ended with, with its own ids (account, packs) replaced by stable names."""
    packs = {item["pack_id"]: f"{item['billing_tag']}/{item['size']}/{item['origin']}"
             for item in system.api.items(settings().packs_table, account_id)}

    def named(text: str) -> str:
        for pack_id, name in packs.items():
            text = text.replace(pack_id, name)
        return text.replace(account_id, "X")

    account = system.account(account_id)
    bills = [(bill["bill_key"], named(bill["bill_id"]), bill["total_amount"], bill["settled_at"],
              [(line["usage_date"], line["billing_tag"], line["billable_calls"], line["postpaid_calls"],
                line["amount"], line["late"], [(named(d["pack_id"]), d["calls"]) for d in line["pack_deductions"]])
               for line in bill["lines"]])
             for bill in system.bills(account_id)]
    return {
        "account": {name: account.get(name) for name in (
            "balance", "wallets", "status", "arrears_since", "suspend_at", "deadline_kind", "deadline_at", "version",
            "pending_settlement")},
        "ledger_sum": system.ledger_sum(account_id),
        "charges": sorted((entry["wallet"], entry["amount"], named(entry["ref"]), entry["at"])
                          for entry in system.ledger(account_id) if entry["kind"] == "postpaid_charge"),
        "packs": sorted((named(pack_id), remaining) for pack_id, remaining in system.packs(account_id).items()),
        "bills": bills,
        "counters": {key: (counter["billable"], counter.get("settled_billable"), "unsettled_key" in counter)
                     for key, counter in system.counters(account_id).items()},
        "events": sorted({named(event_id) for event_id in sink.ids}),
    }


@pytest.fixture(scope="module")
def system():
    with settlement_system(datetime.fromisoformat("2026-02-27T08:00:00+08:00")) as system:
        yield system


@pytest.fixture(scope="module")
def baseline(system: Settlement) -> tuple[dict[str, Any], int]:
    prepare(system, "base")
    sink, steps = RecordingEvents(), Steps()
    settle(system, "base", sink, steps)
    return final_state(system, "base", sink), len(steps.taken)


def test_the_uninterrupted_run_bills_both_days_announces_each_crossing_and_ends_in_arrears(baseline):
    state, steps = baseline

    assert steps == 14  # per day: the commit, 2 events, 3 counters, the marker
    assert [bill[0] for bill in state["bills"]] == ["period#2026-03-01", "period#2026-03-02"]
    assert [bill[2] for bill in state["bills"]] == [Decimal("200.00"), Decimal("3785.50")]
    assert state["account"]["balance"] == state["ledger_sum"] == Decimal("-135.50")
    assert state["account"]["status"] == "arrears" and state["account"]["pending_settlement"] is None
    assert state["events"] == ["arrears#X#bl_X_daily_2026-03-02", "pack_exhausted#basic_upload/100/promotion",
                               "pack_exhausted#enhanced_authority_wechat/1000/purchase",
                               "pack_low#enhanced_authority_wechat/1000/purchase"]
    assert all(settled == billable and not indexed for billable, settled, indexed in state["counters"].values())


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("crash_at", range(1, 15))
def test_a_crash_at_any_step_then_a_retry_ends_as_an_uninterrupted_run(system, baseline, crash_at, after):
    account_id = f"crash-{crash_at}-{'a' if after else 'b'}"
    prepare(system, account_id)
    sink = RecordingEvents()

    with pytest.raises(ProcessDied):
        settle(system, account_id, sink, Steps(crash_at, after=after))
    settle(system, account_id, sink)

    expected, _ = baseline
    assert final_state(system, account_id, sink) == expected
    assert f"{account_id}#2026-03-01" not in system.unsettled_index()


def test_a_crash_after_a_commit_is_finished_by_the_next_nights_run_before_it_settles_anything(system, baseline):
    prepare(system, "next-night")
    sink = RecordingEvents()
    with pytest.raises(ProcessDied):
        settle(system, "next-night", sink, Steps(1, after=True))  # the 1st's bill committed, nothing else
    assert system.account("next-night")["pending_settlement"] == "period#2026-03-01"

    settle(system, "next-night", sink, run=run_after(date(2026, 3, 3)))

    expected, _ = baseline
    state = final_state(system, "next-night", sink)
    assert state["events"] == expected["events"]
    assert state["account"]["balance"] == state["ledger_sum"] == expected["account"]["balance"]
    assert [bill[0] for bill in state["bills"]] == ["period#2026-03-01", "period#2026-03-02"]
    assert state["bills"][1][3] == "2026-03-03T16:00:00.000000Z"  # the 2nd settled by the next night's run
    assert state["counters"] == expected["counters"]


def test_a_rerun_after_everything_finished_changes_nothing(system, baseline):
    prepare(system, "twice")
    sink = RecordingEvents()
    settle(system, "twice", sink)
    first = final_state(system, "twice", sink)
    stores = system.stores(events=sink)

    again = settle_account(stores, run_after(D2), "twice", since=D1)

    assert again.outcome is SettlementOutcome.NOTHING_DUE
    assert final_state(system, "twice", sink) == first == baseline[0]
