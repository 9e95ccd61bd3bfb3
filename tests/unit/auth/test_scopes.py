"""Who may call what: the one table every route's scope comes from."""

from __future__ import annotations

import pytest

from shared.auth.keys import KeyGrant, Scope, bearer_key, key_hash, new_api_key
from shared.auth.scopes import ACCOUNT_ROUTES, may_call

OPERATOR = KeyGrant(Scope.OPERATOR, None)
ACME = KeyGrant(Scope.ACCOUNT, "acme")


def test_an_operator_key_may_call_every_route():
    assert may_call(OPERATOR, "POST", "/v1/calls", {})
    assert may_call(OPERATOR, "GET", "/v1/accounts/{account_id}", {"account_id": "anyone"})


@pytest.mark.parametrize(("method", "resource"), sorted(ACCOUNT_ROUTES))
def test_an_account_key_may_call_the_account_routes_for_its_own_account_only(method, resource):
    own = {"account_id": "acme", "pack_id": "p", "request_id": "r"}
    other = {**own, "account_id": "globex"}

    assert may_call(ACME, method, resource, own)
    assert not may_call(ACME, method, resource, other)


@pytest.mark.parametrize(
    ("method", "resource"),
    [
        ("POST", "/v1/calls"),
        ("GET", "/v1/accounts"),
        ("POST", "/v1/accounts"),
        ("POST", "/v1/accounts/{account_id}/recharges"),
        ("POST", "/v1/accounts/{account_id}/grants"),
        ("POST", "/v1/accounts/{account_id}/keys"),
        ("POST", "/v1/accounts/{account_id}/violations"),
        ("POST", "/v1/accounts/{account_id}/eid-merchant"),
    ],
)
def test_an_account_key_may_not_call_operator_routes_even_for_itself(method, resource):
    assert not may_call(ACME, method, resource, {"account_id": "acme"})


def test_keys_are_random_prefixed_and_stored_only_as_their_hash():
    first, second = new_api_key(), new_api_key()

    assert first != second and first.startswith("fbk_") and len(first) > 40
    assert key_hash(first) == key_hash(first) != key_hash(second)
    assert first not in key_hash(first)


@pytest.mark.parametrize(
    ("header", "key"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer", None), (None, None), ("", None)],
)
def test_only_a_bearer_header_carries_a_key(header, key):
    assert bearer_key(header) == key
