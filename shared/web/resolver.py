"""The API Gateway resolver every HTTP function uses: validation on, API.md's errors, readable JSON."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from shared.web.errors import register_error_handlers


def _json(payload: Any) -> str:
    # Chinese names stay readable in answers; compact separators keep bodies small.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def api_resolver() -> APIGatewayRestResolver:
    resolver = APIGatewayRestResolver(enable_validation=True, serializer=_json)
    register_error_handlers(resolver)
    return resolver
