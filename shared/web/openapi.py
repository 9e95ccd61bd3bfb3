"""The error answers every route declares, and the one OpenAPI document of all the functions."""

from __future__ import annotations

import importlib
import json
import warnings
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from shared.web.csv_answer import csv_content
from shared.web.errors import ErrorResponse

API_TITLE = "Face verification billing API"
API_VERSION = "1.0.0"

_DESCRIPTIONS = {
    400: "VALIDATION_ERROR: the request is malformed; nothing was stored.",
    401: "UNAUTHENTICATED: no valid API key.",
    403: "FORBIDDEN: the key may not act on this resource.",
    404: "NOT_FOUND",
    409: "A business rule refuses the request; the code names it.",
    413: "PAYLOAD_TOO_LARGE",
    500: "INTERNAL_ERROR",
}


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """The error answers of a route, in API.md's error shape (400 and 500 are always possible)."""
    wanted = sorted({400, 500, *statuses})
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {"application/json": {"model": ErrorResponse}},
        }
        for status in wanted
    }


def answers(
    model: Any, *error_statuses: int, status: int = 200, description: str = "OK",
    csv_rows: type[BaseModel] | None = None,
) -> dict[int, OpenAPIResponse]:
    """A route's success answer (its model) and its error answers, for the `responses` of a route.

    `csv_rows`: the rows' model of a route that also answers its rows as text/csv (see shared.web.csv_answer).
    """
    success: OpenAPIResponse = {"description": description, "content": {"application/json": {"model": model}}}
    if csv_rows is not None:
        success["content"]["text/csv"] = csv_content(csv_rows)
    return {status: success, **error_responses(*error_statuses)}


def without_default_validation_answers(document: dict[str, Any]) -> dict[str, Any]:
    """Drop the 422 answers powertools adds to every validated route: this API answers 400 instead
    (declared on every route through `error_responses`), so the document says what is really sent."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
                operation.get("responses", {}).pop(422, None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    return document


def function_resolvers(functions_dir: Path) -> Iterable[APIGatewayRestResolver]:
    """The `app` resolver of every function under functions/ that serves HTTP routes."""
    for handler_file in sorted(functions_dir.glob("*/app.py")):
        module = importlib.import_module(f"{functions_dir.name}.{handler_file.parent.name}.app")
        resolver = getattr(module, "app", None)
        if isinstance(resolver, APIGatewayRestResolver):
            yield resolver


@cache
def merged_document(functions_dir: Path) -> dict[str, Any]:
    """One OpenAPI document for every /v1 route, built from the functions' resolvers themselves."""
    merge = OpenAPIMerge(title=API_TITLE, version=API_VERSION, on_conflict="error")
    with warnings.catch_warnings():
        # A resolver that cannot be read must fail the document, not silently leave routes out.
        warnings.simplefilter("error")
        for resolver in function_resolvers(functions_dir):
            merge.add_schema(resolver.get_openapi_schema(title=API_TITLE, version=API_VERSION))
        document = json.loads(merge.get_openapi_json_schema())
    return without_default_validation_answers(document)
