"""The OpenAPI document says what the API really answers, for every route of template.yaml."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from functions.api.app import handler
from infra.local.template import StackTemplate, load_template
from tests.integration.test_api_function import FakeContext
from tests.support import REPO_ROOT, load_event

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def document() -> dict:
    event = load_event("catalog_get.json")
    event["path"] = event["resource"] = event["requestContext"]["resourcePath"] = "/v1/openapi.json"
    answer = handler(event, FakeContext())
    assert answer["statusCode"] == 200, answer["body"]
    return json.loads(answer["body"])


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_route_of_the_template_is_in_the_document(document):
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
    routes = {(route.path, route.method.lower()) for route in template.api_routes()}
    documented = {(path, method) for path, method, _ in operations(document)}

    assert routes <= documented, f"routes missing from the document: {routes - documented}"


def test_every_documented_route_is_served_by_the_template(document):
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
    routes = {(route.path, route.method.lower()) for route in template.api_routes()}

    assert {(path, method) for path, method, _ in operations(document)} <= routes


def test_every_route_declares_the_error_shape_and_never_powertools_422(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert "422" not in responses, f"{method} {path}"
        for status in ("400", "500"):
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, f"{method} {path} {status}"
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_money_is_a_string_in_the_answer_schemas(document):
    quote = document["components"]["schemas"]["QuoteOut"]["properties"]

    assert quote["total"]["type"] == "string"
    assert quote["total"]["pattern"] == r"^-?\d+\.\d{2}$"


def test_swagger_ui_is_served_with_its_assets_inline_so_it_works_offline():
    event = load_event("catalog_get.json")
    event["path"] = event["resource"] = "/v1/docs"

    answer = handler(event, FakeContext())

    assert answer["statusCode"] == 200
    assert answer["multiValueHeaders"]["Content-Type"][0].startswith("text/html")
    page = answer["body"]
    assert "SwaggerUIBundle" in page
    assert re.search(r"<(script|link)[^>]*\b(src|href)=", page) is None, "an asset is fetched from elsewhere"
    assert '"/v1/quote"' in page
