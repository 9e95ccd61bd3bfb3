"""What each function of template.yaml is allowed to touch (its `Policies:`), and what its code can reach.

Shared by the static check (tests/unit/security/test_iam_policies.py) and the check against what the code
really calls through the local stack (tests/e2e/test_security_flows.py). The local stack does not enforce
IAM, so these tests are the only guard between a missing or too wide grant and production.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from infra.local.template import StackTemplate, load_template
from shared.config import ENVIRONMENT_NAMES
from tests.support import REPO_ROOT

# The SAM policy templates the template uses, as SAM expands them (aws-sam-translator's
# policy_templates.json): the actions, and which parameter names the one resource they grant.
# Every DynamoDB template also grants the table's indexes (table/<name>/index/*), never another table's.
SAM_POLICY_TEMPLATES: dict[str, tuple[str, str, frozenset[str]]] = {
    "DynamoDBReadPolicy": ("table", "TableName", frozenset({
        "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"})),
    "DynamoDBWritePolicy": ("table", "TableName", frozenset({
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"})),
    "DynamoDBCrudPolicy": ("table", "TableName", frozenset({
        "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
        "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
        "dynamodb:ConditionCheckItem"})),
    "SQSSendMessagePolicy": ("queue", "QueueName", frozenset({"sqs:SendMessage*"})),
    "SNSPublishMessagePolicy": ("topic", "TopicName", frozenset({"sns:Publish"})),
}

DYNAMODB_WRITES = frozenset({"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                             "dynamodb:BatchWriteItem"})

# SMS to a phone number has no resource ARN: IAM sees the resource "*". A NotResource on every SNS ARN is
# AWS's documented way to allow that and nothing else (no topic, no platform endpoint).
PHONE_NUMBERS = "<phone numbers>"
SMS_STATEMENT_NOT_RESOURCE = "arn:${AWS::Partition}:sns:*:*:*"

# Resource settings of shared/config.py: every table, topic, queue, KMS key and sender address a function may touch.
RESOURCE_SETTINGS = frozenset(name for name in ENVIRONMENT_NAMES
                              if name.endswith(("_table", "_topic_arn", "_queue_url", "_key_id"))
                              or name == "notice_email_sender")
# The client that sends SMS (shared/aws.py): reaching it means publishing to phone numbers.
SMS_CLIENT = "sms_client"


class PolicyError(AssertionError):
    """A policy the check cannot read as a named, least-privilege grant."""


@dataclass(frozen=True)
class Grant:
    function_id: str
    resource: str  # the logical id of the table, queue, topic or SES identity, or PHONE_NUMBERS
    actions: frozenset[str]
    statement: dict[str, Any]  # the IAM statement as deployed, intrinsics unresolved

    @property
    def writes(self) -> bool:
        return bool(self.actions & DYNAMODB_WRITES)


@cache
def stack_template() -> StackTemplate:
    path = REPO_ROOT / "template.yaml"
    return StackTemplate(path, load_template(path))


def function_ids() -> list[str]:
    return sorted(stack_template().functions())


# -- the policies -----------------------------------------------------------------------------------------

def function_grants(function_id: str) -> list[Grant]:
    properties = stack_template().resources_of_type("AWS::Serverless::Function")[function_id]
    if "Role" in properties:
        raise PolicyError(f"{function_id}: a Role of its own bypasses the Policies this check reads")
    policies = properties.get("Policies")
    if policies is None:
        raise PolicyError(f"{function_id} has no Policies: SAM would give it none, or a role named elsewhere")
    grants = []
    for policy in policies if isinstance(policies, list) else [policies]:
        if isinstance(policy, str):
            raise PolicyError(f"{function_id}: managed policy {policy!r} is not scoped to this stack's resources")
        if set(policy) == {"Statement"}:
            grants += [statement_grant(function_id, statement) for statement in policy["Statement"]]
        elif len(policy) == 1 and next(iter(policy)) in SAM_POLICY_TEMPLATES:
            grants.append(_template_grant(function_id, *next(iter(policy.items()))))
        else:
            raise PolicyError(f"{function_id}: policy {policy!r} is no known SAM policy template nor a Statement")
    return grants


def _template_grant(function_id: str, name: str, parameters: dict[str, Any]) -> Grant:
    kind, parameter, actions = SAM_POLICY_TEMPLATES[name]
    target = _logical_target(parameters.get(parameter))
    if target is None or target not in stack_template().resources:
        raise PolicyError(f"{function_id}: {name} must name a {kind} of this template by Ref or GetAtt, "
                          f"not {parameters!r}")
    arn = {"table": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${name}",
           "queue": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${name}",
           "topic": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${name}"}[kind]
    resources = [{"Fn::Sub": [arn, {"name": parameters[parameter]}]}]
    if kind == "table":
        resources.append({"Fn::Sub": [arn + "/index/*", {"name": parameters[parameter]}]})
    statement = {"Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    return Grant(function_id, target, actions, statement)


def statement_grant(function_id: str, statement: dict[str, Any]) -> Grant:
    actions = statement.get("Action")
    actions = frozenset([actions] if isinstance(actions, str) else actions or [])
    where = f"{function_id}: statement {statement.get('Sid', '(no Sid)')}"
    if statement.get("Effect") != "Allow" or not actions or any(a == "*" or a.endswith(":*") for a in actions):
        raise PolicyError(f"{where}: an Allow of named actions is expected, not {statement!r}")
    if "NotResource" in statement:
        if statement["NotResource"] != {"Fn::Sub": SMS_STATEMENT_NOT_RESOURCE} or actions != {"sns:Publish"}:
            raise PolicyError(f"{where}: NotResource is allowed only for sns:Publish to phone numbers "
                              f"(NotResource {SMS_STATEMENT_NOT_RESOURCE})")
        return Grant(function_id, PHONE_NUMBERS, actions, statement)
    resources = statement.get("Resource")
    resources = resources if isinstance(resources, list) else [resources]
    targets = {_arn_target(where, resource) for resource in resources}
    if len(targets) != 1:
        raise PolicyError(f"{where}: one resource per statement, please (found {sorted(map(str, targets))})")
    return Grant(function_id, targets.pop(), actions, statement)


def _logical_target(value: Any) -> str | None:
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return None


def _arn_target(where: str, resource: Any) -> str:
    """The logical id a statement's Resource names: !GetAtt X.Arn, or !Sub of an ARN with this template's
    region and account whose only variable part is a resource (or the parameter one resource is made from)."""
    target = _logical_target(resource)
    if target is not None:
        return target
    text = resource.get("Fn::Sub") if isinstance(resource, dict) else resource
    if not isinstance(text, str):
        raise PolicyError(f"{where}: resource {resource!r} is not an ARN of this template")
    match = re.fullmatch(r"arn:\$\{AWS::Partition\}:(\w+):\$\{AWS::Region\}:\$\{AWS::AccountId\}:(.+)", text)
    names = re.findall(r"\$\{([^}]+)\}", match.group(2)) if match else []
    if match is None or "*" in match.group(2) or len(names) != 1:
        raise PolicyError(f"{where}: resource {text!r} must be an ARN of one resource in this region and account, "
                          "no wildcards")
    return _named_resource(where, names[0].split(".")[0])


def _named_resource(where: str, name: str) -> str:
    """A resource's logical id, or the one resource made from the parameter `name` (an SES identity of a domain)."""
    if name in stack_template().resources:
        return name
    made_from = [logical_id for logical_id, resource_ in stack_template().resources.items()
                 if {"Ref": name} in _values(resource_.get("Properties") or {})]
    if len(made_from) != 1:
        raise PolicyError(f"{where}: {name} names no single resource of this template")
    return made_from[0]


