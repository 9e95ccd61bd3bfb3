"""Every route of the served OpenAPI document, fuzzed by schemathesis through the API's gateway.

Each route of template.yaml is looked up in the document and gets a fixed number of generated cases
that the document calls valid and as many it calls invalid (wrong types, out-of-range numbers, missing
or extra fields, odd Unicode), derandomized so that CI sees the same ones. Every request carries the operator
key, so it reaches the function behind the authorizer. Every answer must:
- never be a 5xx;
- be one the document declares, in the content type and schema it declares;
- if it refuses, be in API.md's error shape {"error": {"code", "message", "details"}};
- if it refuses, leave every table exactly as it was.
Half the cases name the seeded account (and its pack and call) in the path instead of a generated id,
so that bodies reach the business rules rather than stopping at 404.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.local.template import StackTemplate, load_template
from tests.fuzz.error_shape import error_shape_problems
from tests.fuzz.gateway import FUZZ_CASES, OPERATOR_KEY, FuzzedStack, Seeded, stored_items
from tests.support import REPO_ROOT

# Generated cases per route and mode: a short run in `make test`, a long one in `make soak`.
EXAMPLES = 10
SOAK_EXAMPLES = 300
DOCUMENT = "/v1/openapi.json"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_KEY}"}

# Left out on purpose: positive_data_acceptance and negative_data_rejection judge refusals against the
# schema alone, but the API refuses schema-valid requests by business rule (a size that is not a tier of
# its tag, an amount of 0, dates outside 1970-2999), and /v1/calls judges each call alone, answering 200
# with the bad ones `rejected` (API.md).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

def template_routes() -> list[tuple[str, str]]:
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
    # The document itself is where schemathesis reads the others from.
    return sorted((route.method, route.path) for route in template.api_routes() if route.path != DOCUMENT)


@pytest.fixture(scope="module")
def api_schema(stack: FuzzedStack, seeded: Seeded) -> Any:
    schema = schemathesis.openapi.from_url(stack.base_url + DOCUMENT)
    schema.config.generation.update(allow_x00=True)
    known = seeded.path_parameters()

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        seeded_ones = {name: known.get(name, value) for name, value in (path_parameters or {}).items()}
        return st.sampled_from([path_parameters, seeded_ones or path_parameters])

    return schema


def check_answer(case: Case) -> None:
    writes = case.method.upper() != "GET"
    before = stored_items() if writes else None
    response = case.call(headers=OPERATOR)
    FUZZ_CASES[case.operation.label] += 1
    case.validate_response(response, checks=CHECKS, headers=OPERATOR)
    if response.status_code >= 400:
        problems = error_shape_problems(response.status_code, response.content)
        assert not problems, f"{problems}\n{case.as_curl_command()}"
        if writes:
            assert stored_items() == before, f"a refused request changed the tables:\n{case.as_curl_command()}"


@pytest.mark.parametrize("examples", [EXAMPLES, pytest.param(SOAK_EXAMPLES, marks=pytest.mark.soak)])
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
@pytest.mark.parametrize(("method", "path"), template_routes(), ids=lambda part: part)
def test_every_route_answers_within_its_document_and_refuses_in_shape_storing_nothing(api_schema, method, path, mode,
                                                                                       examples):
    operation = api_schema[path][method]

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy(generation_mode=mode))
    def fuzz(case: Case) -> None:
        check_answer(case)

    try:
        fuzz()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, "no valid request could be generated"
        # A route without parameters or body (the catalog) has no invalid request to make.
