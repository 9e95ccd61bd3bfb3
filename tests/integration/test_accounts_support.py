"""What the accounts and packs tests share: the API function invoked with API Gateway's proxy events on
moto's copy of template.yaml, a fixed clock, and the domain events read back from the topic through an
SQS queue subscribed to it. (Its own tests, at the end, check the event builder.)"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from shared import aws, clock
from shared.config import settings
from shared.store.codec import from_attributes, to_attributes
from tests.aws import aws_client
from tests.support import load_event

OPERATOR_CONTEXT = {"principalId": "operator", "scope": "operator", "account_id": ""}


class FakeContext:
    function_name = "ApiFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ApiFunction"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


class TestClock:
    """A clock that stands still until a test moves it."""

    __test__ = False

    def __init__(self, instant: datetime):
        self.instant = instant

    def now(self) -> datetime:
        return self.instant

    def advance(self, **delta: float) -> datetime:
        self.instant += timedelta(**delta)
        return self.instant


_PATH_PARAMETER = re.compile(r"^/v1/accounts/(?P<account_id>[^/]+)(?P<rest>/.*)?$")


def proxy_event(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    """The REST proxy event API Gateway sends for `method path` (after the authorizer let it through)."""
    event = copy.deepcopy(load_event("account_packs_post.json"))
    match = _PATH_PARAMETER.match(path)
    if match:
        resource = "/v1/accounts/{account_id}" + (match["rest"] or "")
        event["pathParameters"] = {"account_id": match["account_id"]}
    else:
        resource, event["pathParameters"] = path, None
    event.update(resource=resource, path=path, httpMethod=method)
    event["requestContext"].update(resourcePath=resource, httpMethod=method, path=f"/live{path}",
                                   authorizer=dict(OPERATOR_CONTEXT))
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {key: [value] for key, value in (query or {}).items()} or None
    if body is None:
        event["body"] = None
    else:
        event["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return event


class BillingApi:
    """The ApiFunction as Lambda invokes it, and what the tests look at behind it."""

    def __init__(self, test_clock: TestClock):
        from functions.api.app import handler

        self._handler = handler
        self.clock = test_clock
        self.dynamodb = aws_client("dynamodb")
        self._sqs = aws_client("sqs")
        self._queue_url = self._sqs.create_queue(QueueName="domain-events-seen-by-tests")["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        aws_client("sns").subscribe(
            TopicArn=settings().domain_events_topic_arn, Protocol="sqs", Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )

    def request(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None
                ) -> tuple[int, Any]:
        answer = self._handler(proxy_event(method, path, body, query), FakeContext())
        return answer["statusCode"], json.loads(answer["body"])

    def get(self, path: str, **query: str) -> tuple[int, Any]:
        return self.request("GET", path, query=query or None)

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self.request("PATCH", path, body)

    # -- helpers of the tests

    def open_account(self, account_id: str = "acme", **fields: Any) -> dict[str, Any]:
        status, body = self.post("/v1/accounts", {"account_id": account_id, "contacts": {}, **fields})
        assert status == 201, body
        return body

    def recharge(self, account_id: str, recharge_id: str, amount: str, wallet: str = "cash") -> dict[str, Any]:
        status, body = self.post(f"/v1/accounts/{account_id}/recharges",
                                 {"recharge_id": recharge_id, "amount": amount, "wallet": wallet})
        assert status == 200, body
        return body

    def events(self) -> list[dict[str, Any]]:
        """The domain events published since the last call, in publication order."""
        seen = []
        while True:
            answer = self._sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                return seen
            for message in messages:
                seen.append(json.loads(message["Body"]))
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])

    def items(self, table: str, account_id: str) -> list[dict[str, Any]]:
        """The raw items of one account in one table (plain values)."""
        answer = self.dynamodb.query(TableName=table, KeyConditionExpression="account_id = :a",
                                     ExpressionAttributeValues=to_attributes({":a": account_id}))
        return [from_attributes(item) for item in answer["Items"]]

    def account_item(self, account_id: str) -> dict[str, Any]:
        item = self.dynamodb.get_item(TableName=settings().accounts_table,
                                      Key=to_attributes({"account_id": account_id}))["Item"]
        return from_attributes(item)

    def ledger_sum(self, account_id: str) -> Decimal:
        return sum((entry["amount"] for entry in self.items(settings().ledger_table, account_id)), Decimal(0))


@contextmanager
def billing_api(at: datetime) -> Iterator[BillingApi]:
    """The API function on moto's copy of the template's resources, with the clock standing at `at`."""
    from tests.aws import template_resources

    test_clock = TestClock(at)
    with template_resources():
        # The process-wide clients may point at another emulator (the e2e stack): build them here, in moto.
        aws.dynamodb_client.cache_clear()
        aws.sns_client.cache_clear()
        clock.use_clock(test_clock)
        try:
            yield BillingApi(test_clock)
        finally:
            clock.use_clock(clock.SystemClock())
            aws.dynamodb_client.cache_clear()
            aws.sns_client.cache_clear()


def test_a_proxy_event_names_the_route_template_and_its_path_parameter():
    event = proxy_event("POST", "/v1/accounts/acme/packs", {"a": 1}, {"status": "active"})

    assert event["resource"] == event["requestContext"]["resourcePath"] == "/v1/accounts/{account_id}/packs"
    assert event["pathParameters"] == {"account_id": "acme"}
    assert event["queryStringParameters"] == {"status": "active"}
    assert json.loads(event["body"]) == {"a": 1}


def test_a_proxy_event_of_the_account_list_has_no_path_parameters():
    event = proxy_event("GET", "/v1/accounts")

    assert event["resource"] == "/v1/accounts"
    assert event["pathParameters"] is None
    assert event["body"] is None
