"""The local stack's API Gateway and functions over moto in-process: the fuzz's system under test.

`make run` serves the same routes, authorizer and functions over moto's threaded server; here the
tables, queues and topics of template.yaml live in `mock_aws` instead (about three times as many
DynamoDB requests a second), behind the local stack's own HTTP server on a loopback port.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from infra.local.functions import LocalFunction
from infra.local.gateway import RouteTable
from infra.local.server import LocalHttpServer
from infra.local.stack import LocalStack, LocalStackOptions
from shared import aws, clock
from shared.auth.keys import key_hash
from tests.aws import template_resources
from tests.support import REPO_ROOT, HttpClient

OPERATOR_KEY = "fbk_fuzz-operator"
# Requests sent by the fuzz, per operation: the terminal summary reports them.
FUZZ_CASES: Counter[str] = Counter()
REGION = "us-east-1"


@dataclass
class FuzzedStack:
    base_url: str
    stack: LocalStack

    @property
    def operator(self) -> HttpClient:
        return HttpClient(self.base_url, {"Authorization": f"Bearer {OPERATOR_KEY}"})

    @property
    def anonymous(self) -> HttpClient:
        return HttpClient(self.base_url)


def stored_items() -> dict[str, list[dict[str, Any]]]:
    """Every item of every table, to compare what a request stored. Read from moto's backend itself: a
    Scan through boto3 costs ~15 ms a table, far too much to run before every fuzzed request."""
    tables = dynamodb_backends[ACCOUNT_ID][REGION].tables
    return {name: [item.to_json() for item in table.all_items()] for name, table in tables.items()}


SEEDED_ACCOUNT = "acme"
SEEDED_CALL = "call-1"


@dataclass(frozen=True)
class Seeded:
    account_id: str
    pack_id: str
    request_id: str
    webhook_id: str
    delivery_id: str  # of no delivery: the fuzzed stack runs the API's functions alone, never the delivery function

    def path_parameters(self) -> dict[str, str]:
        return {"account_id": self.account_id, "pack_id": self.pack_id, "request_id": self.request_id,
                "webhook_id": self.webhook_id, "delivery_id": self.delivery_id}


def seed(stack: FuzzedStack) -> Seeded:
    operator = stack.operator
    for path, body in [
        ("/v1/accounts", {"account_id": SEEDED_ACCOUNT, "contacts": {"email": "ops@acme.example"}}),
        (f"/v1/accounts/{SEEDED_ACCOUNT}/recharges", {"recharge_id": "r-1", "wallet": "cash", "amount": "50000.00"}),
    ]:
        answer = operator.post(path, body)
        assert answer.status in (200, 201), answer.body
    bought = operator.post(f"/v1/accounts/{SEEDED_ACCOUNT}/packs",
                           {"purchase_id": "p-1", "billing_tag": "phone_2e", "size": 1000})
    assert bought.status == 201, bought.body
    call = {"account_id": SEEDED_ACCOUNT, "request_id": SEEDED_CALL, "channel": "verify.phone_2e",
            "return_code": "0", "occurred_at": "2026-03-01T11:00:00+08:00"}
    recorded = operator.post("/v1/calls", {"calls": [call]})
    assert recorded.json()["results"][0]["status"] == "accepted", recorded.body
    webhook = operator.post(f"/v1/accounts/{SEEDED_ACCOUNT}/webhooks", {"url": "http://127.0.0.1:9/hook"})
    assert webhook.status == 201, webhook.body
    return Seeded(SEEDED_ACCOUNT, bought.json()["packs"][0]["pack_id"], SEEDED_CALL, webhook.json()["webhook_id"],
                  "dlv_" + "0" * 25)


@contextmanager
def fuzzed_stack(clock_start: datetime) -> Iterator[FuzzedStack]:
    """The template's API routes, authorizer and functions on moto, served over HTTP on 127.0.0.1."""
    options = LocalStackOptions(template_path=REPO_ROOT / "template.yaml", port=0, clock_start=clock_start,
                                operator_key=OPERATOR_KEY)
    # Webhooks to loopback alone, as on the local stack: a fuzzed URL is never resolved, let alone connected to.
    with template_resources({"OperatorKeyHash": key_hash(OPERATOR_KEY), "WebhookTargets": "loopback"}) as physical:
        # Handlers may have been imported by earlier tests of this process, against another moto: rebuild.
        aws.dynamodb_client.cache_clear()
        aws.sns_client.cache_clear()
        stack = LocalStack(options)
        stack.physical = physical
        routed = {route.function_id for route in stack.template.api_routes()} | {"AuthorizerFunction"}
        for spec in stack.template.functions().values():
            if spec.logical_id in routed:
                stack.functions[spec.logical_id] = LocalFunction(spec, physical.get_att(spec.logical_id, "Arn"))
                stack.functions[spec.logical_id].load()
        stack.routes = RouteTable(stack.template.api_routes())
        clock.use_clock(stack.clock)
        logging.getLogger("infra.local.stack").setLevel(logging.CRITICAL)
        server = LocalHttpServer("127.0.0.1", 0, stack.handle, verbose=False)
        server.start()
        try:
            yield FuzzedStack(f"http://127.0.0.1:{server.server_address[1]}", stack)
        finally:
            server.stop()
            clock.use_clock(clock.SystemClock())
            aws.dynamodb_client.cache_clear()
            aws.sns_client.cache_clear()
