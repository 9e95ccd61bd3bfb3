"""One fuzzed stack per module: the template's API on moto, with one account that has money, a bought
pack and a recorded call, so that fuzzed requests naming them reach past the not-found answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.fuzz.gateway import FUZZ_CASES, FuzzedStack, Seeded, fuzzed_stack, seed

CLOCK_START = datetime.fromisoformat("2026-03-01T12:00:00+08:00")


@pytest.fixture(scope="module")
def stack() -> Iterator[FuzzedStack]:
    with fuzzed_stack(CLOCK_START) as started:
        yield started


@pytest.fixture(scope="module")
def seeded(stack: FuzzedStack) -> Seeded:
    return seed(stack)


def pytest_terminal_summary(terminalreporter) -> None:
    if FUZZ_CASES:
        terminalreporter.write_line(f"fuzz: {sum(FUZZ_CASES.values())} requests over {len(FUZZ_CASES)} operations")
