"""The staging of `make package`: the template sam build reads, and the check of what it built."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.dependencies import read_lock, runtime_requirements
from infra.package import REPO_ROOT, staged_template, verify


def test_the_staged_template_differs_from_template_yaml_only_in_its_code_uri():
    template = (REPO_ROOT / "template.yaml").read_text()
    staged = staged_template(template)
    changed = [(old, new) for old, new in zip(template.splitlines(), staged.splitlines(), strict=True) if old != new]
    assert changed == [("    CodeUri: .", "    CodeUri: src")]


def test_a_function_with_its_own_code_uri_is_refused():
    template = (REPO_ROOT / "template.yaml").read_text()
    with_own = template.replace("      Handler: functions.api.app.handler\n",
                                "      Handler: functions.api.app.handler\n      CodeUri: functions/api\n")
    with pytest.raises(SystemExit, match="exactly one CodeUri"):
        staged_template(with_own)


def _built_function(root: Path, name: str, pins: list[str], extra: tuple[str, ...] = ()) -> None:
    function = root / name
    for directory in ("functions", "shared", *extra):
        (function / directory).mkdir(parents=True)
    for pin in pins:
        package, version = pin.split("==")
        (function / f"{package.replace('-', '_')}-{version}.dist-info").mkdir()


def test_verify_accepts_functions_bundling_exactly_the_locked_runtime(tmp_path):
    pins = runtime_requirements(read_lock())
    _built_function(tmp_path, "ApiFunction", pins)
    _built_function(tmp_path, "ArrearsFunction", pins)
    assert verify(tmp_path) == []


def test_verify_names_a_version_drift_and_bundled_tests(tmp_path):
    pins = runtime_requirements(read_lock())
    drifted = [pin if not pin.startswith("pydantic==") else "pydantic==2.0.0" for pin in pins]
    _built_function(tmp_path, "ApiFunction", drifted)
    _built_function(tmp_path, "IngestFunction", pins, extra=("tests",))
    assert verify(tmp_path) == [
        "ApiFunction: differs from requirements.lock in pydantic",
        "IngestFunction: bundles tests",
    ]
