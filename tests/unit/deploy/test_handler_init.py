"""Handlers import with the garbage collector paused in Lambda and freeze what they built (functions/__init__.py)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
HANDLER_FILES = sorted((REPO_ROOT / "functions").glob("*/app.py"))


@pytest.mark.parametrize("handler_file", HANDLER_FILES, ids=lambda path: path.parent.name)
def test_every_handler_ends_its_import_with_init_done(handler_file):
    last_statement = ast.parse(handler_file.read_text()).body[-1]
    assert ast.unparse(last_statement) == "init_done()", f"{handler_file} must end with init_done()"


def _import_in_fresh_interpreter(code: str, lambda_environment: bool) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
    if lambda_environment:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "test"
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.split()


PROBE = """
import gc
import functions
print(gc.isenabled())
import functions.settlement_dispatcher.app
print(gc.isenabled(), gc.get_freeze_count() > 0)
"""


def test_in_lambda_the_collector_is_paused_during_the_import_and_resumed_with_its_objects_frozen():
    assert _import_in_fresh_interpreter(PROBE, lambda_environment=True) == ["False", "True", "True"]


def test_outside_lambda_the_collector_is_left_alone():
    assert _import_in_fresh_interpreter(PROBE, lambda_environment=False) == ["True", "True", "False"]
