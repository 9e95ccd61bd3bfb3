"""requirements.lock against .venv, and the functions' requirements derived from it."""

from __future__ import annotations

from packaging.requirements import Requirement

from infra.dependencies import (
    LAMBDA_MARKERS,
    closure,
    installed_pins,
    lock_differences,
    project_requirements,
    read_lock,
    runtime_requirements,
)


def test_the_venv_runs_exactly_the_locked_versions():
    # A fresh `make` installs with the lock as constraints; a .venv that differs means the lock is stale.
    assert lock_differences(installed_pins(), read_lock()) == [], "run `make lock` after changing pyproject.toml"


def test_differences_name_each_distribution_that_would_change():
    installed = {"boto3": "1.44.8", "pydantic": "2.14.4", "ruff": "0.17.6"}
    locked = {"boto3": "1.44.8", "pydantic": "2.13.0", "moto": "5.2.5"}
    assert lock_differences(installed, locked) == [
        "moto: installed -, locked 5.2.5",
        "pydantic: installed 2.14.4, locked 2.13.0",
        "ruff: installed 0.17.6, locked -",
    ]


def test_the_functions_get_the_runtime_closure_pinned_to_the_lock_and_no_dev_tool():
    locked = read_lock()
    requirements = dict(line.split("==") for line in runtime_requirements(locked))
    direct = {requirement.name for requirement in project_requirements(dev=False)}
    assert direct <= set(requirements)
    assert {"pydantic-core", "botocore", "typing-extensions"} <= set(requirements)  # pulled in, not listed
    assert not {"moto", "pytest", "hypothesis", "cfn-lint", "playwright"} & set(requirements)
    assert all(locked[name] == version for name, version in requirements.items())


def test_markers_are_read_as_lambdas_arm64_linux_runtime():
    windows_only = Requirement('pywin32; sys_platform == "win32"')  # never installed here: a lookup would fail
    assert closure([windows_only], LAMBDA_MARKERS) == {}
    assert "six" in closure([Requirement("python-dateutil")], LAMBDA_MARKERS)
