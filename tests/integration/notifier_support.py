"""What the notifier tests share: the handler on moto's copy of template.yaml, its SNS and SES clients
wrapped so a test sees what they sent and can make the next sends fail, and SQS batches of domain events
shaped as the notifier queue delivers them (raw SNS delivery)."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from typing import Any

from functions.wiring import with_clients
from functions.wiring.notices import build_notice_delivery_stores
from shared import clock
from shared.config import settings
from shared.store.codec import from_attributes, to_attributes
from shared.store.notices import INBOX_INDEX
from tests.aws import aws_client
from tests.integration.test_accounts_support import TestClock
from tests.support import load_event

DETAILS: dict[str, Any] = load_event("domain_events.json")
EVENT_TYPES = sorted(DETAILS)


class FakeContext:
    function_name = "NotifierFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:NotifierFunction"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


def domain_event(event_type: str, account_id: str, *, detail: Any = None, event_id: str | None = None,
                 at: str = "2026-03-10T12:00:00+08:00") -> str:
    """A domain event's JSON, as shared.events.DomainEvent.to_json writes it (the sample detail by default)."""
    return json.dumps({
        "event_id": event_id or f"{event_type}#{account_id}#1", "event_type": event_type, "account_id": account_id,
        "at": at, "detail": DETAILS.get(event_type, {}) if detail is None else detail,
    }, ensure_ascii=False)


def sqs_batch(*bodies: str) -> dict[str, Any]:
    """The notifier queue's batch of these bodies; message ids m0, m1, ..."""
    template = load_event("notifier_sqs.json")["Records"][0]
    records = []
    for index, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record.update(messageId=f"m{index}", body=body)
        records.append(record)
    return {"Records": records}


@dataclass
class SendingClient:
    """A moto client whose `operation` calls are recorded when they succeed, or fail as a test asked."""

    client: Any
    operation: str
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, BaseException]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the notifier sends from several threads

    def fail_once(self, error: BaseException, *, notice_type: str) -> None:
        """The next send of this notice type raises `error` instead."""
        self.failures.append((notice_type, error))

    def __getattr__(self, name: str) -> Any:
        if name != self.operation:
            return getattr(self.client, name)

        def call(**request: Any) -> Any:
            with self._lock:
                failure = next((f for f in self.failures if f[0] in _notice_type_of(request)), None)
                if failure is not None:
                    self.failures.remove(failure)
            if failure is not None:
                raise failure[1]
            answer = getattr(self.client, name)(**request)
            with self._lock:
                self.sent.append(request)
            return answer

        return call


def _notice_type_of(request: dict[str, Any]) -> str:
    if "RawMessage" in request:
        return str(message_from_bytes(request["RawMessage"]["Data"], policy=policy.default)["X-Billing-Notice-Type"])
    return request["MessageAttributes"]["notice_type"]["StringValue"]


@dataclass(frozen=True)
class SentEmail:
    to: str
    subject: str
    body: str
    account_id: str
    notice_type: str


@dataclass
class Notifier:
    app: Any
    sms: SendingClient
    ses: SendingClient
    clock: TestClock

    def deliver(self, *bodies: str) -> list[str]:
        """One invocation with these messages; the ids of the messages reported for another delivery."""
        answer = self.app.handler(sqs_batch(*bodies), FakeContext())
        return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]

    def texts(self) -> list[dict[str, str]]:
        """The SMS sent: {"phone", "text", "account_id", "notice_type"}."""
        return [{"phone": sent["PhoneNumber"], "text": sent["Message"],
                 "account_id": sent["MessageAttributes"]["account_id"]["StringValue"],
                 "notice_type": sent["MessageAttributes"]["notice_type"]["StringValue"]} for sent in self.sms.sent]

    def emails(self) -> list[SentEmail]:
        emails = []
        for sent in self.ses.sent:
            message = message_from_bytes(sent["RawMessage"]["Data"], policy=policy.default)
            emails.append(SentEmail(to=sent["Destinations"][0], subject=str(message["Subject"]),
                                    body=message.get_body(preferencelist=("plain",)).get_content(),
                                    account_id=str(message["X-Billing-Account-Id"]),
                                    notice_type=str(message["X-Billing-Notice-Type"])))
        return emails

    def inbox(self, account_id: str) -> list[dict[str, Any]]:
        """The account's in-site messages, newest first, as the Inbox index holds them."""
        answer = aws_client("dynamodb").query(
            TableName=settings().messages_table, IndexName=INBOX_INDEX, ScanIndexForward=False,
            KeyConditionExpression="account_id = :a", ExpressionAttributeValues=to_attributes({":a": account_id}))
        return [from_attributes(item) for item in answer["Items"]]

    def notice_record(self, account_id: str, event_id: str) -> dict[str, Any]:
        item = aws_client("dynamodb").get_item(
            TableName=settings().messages_table,
            Key=to_attributes({"account_id": account_id, "message_key": f"notice#{event_id}"}))["Item"]
        return from_attributes(item)


def create_account(account_id: str, *, locale: str = "zh-CN", email: str | None = None,
                   phone: str | None = None) -> None:
    """An account as the Accounts table holds it (only what notices read matters here)."""
    aws_client("dynamodb").put_item(
        TableName=settings().accounts_table,
        Item=to_attributes({"account_id": account_id, "locale": locale, "status": "active",
                            "contacts": {"email": email, "phone": phone}}))


@contextmanager
def notifier_on_moto(monkeypatch: Any, at: datetime) -> Iterator[Notifier]:
    """The notifier handler on moto's copy of the template, its clients recorded, the clock standing at `at`."""
    from tests.aws import aws_client, template_resources

    with template_resources():
        import functions.notifier.app as app

        sms = SendingClient(aws_client("sns"), "publish")
        ses = SendingClient(aws_client("ses"), "send_raw_email")
        monkeypatch.setattr(app, "notice_delivery_stores", with_clients(
            build_notice_delivery_stores, dynamodb=aws_client("dynamodb"), sms=sms, ses=ses))
        test_clock = TestClock(at)
        clock.use_clock(test_clock)
        try:
            yield Notifier(app, sms, ses, test_clock)
        finally:
            clock.use_clock(clock.SystemClock())
