"""The reconciliation's fan-out and its worker over in-memory fakes: the run a schedule fires, the messages it
sends, how a worker reads an account, checks it again before it reports, and what it stores."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import LedgerEntry, LedgerKind, Wallet
from shared.reconciliation.models import BatchFindings, Check, Difference, ReconciliationReport, ReconciliationRun
from shared.reconciliation.queue import MalformedMessage, ReconciliationMessage, messages_for
from shared.services.reconciliation import (
    NoReconciliation,
    ReconciliationStores,
    check_message,
    load_history,
    reconciliation_report,
)
from shared.services.reconciliation_dispatch import ReconciliationDispatchStores, dispatch, run_from_schedule
from shared.store.settlements import AccountToSettle
from shared.store.usage import UsageCounter
from tests.support import load_event
from tests.unit.reconciliation.test_reconciliation_checks import TAG, account, bill, line, pack

SHANGHAI = ZoneInfo("Asia/Shanghai")
RUN = ReconciliationRun(date(2026, 3, 1), datetime(2026, 3, 1, 18, tzinfo=UTC))  # 03-02 02:00 in Shanghai
DAY = RUN.day


def test_the_02_00_run_checks_the_billing_date_before_its_own():
    assert run_from_schedule(load_event("reconciliation_schedule.json"), SHANGHAI) == RUN
    # 00:30 on 03-02 in Shanghai is still 03-01 in UTC: the billing zone decides
    assert ReconciliationRun.scheduled_at(datetime(2026, 3, 1, 16, 30, tzinfo=UTC), SHANGHAI).day == date(2026, 3, 1)
    assert ReconciliationRun.scheduled_at(datetime(2026, 3, 1, 16, 30, tzinfo=UTC), ZoneInfo("UTC")).day == date(
        2026, 2, 28)


def test_messages_carry_the_run_and_their_batch_number_and_read_back_as_written():
    messages = messages_for(RUN, [f"a{number:03d}" for number in range(120)])

    assert [(message.batch, len(message.accounts)) for message in messages] == [(0, 50), (1, 50), (2, 20)]
    assert messages[2].accounts[0] == "a100"
    assert json.loads(messages[0].to_json())["ran_at"] == "2026-03-01T18:00:00Z"
    assert all(ReconciliationMessage.from_json(message.to_json()) == message for message in messages)
    assert ReconciliationMessage.from_json(load_event("reconciliation_sqs.json")["Records"][0]["body"]) == \
        ReconciliationMessage(RUN, 0, ("acme",))


@pytest.mark.parametrize("body", [
    "not json", "{}", '{"date": "2026-03-01", "ran_at": "2026-03-01T18:00:00Z", "batch": -1, "accounts": []}',
    '{"date": "2026-03-01", "ran_at": "tonight", "batch": 0, "accounts": []}',
    '{"date": "2026-03-01", "ran_at": "2026-03-01T18:00:00Z", "batch": true, "accounts": []}',
    '{"date": "2026-03-01", "ran_at": "2026-03-01T18:00:00Z", "batch": 0, "accounts": "acme"}',
])
def test_a_body_no_run_wrote_is_malformed(body):
    with pytest.raises(MalformedMessage):
        ReconciliationMessage.from_json(body)


# -- the dispatcher -------------------------------------------------------------------------------------------

class FakeAccounts:
    def __init__(self, ids: list[str]):
        self.ids = ids

    def every_account_id(self) -> list[str]:
        return list(self.ids)


class FakeHeaders:
    def __init__(self, latest: datetime | None = None):
        self.latest = latest
        self.started: list[tuple[ReconciliationRun, int, int]] = []

    def start_run(self, run: ReconciliationRun, accounts_due: int, batches: int) -> bool:
        if self.latest is not None and self.latest > run.ran_at:
            return False
        self.latest = run.ran_at
        self.started.append((run, accounts_due, batches))
        return True


class FakeQueue:
    def __init__(self, headers: FakeHeaders | None = None):
        self.sent: list[ReconciliationMessage] = []
        self.headers = headers

    def send(self, messages):
        assert self.headers is None or self.headers.started, "messages sent before the run's header was written"
        self.sent.extend(messages)


def test_every_account_is_sent_50_a_message_after_the_run_s_header():
    headers = FakeHeaders()
    queue = FakeQueue(headers)
    ids = [f"a{number:03d}" for number in range(101)]

    summary = dispatch(ReconciliationDispatchStores(FakeAccounts(ids), headers, queue), RUN)

    assert headers.started == [(RUN, 101, 3)]
    assert [message.accounts for message in queue.sent] == [tuple(ids[:50]), tuple(ids[50:100]), (ids[100],)]
    assert (summary.date, summary.accounts, summary.messages, summary.stale) == ("2026-03-01", 101, 3, False)


def test_a_run_older_than_one_already_started_for_the_date_sends_nothing():
    headers = FakeHeaders(latest=RUN.ran_at + timedelta(hours=5))  # an operator's rerun at 07:00
    queue = FakeQueue()

    summary = dispatch(ReconciliationDispatchStores(FakeAccounts(["acme"]), headers, queue), RUN)

    assert (queue.sent, summary.messages, summary.stale) == ([], 0, True)


# -- the worker -----------------------------------------------------------------------------------------------

class Tables:
    """One account's tables as the worker reads them, and what it was asked for."""

    def __init__(self):
        self.account = account(cash="800.00")
        self.pending: date | None = None
        self.pending_counts: dict[str, int] = {}
        self.ledger = [LedgerEntry("acme", LedgerKind.RECHARGE, Wallet.CASH, Decimal("800.00"), RUN.ran_at, "r1")]
        self.packs = [pack(remaining=900, deferred="180.00")]
        self.bills = [bill(DAY, line(DAY, 100, {"pk_1": 100}))]
        self.recorded = {TAG: 100}
        self.counters = [UsageCounter(DAY, TAG, calls=100, billable=100, unclassified=0, settled_billable=100)]
        self.bill_ranges: list[tuple[date, date, bool]] = []
        self.loads = 0
        self.stored: list[BatchFindings] = []

    # AccountReader, PendingSettlements, LedgerReader, PackReader, BillReader, CallCounts, UsageReader, ResultSink
    def load(self, account_id):
        self.loads += 1
        return AccountToSettle(self.account, self.pending) if account_id == "acme" else None

    def pending_work(self, account_id, period_start):
        assert period_start == self.pending
        # what the service reads of PendingWork: its counts, keyed usage_key, other days' too
        return SimpleNamespace(counts={f"{DAY}#{tag}": count for tag, count in self.pending_counts.items()}
                               | {f"{DAY - timedelta(days=1)}#{TAG}": 999})

    def list_for_account(self, account_id):
        return list(self.ledger)

    def between(self, account_id, first, last, *, consistent=False):
        self.bill_ranges.append((first, last, consistent))
        return list(self.bills)

    def billable_by_tag(self, account_id, day):
        assert day == DAY
        return dict(self.recorded)

    def for_day(self, account_id, day, *, consistent=False):
        assert (day, consistent) == (DAY, True)
        return list(self.counters)

    def record_batch(self, findings):
        self.stored.append(findings)

    def stores(self) -> ReconciliationStores:
        packs = type("Packs", (), {"list_for_account": lambda _self, account_id: list(self.packs)})()
        return ReconciliationStores(accounts=self, settlements=self, ledger=self, packs=packs, bills=self, calls=self,
                                    usage=self, results=self)


