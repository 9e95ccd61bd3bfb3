"""Customer notices: a burst of 10,000 domain events (the 00:00 run) through the local stack's notifier.

results.json: {"notify": {"events_10000_s": t, "errors": n}}

The local stack runs in this process, as `make run` starts it: moto's server with the template's resources
(the domain-event topic's subscription to the notifier queue included) and the stack's SQS poller, which
feeds the notifier 10 messages at a time as Lambda does (one instance, where Lambda would run up to the
template's MaximumConcurrency). 1,000 accounts (every other one English), each with a phone and an e-mail
address, get 10 events each of the twelve types, published to the topic ten at a time (PublishBatch).

- events_10000_s: from the first publish to the queue drained. Each event costs the emulator about six
  requests (claim, SMS, e-mail, two delivery records, and its share of the queue's), so this measures moto
  (~100-200 requests a second) more than the notifier; in AWS the pace is set by the SES and SMS quotas.
- errors: notices missing or repeated (one SMS, one e-mail and one in-site message per event expected),
  plus messages left on the queue or dead-lettered.

run(quick=True) (`make bench QUICK=1`) sends 100 events to 10 accounts, reported as events_100_s.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._isolation import isolated

SECTION = "notify"
EVENTS = 10_000
QUICK_EVENTS = 100
EVENTS_PER_ACCOUNT = 10
# Published a wave at a time with the queue drained in between, as Lambda's pollers consume while publishers
# publish: moto's queue handles each message in time proportional to the queue's length, so one 10,000-deep
# queue would measure moto's quadratic cost rather than the notifier.
WAVE = 200
REPO_ROOT = Path(__file__).resolve().parents[1]
DETAILS = json.loads((REPO_ROOT / "tests" / "events" / "domain_events.json").read_text(encoding="utf-8"))
CLOCK_START = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai


@contextmanager
def local_stack() -> Iterator[Any]:
    from infra.local.stack import LocalStack, LocalStackOptions

    stack = LocalStack(LocalStackOptions(template_path=REPO_ROOT / "template.yaml", port=0, clock_start=CLOCK_START))
    with isolated():  # LocalStack.stop leaves moto's resources, the environment and its clock behind
        stack.start()
        try:
            yield stack
        finally:
            stack.stop()


def _account_id(number: int) -> str:
    return f"bench-{number:04d}"


def _seed_accounts(dynamodb: Any, table: str, accounts: int) -> None:
    items = [{"PutRequest": {"Item": {
        "account_id": {"S": _account_id(number)}, "status": {"S": "active"},
        "locale": {"S": "en" if number % 2 else "zh-CN"},
        "contacts": {"M": {"email": {"S": f"ops@{_account_id(number)}.example"}, "phone": {"S": "+8613800000000"}}},
    }}} for number in range(accounts)]
    for start in range(0, len(items), 25):
        dynamodb.batch_write_item(RequestItems={table: items[start:start + 25]})


def burst(events: int) -> list[dict[str, Any]]:
    """`events` domain events over the accounts and the event types, as the publishers write them."""
    types = sorted(DETAILS)
    accounts = events // EVENTS_PER_ACCOUNT
    return [{"event_id": f"bench#{index}", "event_type": types[index % len(types)],
             "account_id": _account_id(index % accounts), "at": CLOCK_START.isoformat(),
             "detail": DETAILS[types[index % len(types)]]} for index in range(events)]


def _queue_depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _inbox_size(dynamodb: Any, table: str) -> int:
    count, start = 0, None
    while True:
        answer = dynamodb.scan(TableName=table, Select="COUNT", **({"ExclusiveStartKey": start} if start else {}))
        count += answer["Count"]
        start = answer.get("LastEvaluatedKey")
        if not start:
            return count


def run(quick: bool = False) -> dict[str, Any]:
    count = QUICK_EVENTS if quick else EVENTS
    with local_stack() as stack:
        dynamodb, sns, sqs = (stack.aws.client(service) for service in ("dynamodb", "sns", "sqs"))
        _seed_accounts(dynamodb, stack.physical.refs["AccountsTable"], count // EVENTS_PER_ACCOUNT)
        queue, dead_letters = stack.physical.refs["NotifierQueue"], stack.physical.refs["NotifierDeadLetterQueue"]
        events = burst(count)

        started = time.perf_counter()
        for wave in range(0, len(events), WAVE):
            for start in range(wave, min(wave + WAVE, len(events)), 10):
                sns.publish_batch(TopicArn=stack.physical.refs["DomainEventsTopic"], PublishBatchRequestEntries=[
                    {"Id": str(offset), "Message": json.dumps(event, ensure_ascii=False)}
                    for offset, event in enumerate(events[start:start + 10])])
            stack.event_sources.drain()
        depth, before = _queue_depth(sqs, queue), None
        while depth and depth != before:  # a depth that a drain leaves unchanged only holds what keeps failing
            stack.event_sources.drain()
            depth, before = _queue_depth(sqs, queue), depth
        elapsed = time.perf_counter() - started

        sent = Counter(message["channel"] for message in stack.outbox())
        missing_or_repeated = abs(sent["sms"] - count) + abs(sent["email"] - count)
        missing_or_repeated += abs(_inbox_size(dynamodb, stack.physical.refs["MessagesTable"]) - count)
        errors = missing_or_repeated + depth + _queue_depth(sqs, dead_letters)
        # Notices missing or sent twice are a defect, not a slow run: the section fails (make bench exits 1).
        assert errors == 0, f"{errors} notices missing, repeated, left on the queue or dead-lettered"
        return {f"events_{count}_s": round(elapsed, 1), "errors": errors}


def table(section: dict[str, Any]) -> str:
    (key, seconds), = ((key, value) for key, value in section.items() if key.startswith("events_"))
    count = int(key.removeprefix("events_").removesuffix("_s"))
    return f"{count:,} events: {seconds:.1f} s ({count / seconds:.0f} events/s), errors {section['errors']}"
