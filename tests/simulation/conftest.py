from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from datetime import datetime

import pytest

from infra.local.stack import LocalStack, LocalStackOptions
from tests.simulation.faults import FaultInjector
from tests.simulation.retries import FaultyStack
from tests.support import REPO_ROOT, HttpClient

CLOCK_START = datetime.fromisoformat("2026-03-01T12:00:00+08:00")
OPERATOR_KEY = "fbk_simulation-operator"
# Releases come two days into a suspension instead of 15 (the template's parameter), so that short runs see them.
PARAMETERS = {"ArrearsReleaseDays": "2"}


@pytest.fixture(scope="session")
def faulty_stack() -> Iterator[FaultyStack]:
    """The local stack of template.yaml in this process, driven by the simulation alone (no background
    ticker), with every function's DynamoDB writes open to injected crashes."""
    imported_early = sorted(name for name in sys.modules if name.startswith("functions."))
    if imported_early:
        pytest.fail("the local stack must import the handlers itself, after it points their AWS clients at its "
                    f"emulator, but {imported_early[0]} was imported first: run the simulation in a pytest run "
                    "of its own (`pytest tests/simulation`, as `make test` does)")
    stack = LocalStack(LocalStackOptions(template_path=REPO_ROOT / "template.yaml", port=0, clock_start=CLOCK_START,
                                         operator_key=OPERATOR_KEY, parameter_overrides=PARAMETERS,
                                         background=False))
    stack.start()
    from shared.aws import dynamodb_client  # the handlers' client, built when the stack imported them

    faulty = FaultyStack(stack, FaultInjector(random.Random(0), probability=0))
    faulty.install(dynamodb_client())
    yield faulty
    stack.stop()


@pytest.fixture(scope="session")
def operator(faulty_stack: FaultyStack) -> HttpClient:
    return HttpClient(faulty_stack.stack.base_url, {"Authorization": f"Bearer {OPERATOR_KEY}"})
