"""Read template.yaml into what the local stack needs: resources, functions, routes, schedules.

The template is the one truth: the local stack never declares a table, route or schedule itself.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SHORT_FORM_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}


class TemplateError(ValueError):
    """The template says something the local stack cannot stand up."""


class _CloudFormationLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when present
    """A YAML loader that knows the short forms of intrinsic functions (!Ref, !GetAtt, !Sub, ...)."""


def _construct_intrinsic(loader: _CloudFormationLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    tag = "!" + tag_suffix
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag == "!GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {SHORT_FORM_TAGS.get(tag, f"Fn::{tag_suffix}"): value}


_CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_CloudFormationLoader)
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    return document


@dataclass(frozen=True)
class ApiRoute:
    function_id: str
    method: str
    path: str
    api_id: str | None
    authorizer: str | None


@dataclass(frozen=True)
class ScheduleSpec:
    job: str
    function_id: str
    expression: str
    timezone: str
    payload: dict[str, Any]
    enabled: bool
    # Fired by the local clock at each instant this index holds, instead of by its expression (a sweep that AWS
    # runs every minute for what has fallen due, which the local clock makes due exactly).
    fire_when_due: DueIndexSpec | None = None


@dataclass(frozen=True)
class DueIndexSpec:
    """A function's `LocalStack: FireWhenDue` metadata: the index whose sort key holds instants that fall due."""

    table: Any  # as the template writes it (a Ref): the stack resolves it to the table it created
    index: str
    partition_key: str
    partition_value: str
    sort_key: str


@dataclass(frozen=True)
class EventSourceSpec:
    """An event source mapping: a queue or a table stream that feeds a function in batches."""

    function_id: str
    kind: str  # "SQS" or "DynamoDB"
    source: Any  # the Queue or Stream property, unresolved
    batch_size: int
    reports_item_failures: bool
    starting_position: str | None


@dataclass(frozen=True)
class StaticSiteSpec:
    """Files of this repository that the template hosts under a URL path: a resource's `StaticSite` metadata."""

    logical_id: str
    url_path: str
    directory: Path


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str
    code_dir: Path
    environment: dict[str, Any]
    timeout_s: int
    memory_mb: int


