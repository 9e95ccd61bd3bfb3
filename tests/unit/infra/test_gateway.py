"""The local API Gateway: route precedence, the proxy event, proxy answers, authorizer policies."""

from __future__ import annotations

import base64

from infra.local.gateway import HttpRequest, RouteTable, policy_allows, proxy_event, proxy_response
from infra.local.template import ApiRoute


def route(path: str, method: str = "GET") -> ApiRoute:
    return ApiRoute(function_id="Fn", method=method, path=path, api_id=None, authorizer=None)


def request(method: str = "GET", path: str = "/", body: bytes = b"") -> HttpRequest:
    return HttpRequest(method=method, path=path, query=[("a", "1"), ("a", "2")], headers=[("X-One", "1")],
                       body=body, client_ip="127.0.0.1")


def test_a_static_path_wins_over_a_path_parameter():
    table = RouteTable([route("/v1/accounts/{account_id}"), route("/v1/accounts/export")])

    matched, params = table.match("GET", "/v1/accounts/export")

    assert matched.path == "/v1/accounts/export" and params == {}
    assert table.match("GET", "/v1/accounts/acme") == (route("/v1/accounts/{account_id}"), {"account_id": "acme"})


def test_methods_must_match_unless_the_route_takes_any():
    table = RouteTable([route("/v1/calls", "POST"), route("/v1/{proxy+}", "ANY")])

    assert table.match("POST", "/v1/calls")[0].method == "POST"
    assert table.match("DELETE", "/v1/calls") == (route("/v1/{proxy+}", "ANY"), {"proxy": "calls"})
    assert RouteTable([route("/v1/calls", "POST")]).match("GET", "/v1/calls") is None


def test_a_path_parameter_never_spans_two_segments():
    assert RouteTable([route("/v1/accounts/{account_id}")]).match("GET", "/v1/accounts/a/b") is None


def test_the_proxy_event_has_the_rest_api_shape():
    event = proxy_event(request("POST", "/v1/things/7", b'{"x": 1}'), route("/v1/things/{id}", "POST"), {"id": "7"})

    assert event["resource"] == "/v1/things/{id}"
    assert event["pathParameters"] == {"id": "7"}
    assert event["queryStringParameters"] == {"a": "2"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["body"] == '{"x": 1}' and event["isBase64Encoded"] is False
    assert event["requestContext"]["stage"] == "live"


def test_a_binary_body_is_sent_base64_encoded():
    event = proxy_event(request("POST", "/x", b"\xff\x00"), route("/x", "POST"), {})

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00"


def test_a_proxy_answer_becomes_the_http_response_and_a_malformed_one_a_502():
    answer = proxy_response({"statusCode": 201, "multiValueHeaders": {"Set-Cookie": ["a", "b"]},
                             "headers": {"Content-Type": "text/csv"}, "body": "x,y"})

    assert answer.status == 201
    assert ("Set-Cookie", "a") in answer.headers and ("Set-Cookie", "b") in answer.headers
    assert answer.body == b"x,y"
    assert proxy_response({"body": "no status"}).status == 502


def test_an_authorizer_policy_allows_only_matching_resources_and_an_explicit_deny_wins():
    arn = "arn:aws:execute-api:us-east-1:123456789012:local/live/GET/v1/things"
    allow_all = {"policyDocument": {"Statement": [{"Effect": "Allow", "Resource": "arn:aws:execute-api:*"}]}}
    deny_this = {"Effect": "Deny", "Resource": [arn]}

    assert policy_allows(allow_all, arn)
    assert not policy_allows({"policyDocument": {"Statement": [
        {"Effect": "Allow", "Resource": "arn:aws:execute-api:*:*:other/*"}]}}, arn)
    assert not policy_allows({"policyDocument": {"Statement": [*allow_all["policyDocument"]["Statement"],
                                                              deny_this]}}, arn)
