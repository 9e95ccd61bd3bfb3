"""The local clock and the scheduler that fires the template's schedules on it.

The clock runs at real speed from wherever it was last set, and only ever forward. Moving it fires,
in time order, every schedule whose expression falls in between, with the clock set to each firing
instant while its job runs, as EventBridge Scheduler would have done in that time. A ticker fires
schedules as the running clock passes them, so a stack left running settles at 00:00 too.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from infra.local.schedule_expressions import Schedule, parse_schedule
from infra.local.template import DueIndexSpec, ScheduleSpec

logger = logging.getLogger(__name__)


class LocalClock:
    def __init__(self, start: datetime):
        self._lock = threading.Lock()
        self._anchor = start.astimezone(UTC)
        self._anchored_at = time.monotonic()

    def now(self) -> datetime:
        with self._lock:
            return self._anchor + timedelta(seconds=time.monotonic() - self._anchored_at)

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._anchor = instant.astimezone(UTC)
            self._anchored_at = time.monotonic()


# The clock keeps running between a client's read and its write; a target this close to "now" is now.
_SAME_INSTANT = timedelta(seconds=1)


class ClockBackwards(ValueError):
    pass


@dataclass(frozen=True)
class JobRun:
    job: str
    at: datetime
    ok: bool


@dataclass(frozen=True)
class ScheduledJob:
    spec: ScheduleSpec
    schedule: Schedule


JobRunner = Callable[[ScheduleSpec, datetime], bool]


def scheduled_jobs(specs: list[ScheduleSpec]) -> list[ScheduledJob]:
    """Parse every schedule expression now: a bad one fails the stack's start, as AWS would refuse it."""
    return [ScheduledJob(spec, parse_schedule(spec.expression, spec.timezone)) for spec in specs if spec.enabled]


def scheduler_input(payload: dict, scheduled_at: datetime, job: str) -> dict:
    """EventBridge Scheduler's context attributes, substituted into the target input as AWS does."""
    replacements = {
        "<aws.scheduler.scheduled-time>": scheduled_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": str(uuid.uuid4()),
        "<aws.scheduler.attempt-number>": "1",
        "<aws.scheduler.schedule-arn>": f"arn:aws:scheduler:us-east-1:123456789012:schedule/default/{job}",
    }

    def substitute(value):
        if isinstance(value, str):
            for placeholder, actual in replacements.items():
                value = value.replace(placeholder, actual)
            return value
        if isinstance(value, dict):
            return {key: substitute(item) for key, item in value.items()}
        if isinstance(value, list):
            return [substitute(item) for item in value]
        return value

    return substitute(payload)


# When the next item of a FireWhenDue index falls due after an instant (None: nothing is due after it).
NextDue = Callable[[DueIndexSpec, datetime], datetime | None]


class Scheduler:
    """Fires each schedule at its expression's instants, and each FireWhenDue job at the instants its index holds,
    all in time order (a job's run may add due instants, e.g. a failed attempt's retry, which fire in turn)."""

    def __init__(self, clock: LocalClock, jobs: list[ScheduledJob], run_job: JobRunner,
                 next_due: NextDue | None = None):
        self._clock = clock
        self._jobs = [job for job in jobs if job.spec.fire_when_due is None]
        self._due_jobs = [job for job in jobs if job.spec.fire_when_due is not None]
        self._run_job = run_job
        self._next_due = next_due
        self._lock = threading.RLock()
        self._fired_until = clock.now()

    def _due(self, after: datetime, until: datetime) -> list[tuple[datetime, int, ScheduledJob]]:
        due = []
        for order, job in enumerate(self._jobs):
            due.extend((at, order, job) for at in job.schedule.fire_times(after, until))
        return sorted(due, key=lambda item: (item[0], item[1]))

    def _next_due_job(self, after: datetime, until: datetime) -> tuple[datetime, ScheduledJob] | None:
        if self._next_due is None:
            return None
        found = []
        for job in self._due_jobs:
            assert job.spec.fire_when_due is not None
            at = self._next_due(job.spec.fire_when_due, after)
            if at is not None and at <= until:
                found.append((at, job))
        return min(found, key=lambda item: item[0]) if found else None

    def _fire(self, after: datetime, until: datetime, *, set_clock: bool) -> list[JobRun]:
        scheduled = deque(self._due(after, until))
        runs = []
        due_after = after
        while True:
            due = self._next_due_job(due_after, until)
            if scheduled and (due is None or scheduled[0][0] <= due[0]):
                at, _, job = scheduled.popleft()
            elif due is not None:
                at, job = due
                due_after = at
            else:
                return runs
            if set_clock:
                self._clock.set(at)
            runs.append(JobRun(job.spec.job, at, self._run_job(job.spec, at)))

    def move_to(self, target: datetime, *, fire: bool = True) -> list[JobRun]:
        with self._lock:
            now = self._clock.now()
            if target < now - _SAME_INSTANT:
                raise ClockBackwards(f"the clock is at {now.isoformat()}; it never goes back")
            target = max(target, now)
            runs = self._fire(self._fired_until, target, set_clock=True) if fire else []
            self._clock.set(max(target, self._clock.now()) if runs else target)
            self._fired_until = target
            return runs

    def tick(self) -> list[JobRun]:
        """Fire what the running clock has passed since the last move or tick."""
        with self._lock:
            now = self._clock.now()
            runs = self._fire(self._fired_until, now, set_clock=False)
            self._fired_until = now
            return runs

    def jobs(self) -> list[ScheduleSpec]:
        return [job.spec for job in self._jobs + self._due_jobs]


class Ticker:
    """Runs the stack's periodic work (schedules due, event sources to drain) in the background."""

    def __init__(self, work: list[Callable[[], object]], interval_s: float = 0.5):
        self._work = work
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="schedule-ticker", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            for work in self._work:
                try:
                    work()
                except Exception:  # the ticker must outlive a failing job; the failure is logged
                    logger.exception("background work failed")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
