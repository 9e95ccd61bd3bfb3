"""What the settlement tests share: accounts, packs and money through the API function on moto's copy of
template.yaml; billable calls either ingested for real (ingest function + the Calls stream + the usage
aggregator) or put straight into the usage counters; and settlement runs through the template's two
functions (the scheduled dispatcher, then the worker fed from the settlement queue as Lambda's poller
does). (Its own tests, at the end, check the counter seeding and the queue poller.)"""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from functions.wiring import with_clients
from functions.wiring.settlement import build_settlement_stores
from shared import aws, clock
from shared.config import settings
from shared.events import DomainEvent
from shared.services.settlement import SettlementStores
from shared.store.codec import from_attributes, to_attributes
from shared.store.usage import CounterDelta, CounterKey, UsageRepository, sequence_mark
from tests.aws import aws_client, template_resources
from tests.integration.test_accounts_support import BillingApi, TestClock
from tests.integration.test_ingest_support import (
    FakeContext,
    LambdaStreamDelivery,
    aggregator_app,
    api_event,
    ingest_app,
    stream_records,
)
from tests.integration.test_ingest_support import _import_handler as import_handler
from tests.support import load_event

dispatcher_app = import_handler("functions.settlement_dispatcher.app")
worker_app = import_handler("functions.settlement_worker.app")

TAG = "enhanced_authority_wechat"  # 1.2 a call; packs of 10,000 cost 11,000.00
CHANNEL = {"channel": "enhanced.wechat_miniprogram", "source": "authority"}


class RecordingEvents:
    """An event sink that keeps what was published, in order (ids repeat when a publication is repeated)."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def publish(self, events: list[DomainEvent]) -> None:
        self.published.extend(events)

    @property
    def ids(self) -> list[str]:
        return [event.event_id for event in self.published]


@dataclass
class Settlement:
    """The billing system on moto, driven by a test: accounts, calls, runs, and what the tables hold."""

    api: BillingApi
    client: Any
    physical: Any
    delivered: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # message id -> receipt handle, of failed messages
    _sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # -- accounts, packs, money (through the API function)

    def open_account(self, account_id: str, activated_at: str, **fields: Any) -> dict[str, Any]:
        return self.api.open_account(account_id, activated_at=activated_at, **fields)

    def recharge(self, account_id: str, amount: str, wallet: str = "cash") -> None:
        self.api.recharge(account_id, f"r-{next(self._sequence)}", amount, wallet)

    def buy_pack(self, account_id: str, size: int = 10_000, billing_tag: str = TAG) -> str:
        status, body = self.api.post(f"/v1/accounts/{account_id}/packs", {
            "purchase_id": f"p-{next(self._sequence)}", "billing_tag": billing_tag, "size": size})
        assert status == 201, body
        return body["packs"][0]["pack_id"]

    def grant_pack(self, account_id: str, size: int, billing_tag: str = TAG) -> str:
        status, body = self.api.post(f"/v1/accounts/{account_id}/grants", {
            "grant_id": f"g-{next(self._sequence)}", "billing_tag": billing_tag, "size": size})
        assert status == 201, body
        return body["pack"]["pack_id"]

    def put_accounts(self, *account_ids: str, activated_at: str) -> None:
        """Accounts written straight into the table (no free-quota packs): quicker for many accounts."""
        from shared.accounts.models import Account, AccountStatus, Contacts, Locale, Wallets
        from shared.pricing import settlement_cycle
        from shared.store.accounts import account_to_item

        activated = datetime.fromisoformat(activated_at)
        for start in range(0, len(account_ids), 25):
            self.client.batch_write_item(RequestItems={settings().accounts_table: [
                {"PutRequest": {"Item": to_attributes(account_to_item(Account(
                    account_id=account_id, status=AccountStatus.ACTIVE, suspension_reason=None,
                    settlement_cycle=settlement_cycle(activated), postpaid_enabled=True, balance=Decimal(0),
                    wallets=Wallets(), contacts=Contacts(), locale=Locale.ZH_CN, daily_report=False,
                    activated_at=activated, created_at=activated)))}}
                for account_id in account_ids[start:start + 25]]})

    def set_violation(self, account_id: str, suspend: bool) -> None:
        status, body = self.api.post(f"/v1/accounts/{account_id}/violations", {"suspend": suspend})
        assert status == 200, body

    # -- calls

    def ingest(self, *calls: dict[str, Any]) -> list[dict[str, Any]]:
        """Calls through the ingest function, then the Calls stream through the usage aggregator."""
        answer = ingest_app.handler(api_event({"calls": list(calls)}), FakeContext())
        assert answer["statusCode"] == 200, answer["body"]
        records = stream_records(self.physical.attributes[("CallsTable", "StreamArn")])
        LambdaStreamDelivery(lambda event: aggregator_app.handler(event, FakeContext()), (1000,)).deliver(
            records, start=self.delivered)
        self.delivered = len(records)
        return json.loads(answer["body"])["results"]

    def add_billable(self, account_id: str, day: date, billable: int, billing_tag: str = TAG) -> None:
        """`billable` more billable calls in a counter, as the aggregator would add them (quicker than
        ingesting thousands of calls)."""
        key = CounterKey(account_id, day, billing_tag)
        usage = UsageRepository(self.client, settings().usage_table)
        marks = usage.marks_of(key)
        applied = usage.apply(CounterDelta(key, calls=billable, billable=billable, unclassified=0,
                                           by_return_code={"0": billable},
                                           marks={"0": sequence_mark(next(self._sequence))},
                                           expected={"0": marks.get("0")}))
        assert applied

    # -- runs

    def stores(self, events: Any = None, dynamodb: Any = None) -> SettlementStores:
        stores = with_clients(build_settlement_stores, dynamodb=dynamodb or self.client, sns=aws_client("sns"))()
        return stores if events is None else _with_events(stores, events)

    def run(self, job: str, at: str) -> dict[str, Any]:
        """The schedule `job` firing at `at` (RFC 3339): the dispatcher, then the worker over the queue until it
        is empty or only holds messages that keep failing. Answers the dispatcher's summary."""
        event = load_event("settlement_schedule.json")
        event.update(job=job, cycle={"daily-settlement": "daily", "monthly-settlement": "monthly"}[job],
                     scheduled_at=datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        summary = dispatcher_app.handler(event, FakeContext())
        self.drain_queue()
        return summary

    def drain_queue(self) -> list[str]:
        """Lambda's SQS poller for the settlement queue: batches of 5 to the worker until the queue is empty;
        messages the worker reports failed stay in it, invisible until `redeliver_failed`. Answers their ids."""
        sqs = aws_client("sqs")
        url, arn = settings().settlement_queue_url, self.physical.attributes[("SettlementQueue", "Arn")]
        template = load_event("settlement_sqs.json")["Records"][0]
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5, VisibilityTimeout=600
                                           ).get("Messages", [])
            if not messages:
                return sorted(self.failed)
            records = [{**copy.deepcopy(template), "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"], "eventSourceARN": arn} for m in messages]
            answer = worker_app.handler({"Records": records}, FakeContext())
            failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
            for message in messages:
                if message["MessageId"] in failed:
                    self.failed[message["MessageId"]] = message["ReceiptHandle"]
                else:
                    self.failed.pop(message["MessageId"], None)
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def redeliver_failed(self) -> list[str]:
        """The failed messages come back (their visibility timeout is over) and are delivered again."""
        sqs = aws_client("sqs")
        for receipt in self.failed.values():
            sqs.change_message_visibility(QueueUrl=settings().settlement_queue_url, ReceiptHandle=receipt,
                                          VisibilityTimeout=0)
        return self.drain_queue()

    # -- what the tables hold

    def account(self, account_id: str) -> dict[str, Any]:
        return self.api.account_item(account_id)

    def bills(self, account_id: str) -> list[dict[str, Any]]:
        return sorted(self.api.items(settings().bills_table, account_id), key=lambda bill: bill["bill_key"])

    def ledger(self, account_id: str) -> list[dict[str, Any]]:
        return self.api.items(settings().ledger_table, account_id)

    def ledger_sum(self, account_id: str) -> Decimal:
        return self.api.ledger_sum(account_id)

    def packs(self, account_id: str) -> dict[str, int]:
        return {pack["pack_id"]: int(pack["remaining"]) for pack in self.api.items(settings().packs_table, account_id)}

    def counters(self, account_id: str) -> dict[str, dict[str, Any]]:
        return {item["usage_key"]: item for item in self.api.items(settings().usage_table, account_id)}

    def unsettled_index(self) -> list[str]:
        """The unsettled_key of every counter in the Unsettled index."""
        items = self.client.scan(TableName=settings().usage_table, IndexName="Unsettled")["Items"]
        return sorted(from_attributes(item)["unsettled_key"] for item in items)

    def put_account_fields(self, account_id: str, **values: Any) -> None:
        names = {f"#{name}": name for name in values}
        self.client.update_item(
            TableName=settings().accounts_table, Key=to_attributes({"account_id": account_id}),
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_attributes({f":{name}": value for name, value in values.items()}),
        )


