"""API Gateway, locally: match a request to a route of the template, build the REST proxy event the
route would send its function, run the API's Lambda authorizer if the template declares one, and turn
the function's answer back into an HTTP response."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from infra.local.template import ApiRoute

STAGE = "live"
# The methods a REST API resource can have; a route of method ANY answers each of them (and nothing else).
API_GATEWAY_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    client_ip: str


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @classmethod
    def json(cls, status: int, payload: Any) -> HttpResponse:
        return cls(status, [("Content-Type", "application/json")], json.dumps(payload, ensure_ascii=False).encode())


def api_error(status: int, code: str, message: str, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    response = HttpResponse.json(status, {"error": {"code": code, "message": message, "details": []}})
    return HttpResponse(status, response.headers + list(headers or []), response.body)


def method_not_allowed(method: str, path: str, allowed: list[str]) -> HttpResponse:
    """405 for a method that nothing on this path answers, with `Allow` naming the methods that something does."""
    allow = ", ".join(allowed)
    return api_error(405, "METHOD_NOT_ALLOWED", f"{path} answers {allow}, not {method}.", [("Allow", allow)])


class _CompiledRoute:
    def __init__(self, route: ApiRoute):
        self.route = route
        pattern = ""
        self.static_segments = 0
        for segment in route.path.strip("/").split("/"):
            greedy = re.fullmatch(r"\{(\w+)\+\}", segment)
            param = re.fullmatch(r"\{(\w+)\}", segment)
            if greedy:
                pattern += f"/(?P<{greedy.group(1)}>.+)"
            elif param:
                pattern += f"/(?P<{param.group(1)}>[^/]+)"
            else:
                pattern += "/" + re.escape(segment)
                self.static_segments += 1
        self.regex = re.compile(f"^{pattern or '/'}$")
        self.greedy = "+}" in route.path

    @property
    def methods(self) -> tuple[str, ...]:
        return API_GATEWAY_METHODS if self.route.method == "ANY" else (self.route.method,)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method not in self.methods:
            return None
        found = self.regex.match(path)
        return found.groupdict() if found else None


class RouteTable:
    """The template's Api events; the most specific route wins, as in API Gateway."""

    def __init__(self, routes: list[ApiRoute]):
        compiled = [_CompiledRoute(route) for route in routes]
        compiled.sort(key=lambda c: (c.greedy, -c.static_segments, c.route.method == "ANY"))
        self._routes = compiled

    def match(self, method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | None:
        for compiled in self._routes:
            params = compiled.match(method, path)
            if params is not None:
                return compiled.route, params
        return None

    def allowed_methods(self, path: str) -> list[str]:
        """Every method that `match` routes on this path, sorted; empty when no route has the path."""
        return sorted({method for compiled in self._routes if compiled.regex.match(path)
                       for method in compiled.methods})

    def __iter__(self):
        return (compiled.route for compiled in self._routes)


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key, []).append(value)
    return multi


def _body_field(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def proxy_event(
    request: HttpRequest,
    route: ApiRoute,
    path_parameters: dict[str, str],
    authorizer_context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The REST API (v1) Lambda proxy event API Gateway sends for this request."""
    multi_headers = _multi(request.headers)
    multi_query = _multi(request.query)
    body, is_base64 = _body_field(request.body)
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "resourceId": "local",
        "resourcePath": route.path,
        "httpMethod": request.method,
        "path": f"/{STAGE}{request.path}",
        "stage": STAGE,
        "protocol": "HTTP/1.1",
        "requestId": str(uuid.uuid4()),
        "requestTimeEpoch": int(time.time() * 1000),
        "domainName": "127.0.0.1",
        "identity": {"sourceIp": request.client_ip, "userAgent": multi_headers.get("User-Agent", [""])[-1]},
    }
    if authorizer_context is not None:
        request_context["authorizer"] = authorizer_context
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": {key: values[-1] for key, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {key: values[-1] for key, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def proxy_response(result: Any) -> HttpResponse:
    """What API Gateway answers for a proxy integration's result (502 if the result is malformed)."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return api_error(502, "BAD_GATEWAY", "The function answered something that is not a proxy response.")
    headers: list[tuple[str, str]] = []
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((key, str(value)) for value in values)
    single = {key: str(value) for key, value in (result.get("headers") or {}).items()}
    present = {key.lower() for key, _ in headers}
    headers.extend((key, value) for key, value in single.items() if key.lower() not in present)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    return HttpResponse(result["statusCode"], headers, raw)


def method_arn(request: HttpRequest, route: ApiRoute) -> str:
    return f"arn:aws:execute-api:us-east-1:123456789012:local/{STAGE}/{request.method}{request.path}"


def authorizer_event(kind: str, header: str, request: HttpRequest, route: ApiRoute,
                     path_parameters: dict[str, str]) -> dict[str, Any]:
    if kind == "TOKEN":
        token = dict((k.lower(), v) for k, v in request.headers).get(header.lower())
        return {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn(request, route)}
    event = proxy_event(request, route, path_parameters)
    event.update({"type": "REQUEST", "methodArn": method_arn(request, route)})
    return event


def policy_allows(policy: dict[str, Any], arn: str) -> bool:
    """Evaluate the IAM policy a Lambda authorizer returned for this method ARN (explicit Deny wins)."""
    allowed = False
    for statement in (policy.get("policyDocument") or {}).get("Statement", []):
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if not any(re.fullmatch(re.escape(r).replace(r"\*", ".*"), arn) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed
