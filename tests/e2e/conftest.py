from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime

import pytest

from infra.local.stack import LocalStack, LocalStackOptions
from tests.support import REPO_ROOT, HttpClient

# One in-process stack of the real template for the whole session: moto's backends are process-wide,
# so tests that need another template start `python -m infra.local` in a child process instead.
CLOCK_START = datetime.fromisoformat("2026-03-01T12:00:00+08:00")
OPERATOR_KEY = "fbk_e2e-operator"


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    imported_early = sorted(name for name in sys.modules if name.startswith("functions."))
    if imported_early:
        pytest.fail("the local stack must import the handlers itself, after it points their AWS clients at its "
                    f"emulator, but {imported_early[0]} was imported first: run the end-to-end tests in a pytest "
                    "run of their own (`pytest tests/e2e`, as `make test` does)")
    stack = LocalStack(LocalStackOptions(template_path=REPO_ROOT / "template.yaml", port=0, clock_start=CLOCK_START,
                                         operator_key=OPERATOR_KEY))
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def api(local_stack: LocalStack) -> HttpClient:
    return HttpClient(local_stack.base_url)


@pytest.fixture(scope="session")
def operator(local_stack: LocalStack) -> HttpClient:
    """A client that sends the operator key with every request."""
    return HttpClient(local_stack.base_url, {"Authorization": f"Bearer {OPERATOR_KEY}"})
