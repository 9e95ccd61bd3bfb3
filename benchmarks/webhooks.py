"""Webhook deliveries: a burst of 1,000 domain events to a receiver on loopback, through the local stack's webhook
delivery function.

results.json: {"webhooks": {"events_1000_s": t, "errors": n}}

The local stack runs in this process, as `make run` starts it. 100 accounts each register one webhook (every event
type) to one receiver, which verifies every delivery with the `standardwebhooks` library and answers 204. The
events (10 an account, every type) go to the webhook queue as the topic delivers them (raw), a wave at a time, and
the stack's poller feeds the delivery function 10 messages at a time (one instance, where Lambda would run up to
the template's MaximumConcurrency of 10).

- events_1000_s: from the first event sent to the queue drained: each event is a Query of the account's webhooks,
  the delivery's conditional put, its secret decrypted (KMS), the signed POST and the attempt's record.
- errors: deliveries missing, repeated, unverified or not recorded as delivered, plus messages left on the queue
  or dead-lettered. Any error fails the section.

run(quick=True) (`make bench QUICK=1`) sends 100 events to 10 accounts, reported as events_100_s.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from benchmarks._isolation import isolated
from benchmarks.notify import DETAILS, REPO_ROOT, WAVE, _queue_depth

SECTION = "webhooks"
EVENTS = 1_000
QUICK_EVENTS = 100
EVENTS_PER_ACCOUNT = 10
CLOCK_START = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
OPERATOR_KEY = "fbk_bench-operator"


def _account_id(number: int) -> str:
    return f"hook-{number:04d}"


def _request(stack: Any, method: str, path: str, body: Any) -> Any:
    from tests.support import HttpClient

    answer = HttpClient(stack.base_url, {"Authorization": f"Bearer {OPERATOR_KEY}"}).request(method, path, body)
    assert answer.status in (200, 201), answer.body
    return answer.json()


def run(quick: bool = False) -> dict[str, Any]:
    from infra.local.stack import LocalStack, LocalStackOptions
    from tests.webhook_receiver import WebhookReceiver

    count = QUICK_EVENTS if quick else EVENTS
    accounts = count // EVENTS_PER_ACCOUNT
    stack = LocalStack(LocalStackOptions(template_path=REPO_ROOT / "template.yaml", port=0, clock_start=CLOCK_START,
                                         operator_key=OPERATOR_KEY, background=False))
    receiver = WebhookReceiver(clock=stack.clock.now).start()
    with isolated():
        stack.start()
        try:
            for number in range(accounts):
                _request(stack, "POST", "/v1/accounts", {"account_id": _account_id(number), "contacts": {}})
                created = _request(stack, "POST", f"/v1/accounts/{_account_id(number)}/webhooks",
                                   {"url": receiver.url})
                receiver.secrets.append(created["secret"])
            stack.event_sources.drain()
            receiver.received.clear()  # the accounts' own free_quota_granted events, delivered meanwhile
            sqs = stack.aws.client("sqs")
            queue, dead_letters = stack.physical.refs["WebhookQueue"], stack.physical.refs["WebhookDeadLetterQueue"]
            types = sorted(DETAILS)
            events = [{"event_id": f"bench#{index}", "event_type": types[index % len(types)],
                       "account_id": _account_id(index % accounts), "at": CLOCK_START.isoformat(),
                       "detail": DETAILS[types[index % len(types)]]} for index in range(count)]

            started = time.perf_counter()
            for wave in range(0, count, WAVE):
                for start in range(wave, min(wave + WAVE, count), 10):
                    sqs.send_message_batch(QueueUrl=queue, Entries=[
                        {"Id": str(offset), "MessageBody": json.dumps(event, ensure_ascii=False)}
                        for offset, event in enumerate(events[start:start + 10])])
                stack.event_sources.drain()
            depth, before = _queue_depth(sqs, queue), None
            while depth and depth != before:
                stack.event_sources.drain()
                depth, before = _queue_depth(sqs, queue), depth
            elapsed = time.perf_counter() - started

            received = Counter(item.webhook_id for item in receiver.received if item.verified)
            unverified = sum(not item.verified for item in receiver.received)
            missing_or_repeated = sum(abs(received[event["event_id"]] - 1) for event in events)
            errors = missing_or_repeated + unverified + depth + _queue_depth(sqs, dead_letters)
            assert errors == 0, f"{errors} deliveries missing, repeated, unverified, left or dead-lettered"
            return {f"events_{count}_s": round(elapsed, 1), "errors": errors}
        finally:
            stack.stop()
            receiver.stop()


def table(section: dict[str, Any]) -> str:
    (key, seconds), = ((key, value) for key, value in section.items() if key.startswith("events_"))
    count = int(key.removeprefix("events_").removesuffix("_s"))
    return f"{count:,} events: {seconds:.1f} s ({count / seconds:.0f} events/s), errors {section['errors']}"