def _values(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)


# -- what the code can reach ---------------------------------------------------------------------------------

def setting_resources() -> dict[str, str]:
    """Resource setting -> the logical id the template's environment variable for it refers to."""
    environment = {**((stack_template().document.get("Globals") or {}).get("Function") or {}).get(
        "Environment", {}).get("Variables", {})}
    found = {}
    for setting in RESOURCE_SETTINGS:
        value = environment.get(ENVIRONMENT_NAMES[setting])
        target = _logical_target(value)
        names = re.findall(r"\$\{([^}]+)\}", value["Fn::Sub"]) if isinstance(value, dict) and "Fn::Sub" in value else []
        if target is None and len(names) == 1:  # an address on a resource: notices@${NoticeSenderDomain}
            target = _named_resource(f"Globals {ENVIRONMENT_NAMES[setting]}", names[0])
        if target is None:
            raise PolicyError(f"Globals: {ENVIRONMENT_NAMES[setting]} names no resource of the template")
        found[setting] = target
    return found


def handler_modules(function_id: str) -> dict[str, Path]:
    """The project's modules the function's handler imports, directly or not (imports inside functions
    too): what its deployed code can run. Library modules are left out: they touch nothing of ours."""
    handler = stack_template().functions()[function_id].handler
    return _closure(handler.rpartition(".")[0])


