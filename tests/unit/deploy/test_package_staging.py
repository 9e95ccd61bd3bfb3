"""The staging of `make package`: the template sam build reads, and the check of what it built."""

from __future__ import annotations

import sys
from importlib.util import MAGIC_NUMBER, cache_from_source
from pathlib import Path

import pytest

from infra.dependencies import read_lock, runtime_requirements
from infra.package import REPO_ROOT, compile_bytecode, lambda_python, staged_template, verify


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


def test_the_bytecode_is_compiled_for_the_template_runtime():
    assert lambda_python(REPO_ROOT / "template.yaml") == sys.version_info[:2]


def _function_with_sources(build_dir: Path) -> Path:
    (build_dir / "template.yaml").write_text((REPO_ROOT / "template.yaml").read_text())
    handler = build_dir / "ApiFunction" / "functions" / "api"
    handler.mkdir(parents=True)
    (handler / "app.py").write_text("def handler(event, context):\n    return event\n")
    (build_dir / "ApiFunction" / "six.py").write_text("VERSION = 1\n")
    return build_dir / "ApiFunction"


def test_compile_writes_unchecked_hash_bytecode_for_every_module(tmp_path):
    function_dir = _function_with_sources(tmp_path)
    assert compile_bytecode(tmp_path) == 2
    for source in ("functions/api/app.py", "six.py"):
        header = Path(cache_from_source(function_dir / source)).read_bytes()[:8]
        assert header[:4] == MAGIC_NUMBER
        assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, source not checked


def test_verify_names_a_function_shipping_modules_without_bytecode(tmp_path):
    pins = runtime_requirements(read_lock())
    function_dir = _function_with_sources(tmp_path)
    _built_function(tmp_path, "ArrearsFunction", pins)
    for pin in pins:
        package, version = pin.split("==")
        (function_dir / f"{package.replace('-', '_')}-{version}.dist-info").mkdir()
    assert verify(tmp_path) == ["ApiFunction: 2 modules without bytecode, functions/api/app.py first"]
    compile_bytecode(tmp_path)
    assert verify(tmp_path) == []