def body(*accounts: str, batch: int = 4) -> str:
    return ReconciliationMessage(RUN, batch, accounts).to_json()


def test_a_healthy_account_is_stored_in_its_batch_with_no_differences_and_no_second_reading():
    tables, pauses = Tables(), []

    batch = check_message(tables.stores(), body("acme"), message_id="m1", pause=pauses.append)

    assert batch == BatchFindings(RUN, 4, accounts_checked=1, packs_checked=1, differences=())
    assert tables.stored == [batch]
    assert (tables.loads, pauses) == (1, [])


def test_bills_are_read_consistently_from_the_first_month_of_the_oldest_pack_or_the_day():
    tables = Tables()
    tables.packs = [replace(tables.packs[0], effective_from=date(2025, 12, 20))]

    load_history(tables.stores(), "acme", DAY)
    tables.packs = []
    load_history(tables.stores(), "acme", DAY)

    assert [(first, consistent) for first, _last, consistent in tables.bill_ranges] == [
        (date(2025, 12, 1), True), (date(2026, 3, 1), True)]


def test_a_settlement_pending_on_the_account_lends_its_counts_of_the_day_to_the_check():
    tables = Tables()
    tables.counters = [replace(tables.counters[0], settled_billable=0)]  # the bill is written, the counter not yet
    tables.pending, tables.pending_counts = DAY, {TAG: 100}

    history = load_history(tables.stores(), "acme", DAY)
    batch = check_message(tables.stores(), body("acme"), message_id="m1", pause=lambda _s: None)

    assert history is not None and history.pending_settled == {TAG: 100}
    assert batch is not None and batch.differences == ()


