"""The Lambda authorizer against the keys table: 401 for unknown keys, Allow/Deny by route scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from shared.auth.keys import KeyGrant, Scope, key_hash, new_api_key
from shared.config import settings
from tests.aws import aws_client, template_resources

OPERATOR_KEY = "fbk_operator-key-for-tests"


@pytest.fixture
def authorizer() -> Iterator:
    with template_resources({"OperatorKeyHash": key_hash(OPERATOR_KEY)}):
        import functions.authorizer.app as module

        yield module


def request_event(key: str | None, method: str, resource: str, path: str, params: dict | None = None) -> dict:
    return {
        "type": "REQUEST",
        "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:abc123/live/{method}{path}",
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Authorization": f"Bearer {key}"} if key else {},
        "pathParameters": params,
        "requestContext": {"resourcePath": resource, "httpMethod": method},
    }


class Context:
    function_name = "AuthorizerFunction"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:AuthorizerFunction"
    aws_request_id = "req"


def effect(answer: dict) -> str:
    return answer["policyDocument"]["Statement"][0]["Effect"]


def test_the_operator_key_of_the_deployment_may_call_anything(authorizer):
    answer = authorizer.handler(request_event(OPERATOR_KEY, "POST", "/v1/calls", "/v1/calls"), Context())

    assert effect(answer) == "Allow"
    assert answer["context"] == {"scope": "operator", "account_id": ""}


def test_an_account_key_is_allowed_on_its_own_account_and_denied_on_another(authorizer):
    from shared.store.api_keys import ApiKeyRepository

    key = new_api_key()
    ApiKeyRepository(aws_client("dynamodb"), settings().api_keys_table).add(
        key_hash(key), KeyGrant(Scope.ACCOUNT, "acme"), datetime(2026, 1, 1, tzinfo=UTC))
    own = request_event(key, "GET", "/v1/accounts/{account_id}", "/v1/accounts/acme", {"account_id": "acme"})
    other = request_event(key, "GET", "/v1/accounts/{account_id}", "/v1/accounts/globex", {"account_id": "globex"})
    calls = request_event(key, "POST", "/v1/calls", "/v1/calls")

    assert effect(authorizer.handler(own, Context())) == "Allow"
    assert authorizer.handler(own, Context())["context"] == {"scope": "account", "account_id": "acme"}
    assert effect(authorizer.handler(other, Context())) == "Deny"
    assert effect(authorizer.handler(calls, Context())) == "Deny"


@pytest.mark.parametrize("key", [None, "fbk_unknown", "not-a-bearer"])
def test_a_missing_or_unknown_key_is_unauthorized(authorizer, key):
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(request_event(key, "GET", "/v1/accounts", "/v1/accounts"), Context())
