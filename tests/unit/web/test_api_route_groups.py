"""The api function's route groups (functions/api/app.py): each is imported when a request first needs it, so a
cold start pays for one group, however many the API has (benchmarks/cold_import.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from functions.api.app import ROUTE_GROUPS, app
from tests.support import REPO_ROOT, load_event


def declared_paths(group) -> set[str]:
    return {route_key[0] for route_key in group()._routes}


@pytest.mark.parametrize("group, paths", ROUTE_GROUPS, ids=[group.__name__.strip("_") for group, _ in ROUTE_GROUPS])
def test_each_group_lists_exactly_the_paths_its_module_declares(group, paths):
    assert declared_paths(group) == set(paths), "ROUTE_GROUPS of functions/api/app.py must list the group's paths"


def test_the_resolver_knows_every_group():
    assert [router for _, router in app.route_groups()] == [group for group, _ in ROUTE_GROUPS]


def sample(path: str) -> str:
    return re.sub(r"<\w+>", "x", path)


def test_no_path_of_one_group_is_matched_by_another_group():
    # What makes the order in which groups are included irrelevant to which route answers.
    rules = [(group, app._compile_regex(path)) for group, paths in ROUTE_GROUPS for path in paths]
    for group, paths in ROUTE_GROUPS:
        for path in paths:
            assert [other.__name__ for other, rule in rules if other is not group and rule.match(sample(path))] == []


# Run in a fresh interpreter: the tests of this process have imported every module already.
PROBE = """
import json, sys
from types import SimpleNamespace

import functions.api.app as api

at_import = sorted(sys.modules)
event = json.loads(sys.argv[1])
context = SimpleNamespace(function_name="ApiFunction", memory_limit_in_mb=512, aws_request_id="probe",
                          invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:ApiFunction")
status = api.handler(event, context)["statusCode"] if event else None
print(json.dumps({"at_import": at_import, "after": sorted(sys.modules), "status": status}))
"""


def modules_of(event: dict | None) -> dict:
    env = {**os.environ, "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "true",
           "AWS_DEFAULT_REGION": "us-east-1"}
    output = subprocess.run([sys.executable, "-c", PROBE, json.dumps(event or {})], cwd=REPO_ROOT, env=env,
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


HEAVY = ("functions.api.", "functions.wiring.", "shared.services", "shared.store", "shared.accounts", "boto3.dynamodb")


def test_the_import_includes_no_group_and_nothing_a_group_uses():
    loaded = modules_of(None)["at_import"]

    assert [name for name in loaded if name.startswith(HEAVY) and name != "functions.api.app"] == []


def test_a_request_imports_its_own_group_only():
    found = modules_of(load_event("catalog_get.json"))

    assert found["status"] == 200
    imported = {name for name in found["after"] if name.startswith("functions.api.")}
    assert imported == {"functions.api.app", "functions.api.catalog", "functions.api.models",
                        "functions.api.models.catalog"}
    assert [name for name in found["after"] if name.startswith(("shared.services", "shared.store"))] == []


def test_a_path_of_no_group_imports_none_and_is_not_found():
    event = {**load_event("catalog_get.json"), "path": "/v1/nowhere", "resource": "/v1/nowhere"}
    found = modules_of(event)

    assert found["status"] == 404
    assert [name for name in found["after"] if name.startswith("functions.api.") and name != "functions.api.app"] == []
