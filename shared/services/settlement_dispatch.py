"""The scheduled side of a settlement run: find the accounts with unsettled calls and fan them out.

The run reads the 16 shards of the sparse Unsettled index (only counters with billable calls not yet
settled are in it, so nothing is scanned), keeps the accounts with such calls on days of closed periods,
and sends them to the settlement queue, 50 a numbered message, after writing the run's progress (how many
messages this dispatch sends: shared/store/settlement_runs.py). It does not know the accounts' cycles: a
worker skips an account of the other cycle with one read.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from shared import clock
from shared.instants import parse_instant
from shared.pricing import SettlementCycle
from shared.settlement.periods import SettlementRun
from shared.settlement.queue import AccountDue, SettlementMessage, messages_for
from shared.store.usage import UNSETTLED_SHARDS

logger = Logger(child=True)


class UnsettledIndex(Protocol):
    def unsettled(self, shard: str) -> Iterator[tuple[str, date]]: ...


class MessageSink(Protocol):
    def send(self, messages: Sequence[SettlementMessage]) -> None: ...


class RunProgress(Protocol):
    def start(self, cycle: SettlementCycle, run_at: datetime, dispatch: str, *, messages: int, accounts: int,
              now: datetime) -> bool: ...


@dataclass(frozen=True)
class DispatchStores:
    index: UnsettledIndex
    queue: MessageSink
    runs: RunProgress


@dataclass(frozen=True)
class DispatchSummary:
    cycle: str
    run_at: str
    accounts: int
    messages: int
    completed: bool  # nothing to settle: the run is complete as dispatched


def run_from_schedule(event: Mapping[str, Any], zone: ZoneInfo) -> SettlementRun:
    """The run a schedule fired: {"cycle": "daily"|"monthly", "scheduled_at": "<aws.scheduler.scheduled-time>"}."""
    return SettlementRun(SettlementCycle(event["cycle"]), parse_instant(event["scheduled_at"]), zone)


def accounts_due(index: UnsettledIndex, run: SettlementRun) -> list[AccountDue]:
    """Every account with unsettled calls on a day `run` may settle, with its oldest such day, by account id."""
    oldest: dict[str, date] = {}
    for shard in range(UNSETTLED_SHARDS):
        for account_id, day in index.unsettled(str(shard)):
            if run.closes(day) and (account_id not in oldest or day < oldest[account_id]):
                oldest[account_id] = day
    return [AccountDue(account_id, day) for account_id, day in sorted(oldest.items())]


def dispatch(stores: DispatchStores, run: SettlementRun) -> DispatchSummary:
    due = accounts_due(stores.index, run)
    dispatch_id = secrets.token_hex(8)
    messages = messages_for(run, due, dispatch_id)
    completed = stores.runs.start(run.cycle, run.run_at, dispatch_id, messages=len(messages), accounts=len(due),
                                  now=clock.now())
    stores.queue.send(messages)
    summary = DispatchSummary(run.cycle.value, run.run_at.isoformat(), len(due), len(messages), completed)
    logger.info("settlement run dispatched", extra=summary.__dict__)
    return summary
