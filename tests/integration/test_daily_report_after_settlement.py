"""The daily report of a day quotes the bill that night's settlement writes for it, whichever of the two jobs of
00:00 runs first (in AWS both fire at 00:00, in no set order): the pack-lifecycle run leaves a daily subscriber's
yesterday that awaits its bill to the settlement, which sends the report after its commit, as part of the
after-commit work it repeats while the account's marker is there. Run through the template's functions on moto:
the lifecycle handler, the settlement dispatcher and worker over the settlement queue, and the notifier over its
queue, whose in-site messages the API answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from functions.wiring import with_clients
from functions.wiring.notices import build_notice_delivery_stores
from shared.store.events import EventPublisher
from tests.aws import aws_client
from tests.integration.notifier_support import FakeContext as NotifierContext
from tests.integration.notifier_support import sqs_batch
from tests.integration.test_accounts_support import FakeContext
from tests.integration.test_settlement_support import TAG, Settlement, settlement_system
from tests.support import load_event

DAY = date(2026, 3, 1)
MIDNIGHT = "2026-03-02T00:00:00+08:00"  # the 00:00 that closes DAY: both jobs fire at it
NEXT_MIDNIGHT = "2026-03-03T00:00:00+08:00"
DAILY = "2025-06-01T09:00:00+08:00"  # settles daily; its free packs (100 calls of each tag) are still valid
MONTHLY = "2022-06-01T09:00:00+08:00"  # before 2023-01-04: settles monthly; its free packs have expired
REPORT_ID = f"daily_report#acme#{DAY.isoformat()}"


@pytest.fixture
def system(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settlement]:
    with settlement_system(datetime.fromisoformat("2026-03-01T10:00:00+08:00")) as system:
        import functions.notifier.app as notifier_app

        monkeypatch.setattr(notifier_app, "notice_delivery_stores", with_clients(
            build_notice_delivery_stores, dynamodb=aws_client("dynamodb"), sms=aws_client("sns"),
            ses=aws_client("ses")))
        yield system


def subscriber(system: Settlement, activated_at: str = DAILY) -> None:
    """acme subscribes to the daily report and made 150 billable calls on DAY: 100 from its free pack (if it
    still has one) and the rest postpaid at 1.20."""
    system.open_account("acme", activated_at=activated_at, locale="en",
                        contacts={"email": "ops@acme.example", "phone": "+14155550100"})
    system.recharge("acme", "1000.00")
    assert system.api.patch("/v1/accounts/acme", {"daily_report": True})[0] == 200
    system.add_billable("acme", DAY, 150)
    system.api.events()


def pack_lifecycle(at: str) -> dict[str, Any]:
    from functions.pack_lifecycle.app import handler

    return handler({**load_event("pack_lifecycle_schedule.json"), "scheduled_at": at}, FakeContext())


def reports(system: Settlement) -> list[dict[str, Any]]:
    """The daily_report events published since the last look."""
    return [event for event in system.api.events() if event["event_type"] == "daily_report"]


def notify() -> None:
    """What the domain-event topic put on the notifier queue, through the notifier, as Lambda's poller would."""
    import functions.notifier.app as notifier_app

    sqs = aws_client("sqs")
    queue_url = sqs.get_queue_url(QueueName="NotifierQueue")["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        answer = notifier_app.handler(sqs_batch(*(message["Body"] for message in messages)), NotifierContext())
        assert answer["batchItemFailures"] == []
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def report_messages(system: Settlement) -> list[dict[str, Any]]:
    """acme's in-site daily reports, as GET .../messages answers them."""
    notify()
    status, body = system.api.get("/v1/accounts/acme/messages", limit="100")
    assert status == 200, body
    return [message for message in body["messages"] if message["type"] == "daily_report"]


def bill_total(system: Settlement, day: date) -> str:
    [bill] = [bill for bill in system.bills("acme") if bill["period_start"] == day.isoformat()]
    return f"{bill['total_amount']:.2f}"


def test_the_lifecycle_run_first_leaves_the_report_to_the_settlement_which_sends_it_with_the_days_charges(system):
    subscriber(system)

    answer = pack_lifecycle(MIDNIGHT)
    before_the_settlement = reports(system)
    system.run("daily-settlement", MIDNIGHT)
    [report] = reports(system)

    assert (answer["daily_reports"], before_the_settlement) == (0, [])
    assert bill_total(system, DAY) == "60.00"  # 50 calls postpaid
    assert (report["event_id"], report["at"]) == (REPORT_ID, MIDNIGHT)
    assert (report["detail"]["settled"], report["detail"]["charges"]) == (True, "60.00")
    assert (report["detail"]["calls"], report["detail"]["billable_calls"]) == (150, 150)
    assert all(pack["billing_tag"] != TAG for pack in report["detail"]["packs_left"])  # its free pack used up
    [message] = report_messages(system)
    assert "Charges: CNY 60.00" in message["text"]


def test_the_settlement_first_sends_the_report_and_the_lifecycle_run_after_it_repeats_the_same_event(system):
    subscriber(system)

    system.run("daily-settlement", MIDNIGHT)
    by_the_settlement = reports(system)
    answer = pack_lifecycle(MIDNIGHT)
    by_the_lifecycle = reports(system)

    assert answer["daily_reports"] == 1
    assert by_the_settlement == by_the_lifecycle  # the same event id, with the same body: consumers dedupe
    assert [(event["event_id"], event["detail"]["charges"]) for event in by_the_settlement] == [(REPORT_ID, "60.00")]
    [message] = report_messages(system)
    assert "Charges: CNY 60.00" in message["text"]


def unreachable_topic(self: EventPublisher, events: list) -> None:
    raise ConnectionError("SNS unreachable")


def test_a_crash_between_the_commit_and_its_after_commit_work_still_sends_the_report_once(system, monkeypatch):
    subscriber(system)
    pack_lifecycle(MIDNIGHT)

    with monkeypatch.context() as patch:
        patch.setattr(EventPublisher, "publish", unreachable_topic)
        system.run("daily-settlement", MIDNIGHT)
    failed, committed = list(system.failed), system.account("acme")
    system.redeliver_failed()

    assert failed and committed["pending_settlement"] == f"period#{DAY.isoformat()}"  # billed, not finished
    [report] = reports(system)
    assert (report["event_id"], report["detail"]["charges"]) == (REPORT_ID, "60.00")
    assert "pending_settlement" not in system.account("acme")
    [message] = report_messages(system)
    assert "Charges: CNY 60.00" in message["text"]


def test_a_settlement_finished_by_the_next_nights_run_still_sends_its_nights_report(system, monkeypatch):
    subscriber(system)
    pack_lifecycle(MIDNIGHT)
    with monkeypatch.context() as patch:
        patch.setattr(EventPublisher, "publish", unreachable_topic)
        system.run("daily-settlement", MIDNIGHT)  # its message keeps failing that night

    pack_lifecycle(NEXT_MIDNIGHT)
    system.run("daily-settlement", NEXT_MIDNIGHT)

    by_day = {event["detail"]["date"]: event for event in reports(system)}
    assert by_day[DAY.isoformat()]["detail"]["charges"] == "60.00"
    assert by_day[DAY.isoformat()]["at"] == MIDNIGHT  # as that night's settlement would have sent it
    assert by_day["2026-03-02"]["detail"]["charges"] == "0.00"  # no calls the next day: the lifecycle run's
    assert len(report_messages(system)) == 2


def test_a_monthly_subscriber_is_reported_by_the_lifecycle_run_with_its_charges_to_come(system):
    subscriber(system, activated_at=MONTHLY)

    pack_lifecycle(MIDNIGHT)
    system.run("daily-settlement", MIDNIGHT)

    [report] = reports(system)
    assert (report["event_id"], report["detail"]["settled"], report["detail"]["charges"]) == (REPORT_ID, False, None)
    assert system.bills("acme") == []
    [message] = report_messages(system)
    assert "Charges: not settled yet" in message["text"]
