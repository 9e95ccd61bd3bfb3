"""Every route of template.yaml has a scope (tests/route_scopes.py) that the template's authorizer settings,
shared/auth/scopes.py and API.md all agree on. The behaviour behind each scope is tested over HTTP in
tests/e2e/test_route_scopes.py."""

from __future__ import annotations

import pytest

from shared.auth.scopes import ACCOUNT_ROUTES
from tests.iam import stack_template
from tests.route_scopes import ACCOUNT, NONE, ROUTE_SCOPES, api_md_scopes
from tests.support import REPO_ROOT

API_MD = REPO_ROOT.parent / "shared" / "API.md"


def template_routes() -> dict[tuple[str, str], str | None]:
    return {(route.method, route.path): route.authorizer for route in stack_template().api_routes()}


def test_every_route_of_the_template_has_a_scope_and_no_scope_is_for_a_route_that_is_gone():
    routes = template_routes()

    assert sorted(set(routes) - set(ROUTE_SCOPES)) == [], "add the new route's scope to tests/route_scopes.py"
    assert sorted(set(ROUTE_SCOPES) - set(routes)) == []
    assert len(stack_template().api_routes()) == len(routes), "a route is declared twice"


def test_only_the_no_key_routes_go_without_the_authorizer():
    no_authorizer = {route for route, authorizer in template_routes().items() if authorizer is None}

    assert no_authorizer == {route for route, scope in ROUTE_SCOPES.items() if scope == NONE}


def test_the_authorizer_lets_account_keys_call_exactly_the_account_routes():
    assert {route for route, scope in ROUTE_SCOPES.items() if scope == ACCOUNT} == ACCOUNT_ROUTES


def test_the_scopes_are_those_of_api_md():
    if not API_MD.is_file():
        pytest.skip(f"{API_MD} (the contract, kept beside the repository) is not on this machine")
    documented = api_md_scopes(API_MD)

    assert len(documented) >= 20, "API.md's routes were not found: did its layout change?"
    assert {route: ROUTE_SCOPES.get(route) for route in documented} == documented
