"""A settlement run's progress and its SettlementRunCompleted metric, through the template's functions on moto:
the metric the "daily settlement not finished by 01:00" alarm watches must come exactly once a run, and only
once every account the run found due is settled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.config import settings
from shared.pricing import SettlementCycle
from shared.store.settlement_runs import SettlementRuns
from tests.aws import aws_client
from tests.emitted_metrics import emitted, metrics_on
from tests.integration.test_ingest_support import FakeContext
from tests.integration.test_settlement_runs import AFTER_D1, D1, at, funded_account
from tests.integration.test_settlement_support import Settlement, dispatcher_app, settlement_system
from tests.support import load_event

RUN_AT = datetime(2026, 3, 1, 16, tzinfo=UTC)  # 2026-03-02 00:00 in Shanghai


@pytest.fixture(autouse=True)
def one_account_a_message(monkeypatch):
    monkeypatch.setattr("shared.settlement.queue.ACCOUNTS_PER_MESSAGE", 1)
    metrics_on(monkeypatch)


def completions(stdout: str) -> list[dict[str, str]]:
    return [metric.dimensions for metric in emitted(stdout) if metric.name == "SettlementRunCompleted"]


def progress(system: Settlement) -> dict:
    return SettlementRuns(system.client, settings().books_table).progress(SettlementCycle.DAILY, RUN_AT)


def accounts_due(system: Settlement, *account_ids: str) -> None:
    for account_id in account_ids:
        funded_account(system, account_id)
        system.add_billable(account_id, D1, 2)


def dispatch(system: Settlement) -> dict:
    event = load_event("settlement_schedule.json")
    event.update(scheduled_at="2026-03-01T16:00:00Z")
    return dispatcher_app.handler(event, FakeContext())


def test_the_worker_that_settles_the_runs_last_message_emits_the_completion_once(capsys):
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        accounts_due(system, "a1", "a2", "a3")
        capsys.readouterr()

        summary = system.run("daily-settlement", AFTER_D1)
        stdout = capsys.readouterr().out

        assert (summary["messages"], summary["completed"]) == (3, False)
        assert completions(stdout) == [{"service": "faceid-billing", "cycle": "daily"}]
        run = progress(system)
        assert (run["messages"], run["accounts"], run["settled_batches"]) == (3, 3, {1, 2, 3})
        assert run["completed_at"] >= run["started_at"]


def test_a_redelivered_last_message_does_not_complete_the_run_again(capsys):
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        accounts_due(system, "a1")
        dispatch(system)
        sqs, url = aws_client("sqs"), settings().settlement_queue_url
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        sqs.send_message(QueueUrl=url, MessageBody=message["Body"])  # SQS delivers at least once
        capsys.readouterr()

        system.drain_queue()

        assert len(completions(capsys.readouterr().out)) == 1


def test_a_run_with_nothing_due_is_complete_when_dispatched(capsys):
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        capsys.readouterr()

        summary = dispatch(system)

        assert (summary["messages"], summary["completed"]) == (0, True)
        assert completions(capsys.readouterr().out) == [{"service": "faceid-billing", "cycle": "daily"}]
        assert "completed_at" in progress(system)


def test_messages_of_an_earlier_dispatch_do_not_count_for_a_later_one(capsys):
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        accounts_due(system, "a1", "a2")
        first = [message["Body"] for message in _sent_by(dispatch, system)]
        capsys.readouterr()

        dispatch(system)  # the schedule fired again (a retry, an operator's rerun)
        for body in first:
            aws_client("sqs").send_message(QueueUrl=settings().settlement_queue_url, MessageBody=body)
        system.drain_queue()

        assert len(completions(capsys.readouterr().out)) == 1
        assert progress(system)["settled_batches"] == {1, 2}


def test_a_message_with_a_failed_account_keeps_the_run_open_until_it_is_settled(monkeypatch, capsys):
    from shared.services import settlement as service

    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        accounts_due(system, "fine", "flaky")
        real = service.plan_settlements

        def fails_for_flaky(account, *args, **kwargs):
            if account.account_id == "flaky":
                raise RuntimeError("DynamoDB down")
            return real(account, *args, **kwargs)

        monkeypatch.setattr(service, "plan_settlements", fails_for_flaky)
        capsys.readouterr()
        system.run("daily-settlement", AFTER_D1)
        open_run = progress(system)
        assert completions(capsys.readouterr().out) == []
        monkeypatch.setattr(service, "plan_settlements", real)

        system.redeliver_failed()

        assert (open_run["settled_batches"], "completed_at" in open_run) == ({1}, False)
        assert len(completions(capsys.readouterr().out)) == 1


def _sent_by(run_dispatch, system: Settlement) -> list[dict]:
    """Dispatch, then take what it sent off the queue."""
    run_dispatch(system)
    sqs, url = aws_client("sqs"), settings().settlement_queue_url
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages
