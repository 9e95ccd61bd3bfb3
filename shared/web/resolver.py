"""The API Gateway resolver every HTTP function uses: validation on, API.md's errors, readable JSON, and route
groups included when a request first needs them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from re import Pattern
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

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


class _RouteGroup:
    def __init__(self, paths: tuple[str, ...], router: Callable[[], APIGatewayRouter], rules: list[Pattern[str]]):
        self.paths = paths
        self.router = router
        self.rules = rules
        self.included = False


class JsonApiResolver(APIGatewayRestResolver):
    """The resolver, with route groups: `add_route_group(paths, router)` declares the paths of a group of routes and
    the function that gives their router (importing the module that declares them, its models and what its routes
    call). The group is included the first time a request's path is one of its paths, matched as the resolver
    matches routes, so a cold function imports the group it serves, not every group; the OpenAPI document includes
    every group first. A path of no group is answered as an unknown route is, without importing any."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._groups: list[_RouteGroup] = []
        self._route_group: dict[Route, int] = {}
        self._including = threading.Lock()  # the local stack serves requests from several threads

    def add_route_group(self, paths: Iterable[str], router: Callable[[], APIGatewayRouter]) -> None:
        paths = tuple(paths)
        self._groups.append(_RouteGroup(paths, router, [self._compile_regex(path) for path in paths]))

    def route_groups(self) -> list[tuple[tuple[str, ...], Callable[[], APIGatewayRouter]]]:
        return [(group.paths, group.router) for group in self._groups]

    def _include(self, wanted: Callable[[_RouteGroup], bool]) -> None:
        if all(group.included or not wanted(group) for group in self._groups):
            return
        with self._including:
            for index, group in enumerate(self._groups):
                if not group.included and wanted(group):
                    before = {*self._static_routes, *self._dynamic_routes}
                    self.include_router(group.router())
                    self._route_group.update((route, index) for route in (*self._static_routes, *self._dynamic_routes)
                                             if route not in before)
                    group.included = True
            # Routes in the order of their groups, whichever was included first: the document lists them so. (Paths
            # of different groups never match the same request, so the order decides nothing else.)
            self._static_routes = sorted(self._static_routes, key=self._group_index)
            self._dynamic_routes = sorted(self._dynamic_routes, key=self._group_index)

    def _group_index(self, route: Route) -> int:
        return self._route_group.get(route, -1)

    def resolve(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        path = event.get("path") or ""
        self._include(lambda group: any(rule.match(path) for rule in group.rules))
        return super().resolve(_as_json_request(event), context)

    def get_openapi_schema(self, **options: Any) -> Any:
        self._include(lambda group: True)
        return super().get_openapi_schema(**options)


def api_resolver() -> JsonApiResolver:
    resolver = JsonApiResolver(enable_validation=True, serializer=_json)
    register_error_handlers(resolver)
    return resolver