@dataclass
class StackTemplate:
    path: Path
    document: dict[str, Any]
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, Any]:
        return self.document["Resources"]

    def resources_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource.get("Properties", {}) or {}
            for logical_id, resource in self.resources.items()
            if resource.get("Type") == resource_type
        }

    def parameter_values(self, overrides: dict[str, str]) -> dict[str, str]:
        values = {}
        for name, declaration in (self.document.get("Parameters") or {}).items():
            if name in overrides:
                values[name] = overrides[name]
            elif "Default" in declaration:
                values[name] = str(declaration["Default"])
            else:
                raise TemplateError(f"parameter {name} has no default and no local value")
        return values

    def _function_globals(self) -> dict[str, Any]:
        return copy.deepcopy((self.document.get("Globals") or {}).get("Function") or {})

    def functions(self) -> dict[str, FunctionSpec]:
        """Every AWS::Serverless::Function with the template's Globals merged in, as SAM does."""
        defaults = self._function_globals()
        specs = {}
        for logical_id, properties in self.resources_of_type("AWS::Serverless::Function").items():
            merged = {**defaults, **properties}
            environment = {
                **((defaults.get("Environment") or {}).get("Variables") or {}),
                **((properties.get("Environment") or {}).get("Variables") or {}),
            }
            if "Handler" not in merged:
                raise TemplateError(f"{logical_id}: no Handler")
            specs[logical_id] = FunctionSpec(
                logical_id=logical_id,
                handler=merged["Handler"],
                code_dir=(self.path.parent / str(merged.get("CodeUri", "."))).resolve(),
                environment=environment,
                timeout_s=int(merged.get("Timeout", 3)),
                memory_mb=int(merged.get("MemorySize", 128)),
            )
        return specs

    def _events(self, wanted_types: set[str]) -> list[tuple[str, str, dict[str, Any]]]:
        found = []
        for function_id, properties in self.resources_of_type("AWS::Serverless::Function").items():
            for event_id, event in (properties.get("Events") or {}).items():
                if event.get("Type") in wanted_types:
                    found.append((function_id, event_id, event.get("Properties") or {}))
        return found

    def api_routes(self) -> list[ApiRoute]:
        routes = []
        for function_id, _, properties in self._events({"Api"}):
            api_id = _ref_target(properties.get("RestApiId"))
            route_auth = (properties.get("Auth") or {}).get("Authorizer")
            authorizer = route_auth if route_auth is not None else self._default_authorizer(api_id)
            routes.append(
                ApiRoute(
                    function_id=function_id,
                    method=str(properties["Method"]).upper(),
                    path=str(properties["Path"]),
                    api_id=api_id,
                    authorizer=None if authorizer in (None, "NONE") else authorizer,
                )
            )
        return routes

    def api_auth(self, api_id: str | None) -> dict[str, Any]:
        if api_id is None:
            return {}
        return (self.resources_of_type("AWS::Serverless::Api").get(api_id) or {}).get("Auth") or {}

    def gateway_responses(self, api_id: str | None) -> dict[str, Any]:
        if api_id is None:
            return {}
        return (self.resources_of_type("AWS::Serverless::Api").get(api_id) or {}).get("GatewayResponses") or {}

    def _default_authorizer(self, api_id: str | None) -> str | None:
        return self.api_auth(api_id).get("DefaultAuthorizer")

    def event_sources(self) -> list[EventSourceSpec]:
        sources = []
        for function_id, _, properties in self._events({"SQS", "DynamoDB"}):
            kind = "SQS" if "Queue" in properties else "DynamoDB"
            sources.append(
                EventSourceSpec(
                    function_id=function_id,
                    kind=kind,
                    source=properties["Queue"] if kind == "SQS" else properties["Stream"],
                    batch_size=int(properties.get("BatchSize", 10 if kind == "SQS" else 100)),
                    reports_item_failures="ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or []),
                    starting_position=properties.get("StartingPosition"),
                )
            )
        return sources

    def static_sites(self) -> list[StaticSiteSpec]:
        sites = []
        for logical_id, resource in self.resources.items():
            declared = (resource.get("Metadata") or {}).get("StaticSite")
            if declared is None:
                continue
            url_path = str(declared.get("Path", ""))
            if not re.fullmatch(r"(/[\w-]+)+/", url_path) or not declared.get("Source"):
                raise TemplateError(f"{logical_id}: StaticSite needs a Source directory and a Path like /console/")
            sites.append(StaticSiteSpec(logical_id, url_path, (self.path.parent / str(declared["Source"])).resolve()))
        return sites

    def schedules(self, resolve: Any) -> list[ScheduleSpec]:
        """ScheduleV2 events (EventBridge Scheduler, with a time zone) and classic Schedule rules (UTC)."""
        schedules = []
        for function_id, event_id, properties in self._events({"ScheduleV2", "Schedule"}):
            payload = json.loads(resolve(properties["Input"])) if "Input" in properties else {}
            state = properties.get("State", "ENABLED" if properties.get("Enabled", True) else "DISABLED")
            schedules.append(
                ScheduleSpec(
                    job=str(payload.get("job") or _kebab(event_id)),
                    function_id=function_id,
                    expression=str(resolve(properties["ScheduleExpression"])),
                    timezone=str(resolve(properties.get("ScheduleExpressionTimezone", "UTC"))),
                    payload=payload,
                    enabled=state == "ENABLED",
                    fire_when_due=self._fire_when_due(function_id),
                )
            )
        return schedules

    def _fire_when_due(self, function_id: str) -> DueIndexSpec | None:
        metadata = (self.resources[function_id].get("Metadata") or {}).get("LocalStack") or {}
        declared = metadata.get("FireWhenDue")
        if declared is None:
            return None
        try:
            return DueIndexSpec(declared["Table"], str(declared["Index"]), str(declared["PartitionKey"]),
                                str(declared["PartitionValue"]), str(declared["SortKey"]))
        except KeyError as missing:
            raise TemplateError(f"{function_id}: LocalStack.FireWhenDue needs {missing}") from None


def _ref_target(value: Any) -> str | None:
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    return None


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
