"""Real flows through the local stack (accounts with contacts, keys, recharges, purchases, gifts, refunds, calls
over HTTP and the ingest queue, settlement, arrears, suspension, pack expiry, daily reports, the nightly
reconciliation, notices by SMS and e-mail, webhooks with a rotated secret, a retried delivery and the sweep) while
two things are recorded:

- every log record of the functions, at DEBUG, formatted as powertools writes them: no phone number, e-mail
  address or API key may appear in any of them;
- every AWS call each function makes: each must be allowed by that function's policy in template.yaml (the
  local stack does not enforce IAM), and every write access a policy grants must be used by some call.

Functions run one at a time while recording, so each AWS call, from whichever thread, is its function's.
"""

from __future__ import annotations

import io
import json
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.client import BaseClient

from infra.local.stack import LocalStack
from shared import aws as shared_aws
from shared.pricing import billing_date, start_of_billing_day
from tests import iam
from tests.e2e.conftest import OPERATOR_KEY
from tests.log_capture import function_logs
from tests.support import HttpClient
from tests.webhook_receiver import Answer, WebhookReceiver

SHANGHAI = ZoneInfo("Asia/Shanghai")

CONTACTS = {
    "sec-acme": {"email": "alice.secret@acme-mail.example", "phone": "+8613811112222"},
    "sec-owing": {"email": "bob.hidden@owing-mail.example", "phone": "+8613933334444"},
}
CHANGED_CONTACTS = {"email": "carol.private@acme-mail.example", "phone": "+8613755556666"}


@dataclass(frozen=True)
class AwsCall:
    function_id: str
    operation: str  # e.g. "dynamodb:TransactWriteItems"
    params: dict[str, Any]


@dataclass
class Recording:
    calls: list[AwsCall] = field(default_factory=list)
    invoked: set[str] = field(default_factory=set)
    log: io.StringIO = field(default_factory=io.StringIO)
    secrets: set[str] = field(default_factory=set)


class CallRecorder:
    """Runs the stack's functions one at a time and notes each AWS call under the function running it."""

    def __init__(self, recording: Recording):
        self._recording = recording
        self._one_at_a_time = threading.Lock()
        self._running: str | None = None

    def wrap(self, function: Any) -> Any:
        invoke = function.invoke

        def recorded_invoke(event: Any) -> Any:
            with self._one_at_a_time:
                self._running = function.name
                self._recording.invoked.add(function.name)
                try:
                    return invoke(event)
                finally:
                    self._running = None

        return recorded_invoke

    def on_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self._running is not None:
            service = model.service_model.signing_name
            self._recording.calls.append(AwsCall(self._running, f"{service}:{model.name}", json.loads(
                json.dumps(params, default=str))))


def function_clients() -> list[BaseClient]:
    """The AWS clients the functions' code holds: shared/aws.py's, and any a module keeps of its own."""
    clients = [shared_aws.dynamodb_client(), shared_aws.sns_client(), shared_aws.ses_client(), shared_aws.sms_client(),
               shared_aws.sqs_client(), shared_aws.kms_client()]
    for name, module in list(sys.modules.items()):
        if name.startswith(("functions.", "shared.")) and module is not None:
            clients += [value for value in vars(module).values() if isinstance(value, BaseClient)]
    unique = {id(client.meta.events): client for client in clients}
    return list(unique.values())


def clock_now(operator: HttpClient) -> datetime:
    return datetime.fromisoformat(operator.get("/_local/clock").json()["now"])


def next_midnight(instant: datetime) -> datetime:
    return start_of_billing_day(billing_date(instant, SHANGHAI) + timedelta(days=1), SHANGHAI)


def at(operator: HttpClient, instant: datetime, *jobs: str) -> None:
    """Jump to `instant` and run `jobs` there, as their schedules would."""
    assert operator.post("/_local/clock", {"now": instant.isoformat(), "fire": False}).status == 200
    for job in jobs:
        answer = operator.post(f"/_local/jobs/{job}")
        assert answer.status == 200 and answer.json()["ok"], (job, answer.body)


def ok(answer: Any, *statuses: int) -> Any:
    assert answer.status in (statuses or (200, 201)), answer.body
    return answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else answer.body


