"""GET /v1/openapi.json and GET /v1/docs: the API's own documents, from every function's resolver."""

from __future__ import annotations

import json
from pathlib import Path

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.web.openapi import error_responses

FUNCTIONS_DIR = Path(__file__).resolve().parents[1]

router = APIGatewayRouter()


def _document_json() -> str:
    from shared.web.openapi import merged_document

    return json.dumps(merged_document(FUNCTIONS_DIR), ensure_ascii=False)


@router.get(
    "/v1/openapi.json",
    summary="The OpenAPI document of every /v1 route",
    responses={
        200: {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}},
        **error_responses(),
    },
)
def get_openapi_document():
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=_document_json())


@router.get(
    "/v1/docs",
    summary="Swagger UI for the OpenAPI document (works offline)",
    responses={
        200: {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}},
        **error_responses(),
    },
)
def get_swagger_ui():
    from shared.web.swagger import swagger_page

    return Response(status_code=200, content_type="text/html; charset=utf-8", body=swagger_page(_document_json()))
