"""Bad input the generated fuzz may never reach, sent on purpose through the gateway: oversized bodies,
bodies that are not UTF-8 or not objects, wrong types, floats and huge numbers for money and counts, odd
Unicode in ids, dates out of range, and requests without a valid key. Each is refused in API.md's error
shape, never with a 5xx, and leaves every table as it was."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from infra.local.server import MAX_BODY_BYTES
from infra.local.template import StackTemplate, load_template
from tests.fuzz.error_shape import error_shape_problems
from tests.fuzz.gateway import OPERATOR_KEY, FuzzedStack, Seeded, stored_items
from tests.support import REPO_ROOT, Answer, HttpClient

ACME = "/v1/accounts/acme"
CALL = {"account_id": "acme", "request_id": "c-odd", "channel": "verify.phone_2e", "return_code": "0",
        "occurred_at": "2026-03-01T11:30:00+08:00"}


def refused(client: HttpClient, method: str, path: str, body: Any = None) -> Answer:
    """Send one request that must be refused: its answer, checked for shape and for storing nothing."""
    before = stored_items()
    answer = client.request(method, path, body=body)
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    assert not error_shape_problems(answer.status, answer.body), error_shape_problems(answer.status, answer.body)
    assert stored_items() == before, f"{method} {path} was refused but changed the tables"
    return answer


def detail_fields(answer: Answer) -> list[str]:
    return [detail["field"] for detail in answer.json()["error"]["details"]]


@pytest.fixture(autouse=True)
def _seeded(seeded: Seeded) -> None:
    """Every case runs against the seeded account `acme`."""


# -- paths ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/v1/accounts/a%25b",                       # '%' and every non-ASCII character once made the authorizer fail
    "/v1/accounts/%C2%A1%F1%AB%87%9C",
    "/v1/accounts/ac~me/packs",
    "/v1/accounts/acme%00",
    "/v1/accounts/%E2%80%AEemca",               # right-to-left override
    "/v1/accounts/" + "a" * 65,
    "/v1/accounts/acme/calls/%F0%9F%92%A5" + "x" * 200,
])
def test_an_id_of_odd_characters_in_a_path_is_a_validation_error(stack: FuzzedStack, path: str):
    answer = refused(stack.operator, "GET", path)

    assert answer.status == 400 and answer.json()["error"]["code"] == "VALIDATION_ERROR"


# -- bodies that are not what a route reads -------------------------------------------------------

@pytest.mark.parametrize(("path", "body"), [
    ("/v1/accounts", b'\xff\xfe{"account_id": "x"}'),   # not UTF-8: once a 500 from the body's decoding
    ("/v1/calls", b'{"calls": [\xc3\x28]}'),
    (f"{ACME}/packs/p/refund", b"\x80"),
    ("/v1/accounts", b'{"account_id": "x", '),            # not JSON
    ("/v1/accounts", b"[]"),
    ("/v1/accounts", b'"acme"'),
    ("/v1/accounts", b"null"),
    (f"{ACME}/recharges", b"1e999999"),
    ("/v1/calls", b'{"calls": {}}'),
    ("/v1/calls", b'{"calls": []}'),
])
def test_a_body_that_is_not_a_json_object_of_the_route_is_a_validation_error(stack: FuzzedStack, path, body):
    answer = refused(stack.operator, "POST", path, body)

    assert answer.status == 400 and answer.json()["error"]["code"] == "VALIDATION_ERROR"


def test_a_body_over_the_gateways_limit_is_payload_too_large(stack: FuzzedStack):
    # The gateway answers from the declared length and closes before reading the body, so none is sent.
    before = stored_items()
    connection = http.client.HTTPConnection(urlsplit(stack.base_url).netloc, timeout=30)
    connection.putrequest("POST", "/v1/accounts")
    connection.putheader("Authorization", f"Bearer {OPERATOR_KEY}")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()

    assert response.status == 413 and json.loads(body)["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert not error_shape_problems(response.status, body)
    assert stored_items() == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/accounts", {"account_id": "big", "contacts": {"email": "a" * 1_000_000 + "@x.example"}}, "contacts.email"),
    ("/v1/accounts", {"account_id": "b" * 3_000_000, "contacts": {}}, "account_id"),
    ("/v1/calls", {"calls": [{**CALL, "request_id": f"c-{n}"} for n in range(501)]}, "calls"),
    (f"{ACME}/recharges", {"recharge_id": "r" * 100_000, "wallet": "cash", "amount": "1.00"}, "recharge_id"),
])
def test_a_large_body_under_the_limit_is_refused_by_its_fields_size(stack: FuzzedStack, path, body, field):
    answer = refused(stack.operator, "POST", path, body)

    assert answer.status == 400 and field in detail_fields(answer)


# -- money, counts and types ----------------------------------------------------------------------

@pytest.mark.parametrize(("path", "body", "field"), [
    (f"{ACME}/recharges", {"recharge_id": "r-f", "wallet": "cash", "amount": 100.5}, "amount"),
    (f"{ACME}/recharges", {"recharge_id": "r-i", "wallet": "cash", "amount": 100}, "amount"),
    (f"{ACME}/recharges", {"recharge_id": "r-e", "wallet": "cash", "amount": "1e3"}, "amount"),
    (f"{ACME}/recharges", {"recharge_id": "r-3", "wallet": "cash", "amount": "0.001"}, "amount"),
    (f"{ACME}/recharges", {"recharge_id": "r-n", "wallet": "cash", "amount": "-5.00"}, "amount"),
    (f"{ACME}/recharges", {"recharge_id": "r-h", "wallet": "cash", "amount": "9" * 13 + ".00"}, "amount"),
    (f"{ACME}/recharges", {"recharge_id": "r-x", "wallet": "cash", "amount": "NaN"}, "amount"),
    (f"{ACME}/recharges", {"recharge_id": "r-w", "wallet": "bitcoin", "amount": "1.00"}, "wallet"),
    (f"{ACME}/packs", {"purchase_id": "p-f", "billing_tag": "phone_2e", "size": 1000, "voucher_amount": 1.5},
     "voucher_amount"),
    (f"{ACME}/packs", {"purchase_id": "p-s", "billing_tag": "phone_2e", "size": "1000"}, "size"),
    (f"{ACME}/packs", {"purchase_id": "p-b", "billing_tag": "phone_2e", "size": True}, "size"),
    (f"{ACME}/packs", {"purchase_id": "p-h", "billing_tag": "phone_2e", "size": 10**30}, "size"),
    (f"{ACME}/packs", {"purchase_id": "p-q", "billing_tag": "phone_2e", "size": 1000, "quantity": 10**20},
     "quantity"),
    (f"{ACME}/grants", {"grant_id": "g-h", "billing_tag": "phone_2e", "size": 100, "valid_days": 10**12},
     "valid_days"),
    (f"{ACME}/grants", {"grant_id": "g-f", "billing_tag": "phone_2e", "size": 100.0}, "size"),
    (f"{ACME}/violations", {"suspend": "yes"}, "suspend"),
])
def test_money_that_is_not_a_string_of_yuan_and_counts_that_are_not_sane_integers_are_refused(
        stack: FuzzedStack, path, body, field):
    answer = refused(stack.operator, "POST", path, body)

    assert answer.status == 400 and field in detail_fields(answer), answer.json()


@pytest.mark.parametrize("query", [
    "/v1/quote?billing_tag=phone_2e&calls=" + "9" * 40,
    "/v1/quote?billing_tag=phone_2e&calls=1.5",
    "/v1/quote?billing_tag=phone_2e&calls=-1",
    "/v1/accounts?limit=" + "9" * 30,
    "/v1/accounts?limit=0",
    f"{ACME}/messages?limit=1e3",
])
def test_huge_or_fractional_counts_in_a_query_are_validation_errors(stack: FuzzedStack, query: str):
    assert refused(stack.operator, "GET", query).status == 400


# -- odd Unicode in ids and texts -----------------------------------------------------------------

@pytest.mark.parametrize("account_id", [
    "acme\u200b", "ａｃｍｅ", "\u202eemca", "ac\x00me", "\ud800", "😀", "acme\n", "", " acme",
])
def test_an_account_id_of_odd_unicode_is_refused_and_opens_nothing(stack: FuzzedStack, account_id: str):
    answer = refused(stack.operator, "POST", "/v1/accounts", {"account_id": account_id, "contacts": {}})

    assert answer.status == 400 and "account_id" in detail_fields(answer)


@pytest.mark.parametrize("email", ["\ud800@x.example", "a@b", "a\u2028b@x.example", "a @x.example"])
def test_a_contact_of_odd_unicode_is_refused(stack: FuzzedStack, email: str):
    answer = refused(stack.operator, "PATCH", ACME, {"contacts": {"email": email}})

    assert answer.status == 400


@pytest.mark.parametrize(("field", "value"), [
    ("request_id", "x" * 129), ("request_id", ""), ("request_id", 7),
    ("channel", "verify.phone_2e\u200b"),
    ("return_code", 1.5), ("return_code", True), ("return_code", "x" * 10_000), ("account_id", "a" * 129),
    ("occurred_at", "0001-01-01T00:00:00+00:00"), ("occurred_at", "9999-12-31T23:59:59-12:00"),
    ("occurred_at", "10000-01-01T00:00:00Z"), ("occurred_at", "2026-02-30T00:00:00+08:00"),
    ("occurred_at", "2026-03-01T11:30:00"), ("occurred_at", 1772335800),
])
def test_a_call_of_odd_values_is_rejected_alone_and_stores_nothing(stack: FuzzedStack, field: str, value: Any):
    before = stored_items()

    call = {**CALL, "request_id": f"c-{field}-{len(str(value))}", field: value}

    answer = stack.operator.post("/v1/calls", {"calls": [call]})

    assert answer.status == 200, answer.body[:300]
    [result] = answer.json()["results"]
    assert result["status"] == "rejected" and result["error"]["field"] == f"calls[0].{field}", result
    assert stored_items() == before


# -- dates out of range ---------------------------------------------------------------------------

@pytest.mark.parametrize("activated_at", [
    "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00", "10000-01-01T00:00:00Z", "2999-01-01T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-03-01", "2026-03-01T00:00:00", "-2026-03-01T00:00:00Z",
])
def test_an_activation_instant_out_of_range_is_refused(stack: FuzzedStack, activated_at: str):
    body = {"account_id": "dated", "activated_at": activated_at, "contacts": {}}

    assert refused(stack.operator, "POST", "/v1/accounts", body).status == 400


@pytest.mark.parametrize("query", [
    f"{ACME}/bills?from=0001-01-01&to=9999-12-31",
    f"{ACME}/bills?from=2026-02-30",
    f"{ACME}/bills?from=2026-03-10&to=2026-03-01",
    f"{ACME}/usage?date=0000-01-01",
    f"{ACME}/usage?date=99999-01-01",
    f"{ACME}/usage/daily?from=1969-12-31",
    f"{ACME}/bills/resources?month=9999-13",
    f"{ACME}/bills/details?month=0000-00",
    f"{ACME}/bills/details?month=2026-3",
])
def test_a_date_out_of_range_in_a_query_is_refused(stack: FuzzedStack, query: str):
    assert refused(stack.operator, "GET", query).status == 400


# -- keys -----------------------------------------------------------------------------------------

def keyed_routes() -> list[tuple[str, str]]:
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
    return sorted((route.method, route.path) for route in template.api_routes() if route.authorizer)


@pytest.mark.parametrize("authorization", [None, "Bearer fbk_not-a-key", "Basic YWNtZTpwdw==", "Bearer", ""])
@pytest.mark.parametrize(("method", "path"), keyed_routes())
def test_every_keyed_route_answers_401_in_shape_without_a_valid_key(stack: FuzzedStack, seeded: Seeded, method,
                                                                      path, authorization):
    concrete = path.format(**seeded.path_parameters())
    client = stack.anonymous if authorization is None else HttpClient(stack.base_url, {"Authorization": authorization})
    body = {} if method != "GET" else None

    answer = refused(client, method, concrete, body)

    assert answer.status == 401 and answer.json()["error"]["code"] == "UNAUTHENTICATED"
