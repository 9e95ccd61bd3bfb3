"""The fan-out over in-memory fakes: which accounts a run sends, in what messages, and how a message is read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.pricing import SettlementCycle
from shared.services.settlement import settle_message
from shared.services.settlement_dispatch import DispatchStores, accounts_due, dispatch, run_from_schedule
from shared.settlement.periods import SettlementRun
from shared.settlement.queue import AccountDue, MalformedMessage, SettlementMessage, messages_for
from shared.store.settlement_queue import MessagesNotSent, SettlementQueue
from tests.support import load_event

SHANGHAI = ZoneInfo("Asia/Shanghai")
RUN = SettlementRun(SettlementCycle.DAILY, datetime(2026, 3, 1, 16, tzinfo=UTC), SHANGHAI)  # 03-02 00:00


class FakeIndex:
    def __init__(self, entries: dict[str, list[tuple[str, date]]]):
        self.entries = entries
        self.shards_read: list[str] = []

    def unsettled(self, shard: str):
        self.shards_read.append(shard)
        yield from self.entries.get(shard, [])


class FakeQueue:
    def __init__(self) -> None:
        self.sent: list[SettlementMessage] = []

    def send(self, messages):
        self.sent.extend(messages)


class FakeRuns:
    def __init__(self) -> None:
        self.started: list[dict] = []

    def start(self, cycle, run_at, dispatch, *, messages, accounts, now) -> bool:
        self.started.append({"cycle": cycle, "run_at": run_at, "dispatch": dispatch, "messages": messages,
                             "accounts": accounts})
        return messages == 0


class FakeSqs:
    """Refuses the entries listed in `refusals`, one refusal per entry id and call, in turn."""

    def __init__(self, refusals: list[set[str]]):
        self.refusals = refusals
        self.calls: list[list[str]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
        self.calls.append([entry["Id"] for entry in Entries])
        refused = self.refusals.pop(0) if self.refusals else set()
        return {"Failed": [{"Id": entry["Id"], "Code": "x", "SenderFault": False} for entry in Entries
                           if entry["Id"] in refused]}


def test_the_schedule_event_names_the_cycle_and_the_scheduled_instant():
    run = run_from_schedule(load_event("settlement_schedule.json"), SHANGHAI)

    assert run == RUN
    assert run.target.start == date(2026, 3, 1)


def test_a_run_reads_every_shard_and_sends_each_account_once_with_its_oldest_closed_day():
    index = FakeIndex({
        "0": [("acme", date(2026, 3, 1)), ("acme", date(2026, 2, 20)), ("acme", date(2026, 3, 2))],
        "7": [("globex", date(2026, 3, 2))],  # today's calls only: not due
        "15": [("initech", date(2026, 1, 31))],
    })

    due = accounts_due(index, RUN)

    assert index.shards_read == [str(shard) for shard in range(16)]
    assert due == [AccountDue("acme", date(2026, 2, 20)), AccountDue("initech", date(2026, 1, 31))]


def test_accounts_go_out_50_a_message_each_naming_the_run_its_dispatch_and_its_number():
    accounts = [AccountDue(f"a{number:03d}", date(2026, 3, 1)) for number in range(101)]

    messages = messages_for(RUN, accounts, "d1")

    assert [len(message.accounts) for message in messages] == [50, 50, 1]
    assert {(message.cycle, message.run_at, message.dispatch) for message in messages} == {
        (RUN.cycle, RUN.run_at, "d1")}
    assert [message.batch for message in messages] == [1, 2, 3]
    assert [due for message in messages for due in message.accounts] == accounts


def test_dispatch_writes_the_runs_progress_before_it_sends_what_is_due():
    queue, runs = FakeQueue(), FakeRuns()

    summary = dispatch(DispatchStores(FakeIndex({"3": [("acme", date(2026, 3, 1))]}), queue, runs), RUN)

    assert (summary.accounts, summary.messages, summary.completed) == (1, 1, False)
    assert queue.sent[0].accounts == (AccountDue("acme", date(2026, 3, 1)),)
    assert runs.started == [{"cycle": RUN.cycle, "run_at": RUN.run_at, "dispatch": queue.sent[0].dispatch,
                             "messages": 1, "accounts": 1}]


def test_a_run_with_nothing_due_is_complete_as_dispatched():
    queue, runs = FakeQueue(), FakeRuns()

    summary = dispatch(DispatchStores(FakeIndex({}), queue, runs), RUN)

    assert (summary.messages, summary.completed, queue.sent) == (0, True, [])


def test_each_dispatch_of_a_run_has_an_id_of_its_own():
    index = FakeIndex({"3": [("acme", date(2026, 3, 1))]})
    first, again = FakeQueue(), FakeQueue()

    dispatch(DispatchStores(index, first, FakeRuns()), RUN)
    dispatch(DispatchStores(index, again, FakeRuns()), RUN)

    assert first.sent[0].dispatch != again.sent[0].dispatch


def test_a_message_reads_back_as_written():
    message = SettlementMessage(SettlementCycle.MONTHLY, RUN.run_at,
                                (AccountDue("acme", date(2026, 2, 3)), AccountDue("globex", None)), "d1", 7)

    assert SettlementMessage.from_json(message.to_json()) == message


def test_a_message_sent_before_runs_kept_their_progress_still_reads():
    message = SettlementMessage.from_json(load_event("settlement_sqs.json")["Records"][0]["body"])

    assert message.run(SHANGHAI) == RUN
    assert (message.dispatch, message.batch) == ("", 0)


@pytest.mark.parametrize("body", ["not json", "{}", '{"cycle": "weekly", "run_at": "2026-03-01T16:00:00Z", '
                                  '"accounts": []}', '{"cycle": "daily", "run_at": "yesterday", "accounts": []}',
                                  '{"cycle": "daily", "run_at": "2026-03-01T16:00:00Z", "accounts": [{}]}'])
def test_a_body_no_run_wrote_is_malformed(body):
    with pytest.raises(MalformedMessage):
        SettlementMessage.from_json(body)


def test_a_malformed_message_is_dropped_without_touching_any_store():
    assert settle_message(stores=None, body="{}", zone=SHANGHAI, message_id="m1") is None  # type: ignore[arg-type]


def test_the_queue_sends_ten_a_request_and_sends_refused_entries_again(monkeypatch):
    monkeypatch.setattr("shared.store.queues.time.sleep", lambda _seconds: None)
    sqs = FakeSqs([{"3"}, set()])
    messages = messages_for(RUN, [AccountDue(f"a{number:04d}", None) for number in range(50 * 12)])

    SettlementQueue(sqs, "https://queue").send(messages)

    assert sqs.calls == [[str(index) for index in range(10)], ["3"], ["0", "1"]]


def test_the_queue_gives_up_loudly_on_entries_sqs_keeps_refusing(monkeypatch):
    monkeypatch.setattr("shared.store.queues.time.sleep", lambda _seconds: None)
    sqs = FakeSqs([{"0"}] * 10)

    with pytest.raises(MessagesNotSent):
        SettlementQueue(sqs, "https://queue").send(messages_for(RUN, [AccountDue("acme", None)]))
