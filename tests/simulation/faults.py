"""Crashes injected between the handlers' DynamoDB writes.

Every function of the stack writes through one client (shared.aws.dynamodb_client); botocore's
before-call and after-call events on it put a crash just before a write is sent or just after DynamoDB
applied it. Each invocation draws from the simulation's seeded random source whether it crashes, at
which of its writes, on which side of it, and how:

- an error: that write fails for good (a lost connection, retries spent); the handler sees the error;
- a death: the process dies there (a timeout, out of memory): nothing of the handler runs after it, every
  later write of the invocation fails too, and Lambda reports the invocation failed.

No function crashes more than MAX_IN_A_ROW invocations in a row, so a retried message succeeds before the
queue's maxReceiveCount (5) sends it to its dead-letter queue. The notifier crashes only after a write
and as an error: a death or a crash before the write that records a send would send that notice again,
the one repeat shared/notifier/service.py documents and accepts.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
MAX_IN_A_ROW = 2
# Most invocations make a handful of writes: crashes are drawn mostly among the first three.
CRASH_WRITES = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12)
AFTER_WRITES_ONLY = frozenset({"NotifierFunction"})


class InjectedWriteError(Exception):
    """A DynamoDB write failed for good: the handler sees it, as it would see a lost connection."""


class ProcessDied(BaseException):
    """The process died here: no `except Exception` of the handler runs."""


class InvocationDied(RuntimeError):
    """What Lambda reports of an invocation whose process died."""


@dataclass(frozen=True)
class CrashPoint:
    write: int  # 1-based, among the invocation's writes
    after: bool  # after DynamoDB applied the write, else before it is sent
    dies: bool


@dataclass
class Invocation:
    function: str
    point: CrashPoint | None
    writes: int = 0
    crashed: bool = False
    dead: bool = False


class FaultInjector:
    def __init__(self, rng: random.Random, probability: float):
        self._rng = rng
        self.probability = probability
        self._lock = threading.Lock()
        self._current: Invocation | None = None
        self._in_a_row: Counter[str] = Counter()
        self.crashes: Counter[str] = Counter()  # per function
        self.invocations: Counter[str] = Counter()

    @property
    def total_crashes(self) -> int:
        return sum(self.crashes.values())

    def _draw(self, function: str) -> CrashPoint | None:
        if self._in_a_row[function] >= MAX_IN_A_ROW or self._rng.random() >= self.probability:
            return None
        write = self._rng.choice(CRASH_WRITES)
        if function in AFTER_WRITES_ONLY:
            return CrashPoint(write, after=True, dies=False)
        return CrashPoint(write, after=self._rng.random() < 0.5, dies=self._rng.random() < 0.5)

    @contextmanager
    def invocation(self, function: str) -> Iterator[Invocation]:
        """One invocation of `function` (they never overlap: the simulation drives the stack alone)."""
        current = Invocation(function, self._draw(function))
        with self._lock:
            self._current = current
        self.invocations[function] += 1
        try:
            yield current
        except ProcessDied as death:
            raise InvocationDied(f"{function} died at write {current.writes}") from death
        finally:
            with self._lock:
                self._current = None
            self._in_a_row[function] = self._in_a_row[function] + 1 if current.crashed else 0
            if current.crashed:
                self.crashes[function] += 1

    def _crash_here(self, operation: str, *, after: bool) -> BaseException | None:
        if operation not in WRITE_OPERATIONS:
            return None
        with self._lock:
            current = self._current
            if current is None:
                return None
            if current.dead:
                return ProcessDied(f"{current.function} is dead")
            if not after:
                current.writes += 1
            point = current.point
            if point is None or current.crashed or point.write != current.writes or point.after != after:
                return None
            current.crashed = True
            current.dead = point.dies
        where = "after" if after else "before"
        if point.dies:
            return ProcessDied(f"{current.function} died {where} write {point.write} ({operation})")
        return InjectedWriteError(f"{current.function}: write {point.write} ({operation}) failed {where} DynamoDB")

    def before_write(self, model: Any) -> None:
        """botocore's before-call event of the handlers' DynamoDB client."""
        crash = self._crash_here(model.name, after=False)
        if crash is not None:
            raise crash

    def after_write(self, model: Any) -> None:
        """botocore's after-call event of the handlers' DynamoDB client."""
        crash = self._crash_here(model.name, after=True)
        if crash is not None:
            raise crash
