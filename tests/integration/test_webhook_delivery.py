"""Webhook deliveries on moto's copy of template.yaml, with a receiver on loopback that verifies each delivery with
the `standardwebhooks` library: crashes between an attempt's claim and its record, redelivered events and attempt
requests, slow and redirecting receivers, targets that resolve to where they must not, the disabling notice after
a crash, and secrets that never reach the logs."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.wiring import with_clients
from functions.wiring.accounts import build_account_stores
from functions.wiring.webhook_delivery import build_webhook_delivery_stores
from functions.wiring.webhook_sweep import build_webhook_sweep_stores
from functions.wiring.webhooks import build_webhook_stores
from shared import clock
from shared.accounts.models import Contacts, Locale
from shared.config import settings
from shared.refusals import InvalidField
from shared.services import accounts
from shared.services import webhooks as registration
from shared.services.webhook_delivery import LEASE, WebhookBatch, WebhookDeliveryStores
from shared.services.webhook_sender import WebhookSender
from shared.services.webhook_sweep import WebhookSweepStores, sweep
from shared.webhooks.errors import TargetNotAllowed
from shared.webhooks.models import AttemptRequest
from shared.webhooks.signing import key_of
from shared.webhooks.targets import TargetPolicy, parse_address
from tests.aws import aws_client, template_resources
from tests.integration.notifier_support import domain_event
from tests.integration.test_accounts_support import TestClock
from tests.log_capture import function_logs
from tests.webhook_receiver import Answer, WebhookReceiver

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


@dataclass
class Deployment:
    clock: TestClock
    receiver: WebhookReceiver
    webhooks: Any  # registration's stores
    delivery: WebhookDeliveryStores
    sweeping: WebhookSweepStores
    sent_events: list[str]

    def register(self, account_id: str = "acme", url: str | None = None, event_types: list[str] | None = None):
        created = registration.register(self.webhooks, account_id, url or self.receiver.url, event_types)
        self.receiver.secrets.append(created.secret)
        return created.webhook

    def deliver(self, *bodies: str) -> list[str]:
        return WebhookBatch(self.delivery, {f"m{index}": body for index, body in enumerate(bodies)}).deliver()

    def deliveries(self, webhook_id: str) -> list:
        return self.webhooks.webhooks.deliveries(webhook_id, limit=100, cursor=None).deliveries

    def sweep_and_deliver(self) -> None:
        """The sweep, then the delivery function on what it queued: the attempt requests in the webhook queue (the
        domain events moto's topic put there too are left out: each test delivers its own)."""
        sweep(self.sweeping)
        sqs, url = aws_client("sqs"), settings().webhook_queue_url
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            self.deliver(*[message["Body"] for message in messages if "webhook_attempt" in message["Body"]])
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


class RecordingEvents:
    def __init__(self, inner: Any, sent: list[str], *, fail_first: bool = False):
        self._inner, self._sent, self._fail = inner, sent, fail_first

    def publish(self, events: list) -> None:
        if self._fail:
            self._fail = False
            raise ConnectionError("the topic did not answer")
        self._sent.extend(event.event_id for event in events)
        self._inner.publish(events)


@pytest.fixture
def deployment() -> Iterator[Deployment]:
    with template_resources({"WebhookTargets": "loopback"}):
        test_clock = TestClock(NOW)
        clock.use_clock(test_clock)
        receiver = WebhookReceiver(clock=test_clock.now).start()
        clients = {"dynamodb": aws_client("dynamodb"), "sqs": aws_client("sqs"), "kms": aws_client("kms"),
                   "sns": aws_client("sns")}
        accounts.open_account(with_clients(build_account_stores, **clients)(), "acme", contacts=Contacts(),
                              locale=Locale.EN, activated_at=None)
        sent: list[str] = []
        sweeping = with_clients(build_webhook_sweep_stores, **clients)()
        try:
            yield Deployment(test_clock, receiver, with_clients(build_webhook_stores, **clients)(),
                             with_clients(build_webhook_delivery_stores, **clients)(),
                             replace(sweeping, events=RecordingEvents(sweeping.events, sent)), sent)
        finally:
            receiver.stop()
            clock.use_clock(clock.SystemClock())


def pack_delivered(event_id: str = "pack_delivered#p1") -> str:
    return domain_event("pack_delivered", "acme", event_id=event_id)


class CrashingSender:
    """Dies once in the middle of an attempt: after its claim, before anything is recorded."""

    def __init__(self, inner: WebhookSender):
        self._inner, self.crashed = inner, False

    def post(self, url: str, body: str, headers: dict[str, str]):
        if not self.crashed:
            self.crashed = True
            raise MemoryError("the process died")
        return self._inner.post(url, body, headers)


def test_an_attempt_whose_process_died_is_made_again_when_its_lease_runs_out(deployment):
    webhook = deployment.register()
    deployment.delivery = replace(deployment.delivery, sender=CrashingSender(deployment.delivery.sender))

    assert deployment.deliver(pack_delivered()) == ["m0"]  # the message is delivered again
    assert deployment.receiver.received == []
    assert deployment.deliver(pack_delivered()) == []  # the redelivered event finds the delivery started
    assert deployment.receiver.received == []
    deployment.clock.advance(seconds=LEASE.total_seconds() - 1)
    deployment.sweep_and_deliver()
    assert deployment.receiver.received == []  # its lease is still live
    deployment.clock.advance(seconds=1)
    deployment.sweep_and_deliver()

    [received] = deployment.receiver.received
    assert received.verified, received.error
    [delivery] = deployment.deliveries(webhook.webhook_id)
    assert (delivery.status.value, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)


def test_an_event_and_an_attempt_request_delivered_twice_send_once(deployment):
    webhook = deployment.register()
    deployment.receiver.answer_next(Answer(500))
    assert deployment.deliver(pack_delivered(), pack_delivered()) == []
    assert len(deployment.receiver.received) == 1
    [delivery] = deployment.deliveries(webhook.webhook_id)
    request = AttemptRequest("acme", webhook.webhook_id, delivery.delivery_id).to_json()

    assert deployment.deliver(request) == []  # not due yet: 5 s after the first attempt
    assert len(deployment.receiver.received) == 1
    deployment.clock.advance(seconds=5)
    assert deployment.deliver(request, request) == []
    received = deployment.receiver.wait_for(2)
    assert len(received) == 2 and received[0].body == received[1].body
    [delivery] = deployment.deliveries(webhook.webhook_id)
    assert (delivery.status.value, delivery.attempts) == ("delivered", 2)


def test_a_receiver_slower_than_the_timeout_fails_the_attempt(deployment):
    webhook = deployment.register()
    deployment.delivery = replace(deployment.delivery, sender=WebhookSender(TargetPolicy.LOOPBACK, timeout_s=0.3))
    deployment.receiver.answer_next(Answer(204, delay_s=1.0))

    deployment.deliver(pack_delivered())

    [delivery] = deployment.deliveries(webhook.webhook_id)
    assert (delivery.status.value, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error.startswith("no answer")
    assert delivery.next_attempt_at == NOW + timedelta(seconds=5)


def test_a_redirect_is_a_failed_attempt_and_is_never_followed(deployment):
    webhook = deployment.register()
    elsewhere = WebhookReceiver().start()
    try:
        deployment.receiver.answer_next(Answer(307, location=elsewhere.url))
        deployment.deliver(pack_delivered())
        assert elsewhere.wait_for(1, timeout_s=0.5) == []
    finally:
        elsewhere.stop()
    [delivery] = deployment.deliveries(webhook.webhook_id)
    assert (delivery.status.value, delivery.last_status_code) == ("pending", 307)


def test_a_name_that_comes_to_resolve_elsewhere_is_refused_at_delivery_without_sending(deployment):
    url = deployment.receiver.url.replace("127.0.0.1", "localhost")
    webhook = deployment.register(url=url)
    port = int(url.split(":")[2].split("/")[0])
    rebound = WebhookSender(TargetPolicy.LOOPBACK, resolve=lambda host, _: [parse_address("10.0.0.5")])
    deployment.delivery = replace(deployment.delivery, sender=rebound)

    deployment.deliver(pack_delivered())

    assert deployment.receiver.received == []
    [delivery] = deployment.deliveries(webhook.webhook_id)
    assert delivery.status.value == "pending" and delivery.last_status_code is None
    assert delivery.last_error == "not sent: localhost resolves to 10.0.0.5, not loopback (the local stack " \
                                  "delivers to loopback only)"
    assert port > 0


@pytest.fixture
def no_connection(monkeypatch) -> list[Any]:
    """Any socket connection attempted fails the test (a registration must refuse before connecting)."""
    attempts: list[Any] = []

    def refuse(self, address):
        attempts.append(address)
        raise AssertionError(f"a connection to {address} was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


PUBLIC_NAMES = {"hooks.example.com": ["93.184.216.34"], "internal.example.com": ["127.0.0.1"],
                "mixed.example.com": ["93.184.216.34", "10.1.2.3"]}


@pytest.mark.parametrize(("url", "problem"), [
    ("http://hooks.example.com/hook", "must start with https://"),
    ("https://user:pass@hooks.example.com/hook", "user or a password"),
    ("https://10.0.0.1/hook", "10.0.0.1, a private-network address"),
    ("https://169.254.169.254/latest/meta-data/", "metadata address"),
    ("https://[::1]/hook", "::1, a loopback address"),
    ("https://internal.example.com/hook", "internal.example.com resolves to 127.0.0.1, a loopback address"),
    ("https://mixed.example.com/hook", "resolves to 10.1.2.3"),
    ("https://localhost/hook", "the machine itself"),
    ("https://hooks.example.com/" + "a" * 2030, "longer than 2048"),
])
def test_in_aws_every_refused_form_is_refused_at_registration_without_a_connection(deployment, no_connection, url,
                                                                                    problem):
    resolved: list[str] = []

    def resolve(host: str, port: int):
        resolved.append(host)
        return [parse_address(address) for address in PUBLIC_NAMES[host]]

    public = replace(deployment.webhooks, policy=TargetPolicy.PUBLIC, resolve=resolve)
    with pytest.raises(TargetNotAllowed) as refused:
        registration.register(public, "acme", url, None)
    assert problem in refused.value.message
    assert no_connection == []
    assert public.webhooks.of_account("acme") == []


def test_in_aws_a_public_name_is_registered(deployment, no_connection):
    public = replace(deployment.webhooks, policy=TargetPolicy.PUBLIC,
                     resolve=lambda host, port: [parse_address(a) for a in PUBLIC_NAMES[host]])
    created = registration.register(public, "acme", "https://hooks.example.com/billing?tenant=7", ["arrears"])
    assert created.webhook.event_types == ("arrears",) and no_connection == []
    assert len(key_of(created.secret)) == 32


def test_a_deleted_webhooks_pending_delivery_fails_unsent(deployment):
    webhook = deployment.register()
    deployment.receiver.answer_next(Answer(500))
    deployment.deliver(pack_delivered())
    registration.delete(deployment.webhooks, "acme", webhook.webhook_id)
    deployment.clock.advance(seconds=5)
    deployment.sweep_and_deliver()

    assert len(deployment.receiver.received) == 1
    [delivery] = deployment.deliveries(webhook.webhook_id)
    assert (delivery.status.value, delivery.last_error) == ("failed", "not sent: the webhook was deleted")


def test_the_disabling_notice_goes_out_once_even_when_the_sweep_crashed_before_it(deployment):
    webhook = deployment.register(event_types=["pack_delivered"])
    deployment.receiver.default = Answer(500)
    deployment.deliver(pack_delivered())
    deployment.clock.advance(days=5)
    deployment.sweeping = replace(deployment.sweeping, events=RecordingEvents(
        deployment.sweeping.events._inner, deployment.sent_events, fail_first=True))

    with pytest.raises(ConnectionError):
        deployment.sweep_and_deliver()
    assert deployment.webhooks.webhooks.get("acme", webhook.webhook_id).status.value == "disabled"
    deployment.sweep_and_deliver()
    deployment.clock.advance(minutes=1)
    deployment.sweep_and_deliver()

    failing_since = "2026-03-10T12:00:00+08:00"
    assert deployment.sent_events == [f"webhook_disabled#{webhook.webhook_id}#{failing_since}"]


def test_a_webhook_that_delivers_again_is_not_disabled(deployment):
    webhook = deployment.register(event_types=["pack_delivered"])
    deployment.receiver.answer_next(Answer(500))
    deployment.deliver(pack_delivered())
    deployment.clock.advance(days=4)
    deployment.deliver(pack_delivered("pack_delivered#p2"))  # this one is delivered
    deployment.clock.advance(days=2)
    deployment.sweep_and_deliver()

    assert deployment.webhooks.webhooks.get("acme", webhook.webhook_id).status.value == "enabled"
    assert deployment.sent_events == []


def test_no_secret_reaches_the_logs(deployment):
    import functions.webhook_delivery.app  # noqa: F401 (its Logger, whose formatter the capture uses)

    buffer = io.StringIO()
    with function_logs(buffer):
        webhook = deployment.register()
        rotated = registration.rotate_secret(deployment.webhooks, "acme", webhook.webhook_id)
        deployment.receiver.answer_next(Answer(500))
        deployment.deliver(pack_delivered())
    logs = buffer.getvalue()
    assert "webhook attempt" in logs
    for secret in (*deployment.receiver.secrets, rotated.secret):
        assert secret not in logs and secret.removeprefix("whsec_") not in logs
    stored = aws_client("dynamodb").scan(TableName=settings().webhooks_table)["Items"]
    assert rotated.secret.removeprefix("whsec_") not in json.dumps(stored, default=str)


def test_the_delivery_log_comes_newest_first_a_page_at_a_time(deployment):
    webhook = deployment.register()
    for minute, event_id in enumerate(("pack_delivered#a", "pack_delivered#b", "pack_delivered#c")):
        deployment.deliver(domain_event("pack_delivered", "acme", event_id=event_id,
                                        at=f"2026-03-10T12:0{minute}:00+08:00"))
    pages = deployment.webhooks.webhooks

    first = pages.deliveries(webhook.webhook_id, limit=2, cursor=None)
    second = pages.deliveries(webhook.webhook_id, limit=2, cursor=first.next_cursor)

    assert [delivery.event_id for delivery in first.deliveries] == ["pack_delivered#c", "pack_delivered#b"]
    assert [delivery.event_id for delivery in second.deliveries] == ["pack_delivered#a"]
    assert second.next_cursor is None
    with pytest.raises(InvalidField):
        pages.deliveries(webhook.webhook_id, limit=2, cursor="not-a-cursor")


class RecordingQueue:
    def __init__(self, inner: Any):
        self._inner, self.sent = inner, []

    def send(self, messages: list, *, delays: list[int] | None = None) -> None:
        self.sent += list(zip([json.loads(message.to_json()) for message in messages], delays or [], strict=False))
        self._inner.send(messages, delays=delays)


def test_the_5_second_retry_is_queued_by_its_attempt_and_later_ones_by_the_sweep_ahead_of_time(deployment):
    webhook = deployment.register()
    attempts_queue = RecordingQueue(deployment.delivery.attempts)
    deployment.delivery = replace(deployment.delivery, attempts=attempts_queue)
    sweep_queue = RecordingQueue(deployment.sweeping.attempts)
    deployment.sweeping = replace(deployment.sweeping, attempts=sweep_queue)
    deployment.receiver.default = Answer(500)

    deployment.deliver(pack_delivered())
    [delivery] = deployment.deliveries(webhook.webhook_id)
    request = {"webhook_attempt": {"account_id": "acme", "webhook_id": webhook.webhook_id,
                                   "delivery_id": delivery.delivery_id, "manual": False}}
    assert attempts_queue.sent == [(request, 5)]  # a sweep a minute away would be 55 s late

    deployment.clock.advance(seconds=5)
    deployment.deliver(json.dumps(request))  # the delayed request arrives: attempt 2, the next due in 5 minutes
    assert attempts_queue.sent == [(request, 5)]  # a sweep will see that one
    deployment.clock.advance(minutes=4, seconds=30)
    sweep(deployment.sweeping)
    assert sweep_queue.sent == [(request, 30)]  # queued by the sweep before it, to arrive at its instant