def run_flows(local_stack: LocalStack, operator: HttpClient, recording: Recording, receiver: WebhookReceiver) -> None:
    now = clock_now(operator)
    calls_at = now.isoformat()
    keys = {}
    for account_id, contacts in CONTACTS.items():
        ok(operator.post("/v1/accounts", {"account_id": account_id, "contacts": contacts, "locale": "en"}))
        keys[account_id] = ok(operator.post(f"/v1/accounts/{account_id}/keys"))["api_key"]
    acme = operator.with_key(keys["sec-acme"])
    recording.secrets |= set(keys.values()) | {OPERATOR_KEY}

    # The customer changes its contacts (one of them malformed first) and asks for daily reports.
    ok(acme.patch("/v1/accounts/sec-acme", {"contacts": {"phone": "+86 138-bad", "email": "not-an-address"}}), 400)
    ok(acme.patch("/v1/accounts/sec-acme", {"contacts": CHANGED_CONTACTS, "daily_report": True,
                                             "postpaid_enabled": True}))
    ok(operator.with_key("fbk_" + "0" * 43).get("/v1/accounts/sec-acme"), 401)
    ok(acme.get("/v1/accounts/sec-owing"), 403)

    # The customer's own system: a webhook registered with its key, its secret rotated; the first delivery (of the
    # purchase below) fails and the sweep makes it due again, then the customer retries it by hand.
    webhook = ok(acme.post("/v1/accounts/sec-acme/webhooks", {"url": receiver.url}))
    rotated = ok(acme.post(f"/v1/accounts/sec-acme/webhooks/{webhook['webhook_id']}/secret"))
    recording.secrets |= {webhook["secret"], rotated["secret"]}
    receiver.secrets += [webhook["secret"], rotated["secret"]]
    receiver.answer_next(Answer(500))
    # sec-owing's webhook points where nothing listens: its deliveries fail until the sweep disables it.
    dead = ok(operator.post("/v1/accounts/sec-owing/webhooks", {"url": "http://127.0.0.1:9/gone"}))
    recording.secrets.add(dead["secret"])

    # Money and packs: recharge, purchases (one refunded), an operator's short gift, the E证通 pack, a violation.
    ok(operator.post("/v1/accounts/sec-acme/recharges", {"recharge_id": "sec-r1", "amount": "2000.00",
                                                          "wallet": "cash"}))
    renewing = ok(acme.post("/v1/accounts/sec-acme/packs", {"purchase_id": "sec-p1", "billing_tag": "id_verification",
                                                             "size": 1000}))["packs"][0]["pack_id"]
    ok(acme.patch(f"/v1/accounts/sec-acme/packs/{renewing}", {"auto_renew": True}))  # renewed when it expires
    refundable = ok(acme.post("/v1/accounts/sec-acme/packs", {"purchase_id": "sec-p2", "billing_tag": "phone_2e",
                                                              "size": 1000}))["packs"][0]["pack_id"]
    ok(acme.post(f"/v1/accounts/sec-acme/packs/{refundable}/refund", {"refund_id": "sec-f1"}))
    ok(operator.post("/v1/accounts/sec-acme/grants", {"grant_id": "sec-g1", "billing_tag": "bankcard_verification",
                                                       "size": 50, "valid_days": 1}))
    ok(operator.post("/v1/accounts/sec-acme/eid-merchant"))
    ok(operator.post("/v1/accounts/sec-acme/violations", {"suspend": True}))
    ok(operator.post("/v1/accounts/sec-acme/violations", {"suspend": False}))

    hook = f"/v1/accounts/sec-acme/webhooks/{webhook['webhook_id']}"
    [delivery] = [item for item in ok(acme.get(f"{hook}/deliveries?limit=100"))["deliveries"]
                  if item["event_id"] == f"pack_delivered#{renewing}"]
    assert delivery["status"] == "pending"
    at(operator, clock_now(operator) + timedelta(seconds=6), "webhook-sweep")
    ok(acme.post(f"{hook}/deliveries/{delivery['delivery_id']}/retry"), 202)
    assert [item["attempts"] for item in ok(acme.get(f"{hook}/deliveries?limit=100"))["deliveries"]
            if item["delivery_id"] == delivery["delivery_id"]] == [3]
    assert receiver.received and all(item.verified for item in receiver.received)

    # Calls over HTTP and over the ingest queue; sec-owing, with no money, will owe its postpaid calls.
    acme_calls = [{"request_id": f"sec-a{n}", "account_id": "sec-acme", "channel": "verify.id_2e",
                   "return_code": "0", "occurred_at": calls_at} for n in range(5)]
    owing_calls = [{"request_id": f"sec-o{n}", "account_id": "sec-owing", "channel": "verify.phone_2e",
                    "return_code": "0", "occurred_at": calls_at} for n in range(5)]
    ok(operator.post("/v1/calls", {"calls": acme_calls}))
    queue_url = local_stack.physical.refs["IngestQueue"]
    local_stack.aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps({"calls": owing_calls}))
    local_stack.event_sources.drain(force=True)
    ok(operator.get("/v1/accounts/sec-owing/calls/sec-o0"))

    # What a customer reads.
    for path in ("", "/packs", "/usage", "/usage/daily", "/entitlement?channel=verify.id_2e", "/bills",
                 "/bills/resources", "/bills/details", "/bills/details?format=csv", "/messages", "/calls/sec-a0"):
        ok(acme.get(f"/v1/accounts/sec-acme{path}"))
    ok(operator.get("/v1/accounts?limit=5"))

    # Two days, then a year on: settlement (packs, postpaid, arrears), pack lifecycle (daily reports, the gift's
    # expiry, then the bought pack's), the reconciliation at 02:00, the arrears check 24 hours on (suspension),
    # each with its notices.
    first = next_midnight(now)
    at(operator, first, "daily-settlement", "pack-lifecycle", "arrears-check")
    assert ok(operator.get("/v1/accounts/sec-owing"))["status"] == "arrears"
    at(operator, first + timedelta(hours=2), "reconciliation")
    ok(operator.get(f"/v1/reconciliation?date={billing_date(now, SHANGHAI).isoformat()}"))
    at(operator, first + timedelta(days=1), "arrears-check", "daily-settlement", "pack-lifecycle")
    assert ok(operator.get("/v1/accounts/sec-owing"))["status"] == "suspended"
    # A year on, the bought pack expires: its breakage in the ledger and in the vendor's books, and its renewal.
    at(operator, first + timedelta(days=367), "pack-lifecycle", "webhook-sweep")
    assert [item["status"] for item in ok(operator.get("/v1/accounts/sec-owing/webhooks"))["webhooks"]] == [
        "disabled"]
    assert sorted(pack["status"] for pack in ok(acme.get("/v1/accounts/sec-acme/packs"))["packs"]
                  if pack["origin"] == "purchase") == ["active", "expired", "refunded"]
    local_stack.event_sources.drain(force=True)
    ok(operator.get("/v1/accounts/sec-acme/messages"))