def test_a_difference_is_read_again_after_a_pause_and_reported_only_if_it_stays():
    tables, pauses = Tables(), []
    tables.account = account(cash="801.00", balance="800.00")

    batch = check_message(tables.stores(), body("acme"), message_id="m1", pause=pauses.append, recheck_after=5.0)

    assert pauses == [5.0] and tables.loads == 2
    assert batch is not None and batch.differences == (
        Difference("acme", Check.WALLET_BALANCE, "800.00", "801.00", "cash"),)


def test_a_difference_gone_at_the_second_reading_is_not_reported():
    tables = Tables()
    tables.recorded = {TAG: 101}  # a call in the Calls table whose stream record is on its way to the counter

    def stream_catches_up(_seconds: float) -> None:
        tables.counters = [replace(tables.counters[0], billable=101)]

    batch = check_message(tables.stores(), body("acme"), message_id="m1", pause=stream_catches_up)

    assert batch is not None and batch.differences == ()
    assert tables.stored[0].differences == ()


def test_an_account_that_no_longer_exists_is_not_counted():
    tables = Tables()

    batch = check_message(tables.stores(), body("acme", "gone"), message_id="m1", pause=lambda _s: None)

    assert batch is not None and (batch.accounts_checked, batch.packs_checked) == (1, 1)


def test_an_account_that_cannot_be_read_fails_the_message_and_stores_nothing():
    tables = Tables()
    stores = replace(tables.stores(), calls=None)  # type: ignore[arg-type]

    with pytest.raises(AttributeError):
        check_message(stores, body("acme"), message_id="m1", pause=lambda _s: None)
    assert tables.stored == []


def test_a_malformed_message_is_dropped_without_touching_any_store():
    assert check_message(stores=None, body="{}", message_id="m1") is None  # type: ignore[arg-type]


# -- the report -----------------------------------------------------------------------------------------------

class FakeResults:
    def __init__(self, report: ReconciliationReport | None):
        self._report = report

    def report(self, day):
        return self._report


def test_before_the_job_ran_for_a_date_the_report_is_not_found():
    with pytest.raises(NoReconciliation) as refused:
        reconciliation_report(FakeResults(None), DAY)

    assert (refused.value.code, refused.value.status) == ("NOT_FOUND", 404)
    assert "2026-03-01" in refused.value.message


def test_the_report_is_what_the_results_hold():
    report = ReconciliationReport(RUN, 3, 3, 5, ())

    assert reconciliation_report(FakeResults(report), DAY) is report
