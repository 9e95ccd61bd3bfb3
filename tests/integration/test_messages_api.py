"""GET /v1/accounts/{account_id}/messages through the API function, with the notices the notifier stored
from the domain events the template's subscription put on its queue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.wiring import with_clients
from functions.wiring.notices import build_notice_delivery_stores
from tests.aws import aws_client
from tests.integration.notifier_support import FakeContext, domain_event, sqs_batch
from tests.integration.test_accounts_support import billing_api

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def api(monkeypatch):
    with billing_api(NOW) as api:
        import functions.notifier.app as notifier_app

        monkeypatch.setattr(notifier_app, "notice_delivery_stores", with_clients(
            build_notice_delivery_stores, dynamodb=aws_client("dynamodb"), sms=aws_client("sns"),
            ses=aws_client("ses")))
        api.notify = lambda *bodies: notifier_app.handler(sqs_batch(*bodies), FakeContext())
        yield api


def _drain_notifier_queue(api) -> int:
    """Deliver what the domain-event topic put on the notifier queue, as Lambda's poller would."""
    sqs = aws_client("sqs")
    queue_url = sqs.get_queue_url(QueueName="NotifierQueue")["QueueUrl"]
    delivered = 0
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        assert api.notify(*(message["Body"] for message in messages))["batchItemFailures"] == []
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        delivered += len(messages)
    return delivered


def test_an_account_opened_through_the_api_finds_its_free_quota_notice_in_its_inbox(api):
    api.open_account("acme", locale="en", contacts={"email": "ops@acme.example"})

    delivered = _drain_notifier_queue(api)
    status, body = api.get("/v1/accounts/acme/messages")

    assert delivered == 1
    assert status == 200
    (message,) = body["messages"]
    assert (message["type"], message["title"]) == ("free_quota_granted", "Free quota granted")
    assert message["message_id"] == "free_quota_granted#acme#activation"
    assert message["at"].endswith("+08:00") and body["next_cursor"] is None


def test_messages_come_newest_first_a_page_at_a_time(api):
    api.open_account("acme")
    days = ["2026-03-05", "2026-03-01", "2026-03-04", "2026-03-02", "2026-03-03"]
    api.notify(*(domain_event("daily_report", "acme", event_id=f"daily_report#acme#{day}",
                              at=f"{day}T00:00:00+08:00", detail={"date": day}) for day in days))

    pages, cursor = [], None
    while True:
        status, body = api.get("/v1/accounts/acme/messages", limit="2", **({"cursor": cursor} if cursor else {}))
        assert status == 200, body
        pages.append([message["at"][:10] for message in body["messages"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == [["2026-03-05", "2026-03-04"], ["2026-03-03", "2026-03-02"], ["2026-03-01"]]


def test_the_messages_of_an_unknown_account_are_404(api):
    status, body = api.get("/v1/accounts/nobody-here/messages")

    assert status == 404 and body["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("query", [{"cursor": "not-a-cursor"}, {"limit": "0"}, {"limit": "101"}])
def test_a_bad_cursor_or_limit_is_a_validation_error(api, query):
    api.open_account("acme")

    status, body = api.get("/v1/accounts/acme/messages", **query)

    assert status == 400 and body["error"]["code"] == "VALIDATION_ERROR"