def _with_events(stores: SettlementStores, events: Any) -> SettlementStores:
    from dataclasses import replace

    return replace(stores, events=events)


@contextmanager
def settlement_system(at: datetime, parameters: dict[str, str] | None = None) -> Iterator[Settlement]:
    """The template's resources on moto (with these template parameters), the API function with the clock
    at `at`, and the ingest, aggregator and settlement functions pointed at moto."""
    test_clock = TestClock(at)
    with template_resources(parameters) as physical:
        # The process-wide clients may point at another emulator: build them here, in moto.
        aws.dynamodb_client.cache_clear()
        aws.sns_client.cache_clear()
        clock.use_clock(test_clock)
        try:
            yield Settlement(BillingApi(test_clock), aws_client("dynamodb"), physical)
        finally:
            clock.use_clock(clock.SystemClock())
            aws.dynamodb_client.cache_clear()
            aws.sns_client.cache_clear()


def call(request_id: str, account_id: str, occurred_at: str, **fields: Any) -> dict[str, Any]:
    return {"request_id": request_id, "account_id": account_id, "return_code": 0, "occurred_at": occurred_at,
            **CHANNEL, **fields}


def day_events(settlement: Settlement) -> list[dict[str, Any]]:
    """The domain events on the topic since the last look (as the tests' queue subscribed to it saw them)."""
    return settlement.api.events()


def test_counters_seeded_directly_look_like_aggregated_ones_and_enter_the_unsettled_index():
    with settlement_system(datetime.fromisoformat("2026-03-02T10:00:00+08:00")) as system:
        system.open_account("seeded", activated_at="2026-01-01T00:00:00+08:00")
        system.add_billable("seeded", date(2026, 3, 1), 7)
        system.add_billable("seeded", date(2026, 3, 1), 3)

        counter = system.counters("seeded")[f"2026-03-01#{TAG}"]
        assert (counter["calls"], counter["billable"], counter["rc#0"]) == (10, 10, 10)
        assert system.unsettled_index() == ["seeded#2026-03-01"]
        assert os.environ["SETTLEMENT_QUEUE_URL"] == settings().settlement_queue_url