@pytest.fixture(scope="module")
def recording(local_stack: LocalStack, operator: HttpClient) -> Recording:
    recording = Recording(secrets={value for contacts in [*CONTACTS.values(), CHANGED_CONTACTS]
                                   for value in contacts.values()})
    recorder = CallRecorder(recording)
    clients = function_clients()
    with pytest.MonkeyPatch.context() as patch:
        for function in local_stack.functions.values():
            patch.setattr(function, "invoke", recorder.wrap(function))
        for client in clients:
            client.meta.events.register("provide-client-params", recorder.on_call, unique_id="security-flows")
        receiver = WebhookReceiver(clock=local_stack.clock.now).start()
        try:
            with function_logs(recording.log):
                run_flows(local_stack, operator, recording, receiver)
        finally:
            receiver.stop()
            for client in clients:
                client.meta.events.unregister("provide-client-params", unique_id="security-flows")
    return recording


# -- logs ---------------------------------------------------------------------------------------------

def secret_forms(secret: str) -> set[str]:
    """A secret as a log line could hold it: as is, a phone number's digits without + or country code,
    an address's local part, a key without its prefix."""
    forms = {secret, secret.removeprefix("fbk_"), secret.removeprefix("whsec_")}
    if secret.startswith("+86"):
        forms |= {secret[1:], secret[3:]}
    if "@" in secret:
        forms.add(secret.split("@")[0])
    return forms


