"""The scheduled side of the nightly reconciliation: list every account, write the run's header, fan them out.

Every account is checked every night, idle or not: a stored figure can drift without any movement. The list is
the ByCreation index read for ids alone; the accounts go to the reconciliation queue in numbered batches of 50,
each of which writes one result item, so the report knows which run and batch each finding belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from shared.instants import parse_instant
from shared.reconciliation.models import ReconciliationRun
from shared.reconciliation.queue import ReconciliationMessage, messages_for

logger = Logger(child=True)


class AccountList(Protocol):
    def every_account_id(self) -> list[str]: ...


class RunHeaders(Protocol):
    def start_run(self, run: ReconciliationRun, accounts_due: int, batches: int) -> bool: ...


class MessageSink(Protocol):
    def send(self, messages: Sequence[ReconciliationMessage]) -> None: ...


@dataclass(frozen=True)
class ReconciliationDispatchStores:
    accounts: AccountList
    headers: RunHeaders
    queue: MessageSink


@dataclass(frozen=True)
class DispatchSummary:
    date: str
    ran_at: str
    accounts: int
    messages: int
    stale: bool = False  # a later run of the same date had started: nothing was sent


def run_from_schedule(event: Mapping[str, Any], zone: ZoneInfo) -> ReconciliationRun:
    """The run a schedule fired: {"job": "reconciliation", "scheduled_at": "<aws.scheduler.scheduled-time>"}."""
    return ReconciliationRun.scheduled_at(parse_instant(event["scheduled_at"]), zone)


def dispatch(stores: ReconciliationDispatchStores, run: ReconciliationRun) -> DispatchSummary:
    account_ids = stores.accounts.every_account_id()
    messages = messages_for(run, account_ids)
    if not stores.headers.start_run(run, len(account_ids), len(messages)):
        summary = DispatchSummary(run.day.isoformat(), run.ran_at.isoformat(), len(account_ids), 0, stale=True)
        logger.warning("a later reconciliation run of this date has started; this one sends nothing",
                       extra=summary.__dict__)
        return summary
    stores.queue.send(messages)
    summary = DispatchSummary(run.day.isoformat(), run.ran_at.isoformat(), len(account_ids), len(messages))
    logger.info("reconciliation run dispatched", extra=summary.__dict__)
    return summary