@cache
def _closure(root: str) -> dict[str, Path]:
    seen: dict[str, Path] = {}
    pending = [root]
    while pending:
        name = pending.pop()
        if name in seen or name.split(".")[0] not in ("functions", "shared"):
            continue
        path = _module_file(name)
        if path is None:  # `from package import name` where the name is not a module
            continue
        seen[name] = path
        parts = name.split(".")
        pending += [".".join(parts[:end]) for end in range(1, len(parts))]  # its packages' __init__ run first
        pending += _imports(name, path)
    return seen


def _module_file(name: str) -> Path | None:
    base = REPO_ROOT.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(name: str, path: Path) -> list[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return found


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def code_reach(function_id: str) -> set[str]:
    """The logical ids of the resources the function's code can touch: every resource setting
    (`settings().calls_table`, `config.domain_events_topic_arn`, ...) that a module it imports reads, and
    phone numbers if it builds the SMS client."""
    resources = setting_resources()
    reached = set()
    for path in handler_modules(function_id).values():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr in RESOURCE_SETTINGS:
                reached.add(resources[node.attr])
            if isinstance(node, ast.Name | ast.Attribute) and SMS_CLIENT in (getattr(node, "id", None),
                                                                             getattr(node, "attr", None)):
                reached.add(PHONE_NUMBERS)
    return reached


def resource_names_outside_settings(function_id: str) -> list[str]:
    """Places where the function's code names a resource's environment variable itself, which the
    settings scan of code_reach would not see (shared/config.py is where they belong)."""
    variables = {ENVIRONMENT_NAMES[setting] for setting in RESOURCE_SETTINGS}
    config = REPO_ROOT / "shared" / "config.py"
    return [f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.value}"
            for path in handler_modules(function_id).values() if path != config
            for node in ast.walk(_tree(path))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in variables]


# -- IAM evaluation, for calls the code made ---------------------------------------------------------------

def allows(statement: dict[str, Any], action: str, resource: str) -> bool:
    """Whether a resolved Allow statement (ARNs with values, not intrinsics) allows `action` on `resource`,
    as IAM matches them: case-insensitive actions with * wildcards, resources with * and ? wildcards."""
    def listed(key: str) -> list[str]:
        value = statement[key]
        return value if isinstance(value, list) else [value]

    if not any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in listed("Action")):
        return False
    if "NotResource" in statement:
        return not any(fnmatch.fnmatchcase(resource, pattern) for pattern in listed("NotResource"))
    return any(fnmatch.fnmatchcase(resource, pattern) for pattern in listed("Resource"))
