"""The API Gateway resolver every HTTP function uses: validation on, API.md's errors, readable JSON."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from shared.web.errors import register_error_handlers


def _json(payload: Any) -> str:
    # Chinese names stay readable in answers; compact separators keep bodies small.
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate echoed from a request (a refused id) has no UTF-8 form; escaped, it is still JSON.
        return json.dumps(payload, separators=(",", ":"))
    return text


def _as_json_request(event: dict[str, Any]) -> dict[str, Any]:
    """This API speaks only JSON (API.md), so a body is JSON whatever Content-Type the client sent:
    `curl -d '{...}'` (sent as a form) must not have its body half-parsed as form fields."""
    if not event.get("body"):
        return event
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    return {
        **event,
        "headers": {**headers, "Content-Type": "application/json"},
        "multiValueHeaders": {**multi, "Content-Type": ["application/json"]},
    }


class JsonApiResolver(APIGatewayRestResolver):
    def resolve(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return super().resolve(_as_json_request(event), context)


def api_resolver() -> APIGatewayRestResolver:
    resolver = JsonApiResolver(enable_validation=True, serializer=_json)
    register_error_handlers(resolver)
    return resolver
