"""Webhooks through the local stack, as a customer's system meets them: a receiver on loopback verifies every
delivery with the Standard Webhooks library (`standardwebhooks`), against the local clock. Other tests share the
stack, so each test reads the clock and moves it only forward."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from infra.local.stack import LocalStack
from tests.support import HttpClient
from tests.webhook_receiver import Answer, WebhookReceiver

TAG = "phone_2e"  # 1,000 calls for 380.00
RETRY_OFFSETS_S = [0, 5, 305, 2105, 9305, 27305, 63305, 99305]  # each attempt after the first, API.md's delays summed


def at_scheduled_times(attempts, first) -> bool:
    """Each attempt at its due instant on the local clock: webhook-timestamp is whole seconds, and an attempt is made
    milliseconds after the clock reaches its due instant, so an offset may read one second more."""
    offsets = [int((item.timestamp - first.timestamp).total_seconds()) for item in attempts]
    expected = RETRY_OFFSETS_S[:len(attempts)]
    if len(offsets) != len(expected):
        return False
    return all(0 <= got - want <= 1 for got, want in zip(offsets, expected, strict=True))


def ok(answer):
    assert answer.status in (200, 201, 202, 204), answer.body
    return answer.json() if answer.body else None


def now(operator: HttpClient) -> datetime:
    return datetime.fromisoformat(ok(operator.get("/_local/clock"))["now"])


def move(operator: HttpClient, to: datetime, *, fire: bool = True) -> list[dict]:
    return ok(operator.post("/_local/clock", {"now": to.isoformat(), "fire": fire}))["runs"]


def open_account(operator: HttpClient, account_id: str, money: str = "1000.00") -> None:
    OPENED.append(account_id)
    ok(operator.post("/v1/accounts", {"account_id": account_id, "locale": "en",
                                      "contacts": {"email": f"ops@{account_id}.example"}}))
    ok(operator.post(f"/v1/accounts/{account_id}/recharges", {"recharge_id": f"{account_id}-r1", "wallet": "cash",
                                                              "amount": money}))


def register(client: HttpClient, account_id: str, receiver: WebhookReceiver, **body) -> dict:
    answer = client.post(f"/v1/accounts/{account_id}/webhooks", {"url": receiver.url, **body})
    assert answer.status == 201, answer.body
    created = answer.json()
    receiver.secrets.append(created["secret"])
    return created


def buy(operator: HttpClient, account_id: str, purchase_id: str) -> dict:
    return ok(operator.post(f"/v1/accounts/{account_id}/packs", {"purchase_id": purchase_id, "billing_tag": TAG,
                                                                 "size": 1000}))["packs"][0]


def deliveries(client: HttpClient, account_id: str, webhook_id: str) -> list[dict]:
    return ok(client.get(f"/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries"))["deliveries"]


OPENED: list[str] = []  # the accounts a test opened, whose webhooks it leaves behind


@pytest.fixture
def receiver(local_stack: LocalStack, operator: HttpClient) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(clock=local_stack.clock.now).start()
    yield receiver
    receiver.stop()
    # The stack is shared: a webhook left to a stopped receiver would fail and be retried through every later
    # test's clock moves.
    while OPENED:
        account_id = OPENED.pop()
        for webhook in ok(operator.get(f"/v1/accounts/{account_id}/webhooks"))["webhooks"]:
            operator.request("DELETE", f"/v1/accounts/{account_id}/webhooks/{webhook['webhook_id']}")


def test_a_bought_pack_reaches_the_receiver_signed_once_and_the_deliveries_show_it(operator, receiver):
    open_account(operator, "wh-buyer")
    key = ok(operator.post("/v1/accounts/wh-buyer/keys"))["api_key"]
    customer = operator.with_key(key)
    webhook = register(customer, "wh-buyer", receiver, event_types=["pack_delivered"])
    assert webhook["status"] == "enabled" and webhook["event_types"] == ["pack_delivered"]
    assert webhook["secret"].startswith("whsec_")

    pack = buy(operator, "wh-buyer", "wh-buyer-p1")
    [received] = receiver.wait_for(1, account_id="wh-buyer")
    assert received.verified, received.error
    assert received.payload["type"] == "pack_delivered" and received.payload["account_id"] == "wh-buyer"
    assert set(received.payload) == {"event_id", "type", "account_id", "at", "data"}
    assert received.payload["event_id"] == received.webhook_id
    assert pack["pack_id"] in received.body.decode()
    [delivery] = deliveries(customer, "wh-buyer", webhook["webhook_id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"], delivery["next_attempt_at"]) == (
        "delivered", 1, 204, None)
    assert delivery["event_id"] == received.webhook_id and delivery["type"] == "pack_delivered"

    # The listing shows no secret; the same purchase retried delivers nothing more.
    [listed] = ok(customer.get("/v1/accounts/wh-buyer/webhooks"))["webhooks"]
    assert "secret" not in listed and listed["webhook_id"] == webhook["webhook_id"]
    buy(operator, "wh-buyer", "wh-buyer-p1")
    assert len(receiver.wait_for(2, timeout_s=1, account_id="wh-buyer")) == 1


def test_a_receiver_that_fails_twice_gets_the_third_attempt_at_the_scheduled_times(operator, receiver):
    open_account(operator, "wh-flaky")
    webhook = register(operator, "wh-flaky", receiver)
    receiver.answer_next(Answer(500), Answer(503))
    buy(operator, "wh-flaky", "wh-flaky-p1")
    first = receiver.wait_for(1, account_id="wh-flaky")[0]
    move(operator, now(operator) + timedelta(minutes=6))
    attempts = [item for item in receiver.wait_for(3, account_id="wh-flaky")
                if item.payload["type"] == "pack_delivered"]

    assert [item.status for item in attempts] == [500, 503, 204]
    assert all(item.verified for item in attempts), [item.error for item in attempts]
    assert {item.webhook_id for item in attempts} == {first.webhook_id}
    assert {item.body for item in attempts} == {first.body}
    assert at_scheduled_times(attempts, first), [item.timestamp for item in attempts]
    [delivery] = [item for item in deliveries(operator, "wh-flaky", webhook["webhook_id"])
                  if item["event_id"] == first.webhook_id]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("delivered", 3, 204)


def test_a_receiver_that_never_succeeds_fails_the_delivery_and_is_disabled_after_5_days(operator, receiver):
    open_account(operator, "wh-dead")
    webhook = register(operator, "wh-dead", receiver, event_types=["pack_delivered"])
    receiver.default = Answer(500)
    buy(operator, "wh-dead", "wh-dead-p1")
    first = receiver.wait_for(1, account_id="wh-dead")[0]
    started = first.timestamp
    move(operator, now(operator) + timedelta(hours=28))

    attempts = receiver.wait_for(8, account_id="wh-dead")
    assert len(attempts) == 8 and at_scheduled_times(attempts, first), [item.timestamp for item in attempts]
    [delivery] = deliveries(operator, "wh-dead", webhook["webhook_id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"], delivery["next_attempt_at"]) == (
        "failed", 8, 500, None)
    assert ok(operator.get("/v1/accounts/wh-dead/webhooks"))["webhooks"][0]["status"] == "enabled"

    # Five days on (without firing the other schedules of the days between, which cost the shared stack a minute
    # and prove nothing here): the sweep, at the instant the webhook falls due, disables it.
    just_before = started + timedelta(days=5) - timedelta(seconds=1)
    move(operator, just_before, fire=False)
    assert ok(operator.post("/_local/jobs/webhook-sweep"))["ok"]
    assert ok(operator.get("/v1/accounts/wh-dead/webhooks"))["webhooks"][0]["status"] == "enabled"
    runs = move(operator, started + timedelta(days=5, seconds=1))
    assert "webhook-sweep" in [run["job"] for run in runs]
    assert ok(operator.get("/v1/accounts/wh-dead/webhooks"))["webhooks"][0]["status"] == "disabled"
    messages = ok(operator.get("/v1/accounts/wh-dead/messages?limit=100"))["messages"]
    assert [message["type"] for message in messages].count("webhook_disabled") == 1
    sent = [message for message in ok(operator.get("/_local/outbox"))["messages"]
            if message["account_id"] == "wh-dead" and message["type"] == "webhook_disabled"]
    assert [message["channel"] for message in sent] == ["email"]

    # Disabled, it gets nothing more.
    buy(operator, "wh-dead", "wh-dead-p2")
    assert len(receiver.wait_for(9, timeout_s=1, account_id="wh-dead")) == 8


def test_a_rotated_secret_signs_beside_the_old_one_for_24_hours(operator, receiver):
    open_account(operator, "wh-rotate")
    webhook = register(operator, "wh-rotate", receiver, event_types=["pack_delivered"])
    old_secret = receiver.secrets[0]
    rotated = ok(operator.post(f"/v1/accounts/wh-rotate/webhooks/{webhook['webhook_id']}/secret"))
    assert rotated["webhook_id"] == webhook["webhook_id"] and rotated["secret"] not in (old_secret, None)

    buy(operator, "wh-rotate", "wh-rotate-p1")
    [during] = receiver.wait_for(1, account_id="wh-rotate")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert receiver.verify(during.headers, during.body) is None  # the old secret alone still verifies
    receiver.secrets = [rotated["secret"]]
    assert receiver.verify(during.headers, during.body) is None

    move(operator, now(operator) + timedelta(hours=24, minutes=1), fire=False)
    buy(operator, "wh-rotate", "wh-rotate-p2")
    after = receiver.wait_for(2, account_id="wh-rotate")[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1 and after.verified
    receiver.secrets = [old_secret]
    assert receiver.verify(after.headers, after.body) is not None


def test_a_manual_retry_makes_one_more_attempt_whatever_the_status(operator, receiver):
    open_account(operator, "wh-retry")
    webhook = register(operator, "wh-retry", receiver, event_types=["pack_delivered"])
    buy(operator, "wh-retry", "wh-retry-p1")
    [delivery] = deliveries(operator, "wh-retry", webhook["webhook_id"])
    assert delivery["status"] == "delivered"
    path = f"/v1/accounts/wh-retry/webhooks/{webhook['webhook_id']}/deliveries/{delivery['delivery_id']}/retry"
    answer = operator.post(path)
    assert answer.status == 202, answer.body
    received = receiver.wait_for(2, account_id="wh-retry")
    assert len(received) == 2 and received[0].body == received[1].body
    [again] = deliveries(operator, "wh-retry", webhook["webhook_id"])
    assert (again["status"], again["attempts"]) == ("delivered", 2)
    missing = operator.post(path.replace(delivery["delivery_id"], "dlv_" + "0" * 25))
    assert missing.status == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


def test_at_most_ten_webhooks_and_a_deleted_one_frees_its_place(operator, receiver):
    open_account(operator, "wh-many")
    created = [register(operator, "wh-many", receiver) for _ in range(10)]
    refused = operator.post("/v1/accounts/wh-many/webhooks", {"url": receiver.url})
    assert refused.status == 409 and refused.json()["error"]["code"] == "TOO_MANY_WEBHOOKS"
    deleted = operator.request("DELETE", f"/v1/accounts/wh-many/webhooks/{created[0]['webhook_id']}")
    assert deleted.status == 204
    again = operator.request("DELETE", f"/v1/accounts/wh-many/webhooks/{created[0]['webhook_id']}")
    assert again.status == 404
    register(operator, "wh-many", receiver)
    assert len(ok(operator.get("/v1/accounts/wh-many/webhooks"))["webhooks"]) == 10


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data/", "https://example.com/hook",
    "http://user:pass@127.0.0.1:8080/hook", "ftp://127.0.0.1/hook", "http://127.0.0.1:8080/" + "a" * 2048,
])
def test_the_local_stack_refuses_every_target_but_loopback(operator, url):
    if operator.get("/v1/accounts/wh-refused").status == 404:
        open_account(operator, "wh-refused")
    answer = operator.post("/v1/accounts/wh-refused/webhooks", {"url": url})
    assert answer.status == 400 and answer.json()["error"]["code"] == "VALIDATION_ERROR", answer.body


def test_another_accounts_key_may_not_touch_the_webhooks(operator, receiver):
    open_account(operator, "wh-owner")
    open_account(operator, "wh-stranger")
    webhook = register(operator, "wh-owner", receiver)
    stranger = operator.with_key(ok(operator.post("/v1/accounts/wh-stranger/keys"))["api_key"])
    assert stranger.get("/v1/accounts/wh-owner/webhooks").status == 403
    assert stranger.request("DELETE", f"/v1/accounts/wh-owner/webhooks/{webhook['webhook_id']}").status == 403


def test_the_sweep_is_listed_as_fired_when_due(operator):
    jobs = {job["job"]: job for job in ok(operator.get("/_local/jobs"))["jobs"]}
    assert jobs["webhook-sweep"] == {"job": "webhook-sweep", "function": "WebhookSweepFunction",
                                     "schedule": "rate(1 minute)", "timezone": "UTC", "fires_when_due": "ByDueTime"}
    assert "fires_when_due" not in jobs["arrears-check"]
