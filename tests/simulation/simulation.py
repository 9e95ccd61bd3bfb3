"""A seeded run of a small deployment through the local stack: days of customers' visits, the template's
schedules at night, crashes injected all along, and the invariants checked after every simulated day.

A run starts at 00:00 (billing time zone) so many days before a month's end that the 1st falls in its
middle, with its monthly settlement. Everything a run does follows from its seed: the customers, their calls and
money, and which invocations crash where (up to the order of the writes of one invocation's threads).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from infra.local.stack import LocalStack
from shared.events import EventType
from tests.simulation.customers import ZONE, Customers
from tests.simulation.faults import MAX_IN_A_ROW, FaultInjector
from tests.simulation.invariants import (
    StoredAccount,
    Tables,
    alerts_announced,
    arrears_on_time,
    books_balanced,
    calls_billed_once,
    money_booked_once,
    notices_sent_once,
    packs_sound,
    revenue_identity,
)
from tests.simulation.model import SettlementRun
from tests.simulation.retries import FaultyStack
from tests.simulation.schedules import ARREARS_CHECK, ScheduleRunner
from tests.support import HttpClient

DAILY_ACCOUNTS = 4
VISITS_A_DAY = 2
WAITING = ("suspended", "released")
ARREARS_CHECK_EVERY = timedelta(minutes=5)
# A transition due this long before the latest arrears check must be recorded: the runs in between may all crash.
ARREARS_GRACE = MAX_IN_A_ROW * ARREARS_CHECK_EVERY


ALERT_NOTICES = (EventType.BALANCE_LOW.value, EventType.BUDGET_REACHED.value, EventType.RUNWAY_LOW.value)


@dataclass
class Report:
    seed: int
    days: int
    accounts: int = 0
    calls_sent: int = 0
    billable_calls: int = 0
    duplicates_sent: int = 0
    late_calls_sent: int = 0
    bills: int = 0
    notices_sent: int = 0
    alert_notices: dict[str, int] = field(default_factory=dict)  # balance_low, budget_reached, runway_low delivered
    invocations: int = 0
    crashes: dict[str, int] = field(default_factory=dict)
    requests_retried: int = 0
    job_runs: dict[str, int] = field(default_factory=dict)
    job_retries: int = 0
    arrears_checks_fired: int = 0  # every 5 minutes of the run, none left out
    arrears_checks_died: int = 0  # made good by the next run (the schedule retries none)
    # Accounts by outcome, summed over the runs that finished; of the whole deployment (a soak's seeds share one).
    arrears_outcomes: dict[str, int] = field(default_factory=dict)
    suspensions: int = 0  # arrears episodes suspended, by their notices (one per episode)
    releases: int = 0
    accounts_suspended: int = 0
    accounts_released: int = 0
    nights_reconciled: int = 0
    clock_jumps: int = 0
    statuses_seen: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "crashes_injected": sum(self.crashes.values())}


def _start_after(now: datetime, days: int) -> datetime:
    """00:00 of the first day after `now` from which a run of `days` days has a month's end at its middle."""
    local = now.astimezone(ZONE).date()
    first_of_month = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    while first_of_month - timedelta(days=days // 2) <= local + timedelta(days=1):
        first_of_month = (first_of_month + timedelta(days=32)).replace(day=1)
    return datetime.combine(first_of_month - timedelta(days=days // 2), time(), ZONE)


class Simulation:
    def __init__(self, stack: LocalStack, faulty: FaultyStack, api: HttpClient, seed: int, days: int,
                 crash_probability: float):
        rng = random.Random(seed)
        faulty.injector = FaultInjector(random.Random(rng.random()), crash_probability)
        self.start = _start_after(faulty.now(), days)
        faulty.clock_to(self.start - timedelta(minutes=1))
        self._stack = stack
        self._api = api
        self._faulty = faulty
        self._rng = rng
        self._runner = ScheduleRunner(faulty)
        self._tables = Tables(stack.aws.client("dynamodb"), stack.physical.refs)
        self.customers = Customers(api, faulty, rng, f"sim{seed}", self.start, days)
        self.report = Report(seed, days)
        self._last_runs: dict[bool, SettlementRun] = {}  # monthly? -> the latest run of that cycle
        self._statuses: Counter[str] = Counter()
        faulty.clock_jumps = 0

    def run(self) -> Report:
        opening_day = self._rng.randrange(1, max(2, self.report.days // 2))
        for day in range(self.report.days):
            midnight = self.start + timedelta(days=day)
            if day == 0:
                self._runner.advance_to(midnight + timedelta(hours=8))
                for index in range(DAILY_ACCOUNTS):
                    self.customers.open_account(monthly=index == 0)
            visits = sorted(self._rng.uniform(8 * 3600, 22 * 3600) for _ in range(VISITS_A_DAY))
            for seconds in visits:
                self._runner.advance_to(midnight + timedelta(seconds=seconds))
                if day == opening_day and seconds == visits[0]:
                    self.customers.open_account()
                self.customers.visit()
            self._settle_night(midnight + timedelta(days=1))
            self._check(midnight + timedelta(days=1))
        return self._finish_report()

    def _statuses_now(self) -> dict[str, str]:
        return {customer.account_id: self._tables.accounts.get(customer.account_id).status.value
                for customer in self.customers.customers}

    def _settle_night(self, midnight: datetime) -> None:
        before = self._statuses_now()
        self._runner.advance_to(midnight + timedelta(minutes=1))
        after = self._statuses_now()
        self._statuses.update(after.values())
        waiting = {account for account in before if before[account] in WAITING or after[account] in WAITING}
        self._last_runs[False] = SettlementRun(midnight, waiting)
        if midnight.astimezone(ZONE).day == 1:
            self._last_runs[True] = SettlementRun(midnight, waiting)

    def _check(self, midnight: datetime) -> None:
        problems = [f"{job} at {at} failed every attempt" for job, at in self._runner.failed if job != ARREARS_CHECK]
        problems += [f"{queue} still holds {depth} messages" for queue, depth in self._faulty.queue_depths().items()
                     if depth]
        outbox = self._stack.outbox()
        for customer in self.customers.customers:
            stored = self._tables.read(customer.account_id)
            found = (calls_billed_once(customer, stored, self._last_runs.get(customer.monthly))
                     + packs_sound(stored) + money_booked_once(customer, stored)
                     + notices_sent_once(customer.account_id, stored, outbox) + alerts_announced(stored)
                     + arrears_on_time(stored, midnight, ARREARS_GRACE))
            problems += [f"{customer.account_id}: {problem}" for problem in found]
        problems += books_balanced(self._tables) + self._revenue_problems(midnight) + self._reconciled(midnight)
        assert not problems, (f"seed {self.report.seed}, after the run of {midnight.isoformat()}:\n  "
                              + "\n  ".join(problems))

    def _revenue_problems(self, midnight: datetime) -> list[str]:
        first, last = self.start.astimezone(ZONE).date(), (midnight - timedelta(days=1)).astimezone(ZONE).date()
        answer = self._api.get(f"/v1/reports/revenue?from={first}&to={last}")
        if answer.status != 200:
            return [f"the revenue report answered {answer.status}: {answer.body[:200]!r}"]
        return revenue_identity(answer.json())

    def _reconciled(self, midnight: datetime) -> list[str]:
        """The reconciliation of 02:00 last night (of the day before it), once the run has seen one."""
        day = (midnight - timedelta(days=2)).astimezone(ZONE).date()
        if day < self.start.astimezone(ZONE).date():
            return []
        self.report.nights_reconciled += 1
        answer = self._api.get(f"/v1/reconciliation?date={day}")
        if answer.status != 200:
            return [f"the reconciliation of {day} answered {answer.status}: {answer.body[:200]!r}"]
        return [f"the reconciliation of {day} found {difference}" for difference in answer.json()["differences"]]

    def _finish_report(self) -> Report:
        report, customers = self.report, self.customers
        ids = {customer.account_id for customer in customers.customers}
        report.accounts = len(ids)
        report.calls_sent = customers.activity.calls_sent
        report.duplicates_sent = customers.activity.duplicates_sent
        report.late_calls_sent = customers.activity.late_calls_sent
        report.requests_retried = customers.activity.requests_retried
        report.billable_calls = sum(sum(customer.all_billable_calls().values()) for customer in customers.customers)
        stored = [self._tables.read(account_id) for account_id in ids]
        report.bills = sum(len(account.bills) for account in stored)
        report.suspensions, report.accounts_suspended = _episodes(stored, EventType.SUSPENDED)
        report.releases, report.accounts_released = _episodes(stored, EventType.RELEASED)
        report.notices_sent = sum(message["account_id"] in ids for message in self._stack.outbox())
        report.alert_notices = dict(sorted(Counter(
            str(notice.get("event_type")) for account in stored for notice in account.notices
            if notice.get("event_type") in ALERT_NOTICES).items()))
        injector = self._faulty.injector
        report.invocations = sum(injector.invocations.values())
        report.crashes = dict(injector.crashes)
        report.job_runs = dict(self._runner.runs)
        report.job_retries = sum(self._runner.retried.values())
        report.arrears_checks_fired = self._runner.runs[ARREARS_CHECK]
        report.arrears_checks_died = sum(job == ARREARS_CHECK for job, _ in self._runner.failed)
        report.arrears_outcomes = dict(sorted(self._runner.arrears_outcomes.items()))
        report.clock_jumps = self._faulty.clock_jumps
        report.statuses_seen = dict(self._statuses)
        return report


def _episodes(stored: list[StoredAccount], notice: EventType) -> tuple[int, int]:
    """How many arrears episodes reached `notice`'s stage, and in how many accounts (each has one notice record)."""
    accounts = [account.account.account_id for account in stored for record in account.notices
                if record.get("event_type") == notice.value]
    return len(accounts), len(set(accounts))
