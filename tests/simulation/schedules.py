"""The template's schedules, fired as EventBridge Scheduler fires them, with its retries.

Moving the clock fires, in time order, every schedule of template.yaml that falls in between: the real
handler gets the schedule's Input with the scheduled time, then the event sources are drained. A run that
fails is retried with the same scheduled time, as often as the schedule's RetryPolicy allows (capped here;
the fault injector never fails a function three times in a row), so `arrears-check`, whose policy allows
none, is made good by its next run.

`arrears-check` fires every 5 minutes, 288 times a simulated day, every one of them. A run with nothing due
makes its three queries of the ByDeadline index and writes nothing, so it cannot crash and the drain after it
returns at once; a run with something due writes, and crashes like any other invocation.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infra.local.clock import scheduler_input
from infra.local.schedule_expressions import Schedule, parse_schedule
from infra.local.template import ScheduleSpec
from tests.simulation.retries import FaultyStack

logger = logging.getLogger(__name__)

ARREARS_CHECK = "arrears-check"
DEFAULT_RETRIES = 3  # EventBridge Scheduler's default is 185 over a day; 3 is more than a run needs here


@dataclass(frozen=True)
class Job:
    spec: ScheduleSpec
    schedule: Schedule
    retries: int


def _retries(template_resources: dict[str, Any], spec: ScheduleSpec) -> int:
    """The schedule's RetryPolicy.MaximumRetryAttempts in the template, capped at DEFAULT_RETRIES."""
    for event in template_resources[spec.function_id]["Properties"]["Events"].values():
        properties = event.get("Properties") or {}
        if spec.job in str(properties.get("Input", "")):
            allowed = (properties.get("RetryPolicy") or {}).get("MaximumRetryAttempts", DEFAULT_RETRIES)
            return min(int(allowed), DEFAULT_RETRIES)
    raise LookupError(f"no schedule of {spec.function_id} runs {spec.job}")


class ScheduleRunner:
    def __init__(self, faulty: FaultyStack):
        self._faulty = faulty
        stack = faulty.stack
        self._jobs = [Job(spec, parse_schedule(spec.expression, spec.timezone),
                          _retries(stack.template.resources, spec)) for spec in stack.scheduler.jobs() if spec.enabled]
        self._fired_until = faulty.now()
        self.runs: Counter[str] = Counter()
        self.retried: Counter[str] = Counter()
        self.failed: list[tuple[str, datetime]] = []  # runs that failed every attempt (arrears-check: made good later)
        self.arrears_outcomes: Counter[str] = Counter()  # summed over the arrears checks that finished

    def advance_to(self, target: datetime) -> None:
        due = sorted(((at, order, job) for order, job in enumerate(self._jobs)
                      for at in job.schedule.fire_times(self._fired_until, target)), key=lambda item: item[:2])
        for at, _, job in due:
            self._faulty.clock_to(at)
            self._run(job, at)
        self._fired_until = max(self._fired_until, target)
        self._faulty.clock_to(target)

    def _run(self, job: Job, at: datetime) -> None:
        function = self._faulty.stack.functions[job.spec.function_id]
        for attempt in range(1 + job.retries):
            self.runs[job.spec.job] += 1
            self.retried[job.spec.job] += attempt > 0
            try:
                result = function.invoke(scheduler_input(job.spec.payload, at, job.spec.job))
            except Exception:
                logger.info("%s at %s failed (attempt %d)", job.spec.job, at.isoformat(), attempt + 1, exc_info=True)
                continue
            finally:
                self._faulty.drain()
            if job.spec.job == ARREARS_CHECK:
                self.arrears_outcomes.update(result["outcomes"])
            return
        self.failed.append((job.spec.job, at))
