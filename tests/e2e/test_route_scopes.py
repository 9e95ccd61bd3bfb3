"""Every route of template.yaml, called through the local stack (the real authorizer, the real gateway
refusals, the real handlers) with no key, an unknown key, the operator key and account keys, on the key's
own account and on another's: the scope of tests/route_scopes.py holds for each, and a refused request
stores nothing. Also: API keys are stored only as their hash."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from infra.local.stack import LocalStack
from tests.route_scopes import ACCOUNT, NONE, OPERATOR, ROUTE_SCOPES
from tests.support import Answer, HttpClient

ACME, GLOBEX, INITECH = "scope-acme", "scope-globex", "scope-initech"
_unique = itertools.count(1)


@dataclass(frozen=True)
class Ids:
    """One account's ids, for the path parameters and bodies of a request made on that account."""

    account_id: str
    pack_id: str
    request_id: str
    now: str
    webhook_id: str
    delivery_id: str


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any = None


# A request each route would carry out, given the ids of the account it names: a refused request must be
# refused for its key, not for its content, and would leave a trace had it been carried out.
SAMPLES: dict[tuple[str, str], Callable[[Ids, int], Any]] = {
    ("GET", "/v1/catalog"): lambda ids, n: None,
    ("GET", "/v1/quote"): lambda ids, n: {"query": "billing_tag=phone_2e&calls=1000"},
    ("GET", "/v1/openapi.json"): lambda ids, n: None,
    ("GET", "/v1/docs"): lambda ids, n: None,
    ("GET", "/v1/accounts"): lambda ids, n: None,
    ("POST", "/v1/accounts"): lambda ids, n: {"body": {"account_id": f"scope-new-{n}", "contacts": {}}},
    ("GET", "/v1/accounts/{account_id}"): lambda ids, n: None,
    ("PATCH", "/v1/accounts/{account_id}"): lambda ids, n: {"body": {"contacts": {"email": f"changed-{n}@x.example"},
                                                                     "postpaid_enabled": False}},
    ("POST", "/v1/accounts/{account_id}/recharges"): lambda ids, n: {
        "body": {"recharge_id": f"scope-r{n}", "amount": "100.00", "wallet": "cash"}},
    ("POST", "/v1/accounts/{account_id}/eid-merchant"): lambda ids, n: None,
    ("POST", "/v1/accounts/{account_id}/violations"): lambda ids, n: {"body": {"suspend": True}},
    ("POST", "/v1/accounts/{account_id}/keys"): lambda ids, n: None,
    ("POST", "/v1/accounts/{account_id}/grants"): lambda ids, n: {
        "body": {"grant_id": f"scope-g{n}", "billing_tag": "phone_2e", "size": 100}},
    ("GET", "/v1/accounts/{account_id}/entitlement"): lambda ids, n: {"query": "channel=verify.id_2e"},
    ("POST", "/v1/calls"): lambda ids, n: {"body": {"calls": [
        {"request_id": f"scope-c{n}", "account_id": ids.account_id, "channel": "verify.id_2e", "return_code": "0",
         "occurred_at": ids.now}]}},
    ("POST", "/v1/accounts/{account_id}/packs"): lambda ids, n: {
        "body": {"purchase_id": f"scope-p{n}", "billing_tag": "phone_2e", "size": 1000}},
    ("GET", "/v1/accounts/{account_id}/packs"): lambda ids, n: None,
    ("PATCH", "/v1/accounts/{account_id}/packs/{pack_id}"): lambda ids, n: {"body": {"auto_renew": True}},
    ("POST", "/v1/accounts/{account_id}/packs/{pack_id}/refund"): lambda ids, n: {"body": {"refund_id": f"scope-f{n}"}},
    ("GET", "/v1/accounts/{account_id}/bills"): lambda ids, n: None,
    ("GET", "/v1/accounts/{account_id}/bills/resources"): lambda ids, n: None,
    ("GET", "/v1/accounts/{account_id}/bills/details"): lambda ids, n: {"query": "format=csv"},
    ("GET", "/v1/accounts/{account_id}/usage"): lambda ids, n: None,
    ("GET", "/v1/accounts/{account_id}/usage/daily"): lambda ids, n: None,
    ("GET", "/v1/accounts/{account_id}/messages"): lambda ids, n: None,
    ("POST", "/v1/accounts/{account_id}/webhooks"): lambda ids, n: {"body": {"url": f"http://127.0.0.1:9/hook-{n}"}},
    ("GET", "/v1/accounts/{account_id}/webhooks"): lambda ids, n: None,
    ("DELETE", "/v1/accounts/{account_id}/webhooks/{webhook_id}"): lambda ids, n: None,
    ("POST", "/v1/accounts/{account_id}/webhooks/{webhook_id}/secret"): lambda ids, n: None,
    ("GET", "/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries"): lambda ids, n: None,
    ("POST", "/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): lambda ids, n: None,
    ("GET", "/v1/accounts/{account_id}/calls/{request_id}"): lambda ids, n: None,
    ("GET", "/v1/reconciliation"): lambda ids, n: {"query": "date=2026-03-01"},
    ("GET", "/v1/reports/revenue"): lambda ids, n: {"query": "from=2026-03-01&to=2026-03-01"},
}


def call_for(route: tuple[str, str], ids: Ids) -> Call:
    method, path = route
    if route not in SAMPLES:
        pytest.fail(f"no sample request for {method} {path}: add one to SAMPLES")
    sample = SAMPLES[route](ids, next(_unique)) or {}
    concrete = path.format(account_id=ids.account_id, pack_id=ids.pack_id, request_id=ids.request_id,
                           webhook_id=ids.webhook_id, delivery_id=ids.delivery_id)
    query = sample.get("query")
    return Call(method, concrete + (f"?{query}" if query else ""), sample.get("body"))


def send(client: HttpClient, call: Call) -> Answer:
    return client.request(call.method, call.path, body=call.body)


def routes_of(*scopes: str) -> list[tuple[str, str]]:
    return sorted(route for route, scope in ROUTE_SCOPES.items() if scope in scopes)


def route_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


def assert_refused(answer: Answer, status: int, code: str, call: Call) -> None:
    assert answer.status == status, f"{call.method} {call.path}: {answer.status} {answer.body[:200]!r}"
    assert answer.json() == {"error": {"code": code, "message": answer.json()["error"]["message"], "details": []}}


def assert_served(answer: Answer, call: Call) -> None:
    """The authorizer let it through: the handler answered (maybe refusing the content, never the key)."""
    assert answer.status not in (401, 403), f"{call.method} {call.path}: {answer.status} {answer.body[:200]!r}"
    assert answer.status < 500, f"{call.method} {call.path}: {answer.status} {answer.body[:200]!r}"


@dataclass(frozen=True)
class World:
    keys: dict[str, str]  # account -> its plain account key
    ids: dict[str, Ids]


def _open_account(operator: HttpClient, account_id: str, now: str) -> Ids:
    assert operator.post("/v1/accounts", {"account_id": account_id,
                                          "contacts": {"email": f"ops@{account_id}.example"}}).status == 201
    assert operator.post(f"/v1/accounts/{account_id}/recharges",
                         {"recharge_id": f"{account_id}-r0", "amount": "5000.00", "wallet": "cash"}).status == 200
    # A webhook to a port nothing listens on (its deliveries fail and are retried: none of this test's concern).
    webhook = operator.post(f"/v1/accounts/{account_id}/webhooks", {"url": "http://127.0.0.1:9/hook",
                                                                     "event_types": ["pack_delivered"]})
    assert webhook.status == 201, webhook.body
    webhook_id = webhook.json()["webhook_id"]
    bought = operator.post(f"/v1/accounts/{account_id}/packs",
                           {"purchase_id": f"{account_id}-p0", "billing_tag": "id_verification", "size": 1000})
    assert bought.status == 201, bought.body
    call = {"request_id": f"{account_id}-c0", "account_id": account_id, "channel": "verify.id_2e",
            "return_code": "0", "occurred_at": now}
    assert operator.post("/v1/calls", {"calls": [call]}).json()["results"][0]["status"] == "accepted"
    [delivery] = operator.get(f"/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries").json()["deliveries"]
    return Ids(account_id, bought.json()["packs"][0]["pack_id"], call["request_id"], now, webhook_id,
               delivery["delivery_id"])


@pytest.fixture(scope="module")
def world(operator: HttpClient) -> World:
    now = operator.get("/_local/clock").json()["now"]
    ids = {account_id: _open_account(operator, account_id, now) for account_id in (ACME, GLOBEX, INITECH)}
    keys = {account_id: operator.post(f"/v1/accounts/{account_id}/keys").json()["api_key"]
            for account_id in (ACME, GLOBEX)}
    return World(keys, ids)


def snapshot(operator: HttpClient, account_id: str) -> dict[str, Any]:
    """What a request on the account could have changed, as the operator reads it."""
    paths = ["", "/packs", "/bills/details?format=csv", "/usage", "/webhooks"]  # balance, packs, ledger, calls, hooks
    return {path: operator.get(f"/v1/accounts/{account_id}{path}").body for path in paths}


@pytest.mark.parametrize("route", routes_of(NONE), ids=route_id)
def test_the_no_key_routes_are_open(api: HttpClient, world: World, route):
    call = call_for(route, world.ids[ACME])

    assert send(api, call).status == 200


@pytest.mark.parametrize("route", routes_of(ACCOUNT, OPERATOR), ids=route_id)
def test_without_a_known_key_every_other_route_is_401(api: HttpClient, world: World, route):
    call = call_for(route, world.ids[ACME])
    unknown = "fbk_" + hashlib.sha256(b"never issued").hexdigest()

    assert_refused(send(api, call), 401, "UNAUTHENTICATED", call)
    assert_refused(send(api.with_key(unknown), call), 401, "UNAUTHENTICATED", call)
    assert_refused(api.request(call.method, call.path, body=call.body,
                               headers={"Authorization": f"Basic {world.keys[ACME]}"}), 401, "UNAUTHENTICATED", call)


@pytest.mark.parametrize("route", routes_of(ACCOUNT, OPERATOR), ids=route_id)
def test_the_operator_key_may_call_every_route(operator: HttpClient, world: World, route):
    call = call_for(route, world.ids[INITECH])

    assert_served(send(operator, call), call)


@pytest.mark.parametrize("route", routes_of(ACCOUNT), ids=route_id)
def test_an_account_key_may_call_the_account_routes_on_its_own_account(api: HttpClient, world: World, route):
    call = call_for(route, world.ids[ACME])

    assert_served(send(api.with_key(world.keys[ACME]), call), call)


@pytest.mark.parametrize("route", routes_of(OPERATOR), ids=route_id)
def test_an_account_key_may_not_call_an_operator_route_even_on_its_own_account(
        api: HttpClient, operator: HttpClient, world: World, route):
    call = call_for(route, world.ids[ACME])
    before = snapshot(operator, ACME)

    assert_refused(send(api.with_key(world.keys[ACME]), call), 403, "FORBIDDEN", call)
    assert snapshot(operator, ACME) == before


@pytest.mark.parametrize("route", [route for route in routes_of(ACCOUNT, OPERATOR) if "{account_id}" in route[1]],
                         ids=route_id)
def test_an_account_key_is_refused_on_another_accounts_path_and_changes_nothing(
        api: HttpClient, operator: HttpClient, world: World, route):
    call = call_for(route, world.ids[GLOBEX])
    before = snapshot(operator, GLOBEX)

    assert_refused(send(api.with_key(world.keys[ACME]), call), 403, "FORBIDDEN", call)
    assert snapshot(operator, GLOBEX) == before


def test_another_accounts_pack_and_call_ids_under_ones_own_path_are_not_found(
        api: HttpClient, operator: HttpClient, world: World):
    acme = api.with_key(world.keys[ACME])
    globex = world.ids[GLOBEX]
    before = snapshot(operator, GLOBEX)

    refund = acme.post(f"/v1/accounts/{ACME}/packs/{globex.pack_id}/refund", {"refund_id": "scope-steal"})
    lookup = acme.get(f"/v1/accounts/{ACME}/calls/{globex.request_id}")

    assert (refund.status, refund.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert (lookup.status, lookup.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert snapshot(operator, GLOBEX) == before


def test_an_account_id_in_a_body_never_reaches_another_account(api: HttpClient, operator: HttpClient, world: World):
    """The only bodies that name an account are operator-only (accounts, calls); an account field slipped
    into an account route's body is refused as unknown, never acted on."""
    acme = api.with_key(world.keys[ACME])
    before = snapshot(operator, GLOBEX)
    call = {"request_id": "scope-smuggled", "account_id": GLOBEX, "channel": "verify.id_2e", "return_code": "0",
            "occurred_at": world.ids[ACME].now}

    ingested = acme.post("/v1/calls", {"calls": [call]})
    created = acme.post("/v1/accounts", {"account_id": "scope-by-account-key", "contacts": {}})
    patched = acme.patch(f"/v1/accounts/{ACME}", {"account_id": GLOBEX, "postpaid_enabled": True})
    bought = acme.post(f"/v1/accounts/{ACME}/packs", {"purchase_id": "scope-smuggle-p", "billing_tag": "phone_2e",
                                                      "size": 1000, "account_id": GLOBEX})

    assert (ingested.status, created.status) == (403, 403)
    assert patched.status == 400 and patched.json()["error"]["details"][0]["field"] == "account_id"
    assert bought.status == 400 and bought.json()["error"]["details"][0]["field"] == "account_id"
    assert snapshot(operator, GLOBEX) == before
    assert operator.get(f"/v1/accounts/{GLOBEX}/calls/scope-smuggled").status == 404
    assert operator.get("/v1/accounts/scope-by-account-key").status == 404


def test_keys_are_stored_only_as_their_sha256(local_stack: LocalStack, world: World):
    dynamodb = local_stack.aws.client("dynamodb")
    tables = {logical_id: local_stack.physical.refs[logical_id]
              for logical_id in local_stack.template.resources_of_type("AWS::DynamoDB::Table")}
    stored = {logical_id: [item for page in dynamodb.get_paginator("scan").paginate(TableName=name)
                           for item in page["Items"]] for logical_id, name in tables.items()}
    key_items = {item["key_hash"]["S"]: item for item in stored["ApiKeysTable"]}

    for account_id, key in world.keys.items():
        hashed = hashlib.sha256(key.encode()).hexdigest()
        assert key_items[hashed]["account_id"]["S"] == account_id
        for logical_id, items in stored.items():
            assert key not in repr(items), f"a plain API key is stored in {logical_id}"
            assert key.removeprefix("fbk_") not in repr(items), f"a plain API key is stored in {logical_id}"