def test_no_log_line_holds_a_contact_or_a_key(recording: Recording):
    lines = recording.log.getvalue().splitlines()

    assert len(lines) >= 10, "the flows logged almost nothing: is the capture still attached?"
    assert any('"level":"INFO"' in line or '"level": "INFO"' in line for line in lines)
    leaks = [(form, line) for line in lines for secret in recording.secrets for form in secret_forms(secret)
             if form in line]
    assert leaks == []


# -- IAM ----------------------------------------------------------------------------------------------

def required_permissions(call: AwsCall, region: str, account: str) -> list[tuple[str, str]]:
    """The (action, resource ARN) pairs IAM checks for one call."""
    service, _, operation = call.operation.partition(":")
    params = call.params

    def table(name: str, index: str | None = None) -> str:
        return f"arn:aws:dynamodb:{region}:{account}:table/{name}" + (f"/index/{index}" if index else "")

    if service == "dynamodb":
        if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable"):
            return [(f"dynamodb:{operation}", table(params["TableName"]))]
        if operation in ("Query", "Scan"):
            return [(f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName")))]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", table(name)) for name in params["RequestItems"]]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            # IAM checks each item's own action on its table.
            actions = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                       "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
            return [(f"dynamodb:{actions[kind]}", table(body["TableName"]))
                    for item in params["TransactItems"] for kind, body in item.items()]
    if service == "sns" and operation == "Publish":
        return [("sns:Publish", params.get("TopicArn") or params.get("TargetArn") or "*")]
    if service == "ses" and operation in ("SendRawEmail", "SendEmail"):
        domain = params["Source"].rpartition("@")[2]
        return [(f"ses:{operation}", f"arn:aws:ses:{region}:{account}:identity/{domain}")]
    if service == "kms" and operation in ("Encrypt", "Decrypt"):
        return [(f"kms:{operation}", f"arn:aws:kms:{region}:{account}:key/{params['KeyId']}")]
    if service == "sqs" and operation in ("SendMessage", "SendMessageBatch"):
        return [("sqs:SendMessage", f"arn:aws:sqs:{region}:{account}:{params['QueueUrl'].rstrip('/').split('/')[-1]}")]
    raise AssertionError(f"{call.function_id} calls {call.operation}: teach required_permissions its IAM actions")


def resolved_grants(local_stack: LocalStack) -> dict[str, list[tuple[iam.Grant, dict[str, Any]]]]:
    return {function_id: [(grant, local_stack.physical.resolve(grant.statement))
                          for grant in iam.function_grants(function_id)] for function_id in iam.function_ids()}


def test_every_function_ran(recording: Recording):
    assert recording.invoked == set(iam.function_ids())


def test_every_aws_call_is_allowed_by_its_functions_policy(local_stack: LocalStack, recording: Recording):
    grants = resolved_grants(local_stack)
    region, account = local_stack.physical.region, local_stack.physical.account_id
    denied = sorted({(call.function_id, action, resource) for call in recording.calls
                     for action, resource in required_permissions(call, region, account)
                     if not any(iam.allows(statement, action, resource)
                                for _, statement in grants[call.function_id])})

    assert recording.calls, "no AWS call was recorded"
    assert denied == []


def test_write_access_is_granted_only_where_the_code_writes(local_stack: LocalStack, recording: Recording):
    region, account = local_stack.physical.region, local_stack.physical.account_id
    written: dict[str, set[str]] = defaultdict(set)
    for call in recording.calls:
        for action, resource in required_permissions(call, region, account):
            if action in iam.DYNAMODB_WRITES or action == "dynamodb:ConditionCheckItem":
                written[call.function_id].add(resource.split("/")[1])
    unused = sorted((grant.function_id, grant.resource) for grant in
                    (grant for function_id in iam.function_ids() for grant in iam.function_grants(function_id))
                    if grant.writes and local_stack.physical.refs[grant.resource] not in written[grant.function_id])

    assert unused == []
