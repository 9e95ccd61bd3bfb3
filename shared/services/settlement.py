"""Settle one account for one run: load, plan with the pure rules, commit each period, finish it.

Each period's settlement is one transaction (bill, account, packs, ledger, books; see shared.store.settlements),
guarded three ways: the bill key (one per account and period), the account's version (nothing moved
its money or status meanwhile, and no other settlement is pending) and each pack's remaining calls. A
guard that fails means another writer got there first (or, for the bill key, that the period has a bill
of late calls alone, which the counters cannot tell): everything is read again and planned again.

After the commit the settlement is finished: its events are published (with a subscriber's daily report
of the bill's day, when that night's settlement wrote the bill: shared.lifecycle.report), its counts
applied to the usage counters, and its marker on the account cleared, in that order. A crash anywhere
leaves the marker, and the next attempt on the account (the same run retried, or the next run) finishes
that settlement before it plans anything, so nothing is charged twice, no deduction is lost and no
report goes unsent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from shared import clock
from shared.accounts.errors import StaleAccount
from shared.accounts.models import Account, AccountStatus, Pack
from shared.arrears.rules import standing_at
from shared.books.rules import deferred_after, settlement_bookings
from shared.events import DomainEvent, EventSink
from shared.pricing import UNSETTLED_HORIZON
from shared.settlement.models import Bill
from shared.settlement.periods import SettlementRun, period_containing
from shared.settlement.plan import DayTag, PeriodSettlement
from shared.settlement.queue import MalformedMessage, SettlementMessage
from shared.settlement.rules import plan_settlements
from shared.store.bills import BillExists
from shared.store.books import RevenueBooks
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository
from shared.store.settled_counters import SettledCounters
from shared.store.settlement_runs import SettlementRuns
from shared.store.settlements import (
    PackChanged,
    PackDraws,
    PendingWork,
    SettlementAccounts,
    SettlementRecords,
)
from shared.store.transactions import TransactionWriter
from shared.store.usage import UsageRepository

logger = Logger(child=True)

MAX_ATTEMPTS = 5
_WAITING_STATUSES = (AccountStatus.SUSPENDED, AccountStatus.RELEASED)


class SettlementContention(RuntimeError):
    """The account kept changing under the settlement; the message is retried later."""


class AccountsNotSettled(RuntimeError):
    """Some accounts of a message failed (each is logged); the message is retried, the others are done."""


class SettlementOutcome(StrEnum):
    SETTLED = "settled"
    NOTHING_DUE = "nothing_due"
    OTHER_CYCLE = "other_cycle"  # a monthly account in the daily run, or the other way round
    WAITING = "waiting"  # suspended or released: its usage settles after it is restored
    NO_ACCOUNT = "no_account"


@dataclass(frozen=True)
class AccountResult:
    outcome: SettlementOutcome
    bills: int = 0
    late_waiting: int = 0  # late counters left for a later run


@dataclass(frozen=True)
class SettlementStores:
    accounts: SettlementAccounts
    packs: PackRepository
    draws: PackDraws
    usage: UsageRepository
    counters: SettledCounters
    records: SettlementRecords
    ledger: LedgerRepository
    books: RevenueBooks
    writer: TransactionWriter
    events: EventSink
    runs: SettlementRuns
    zone: ZoneInfo


@dataclass(frozen=True)
class MessageSettled:
    outcomes: Counter[str]
    completed_run: SettlementRun | None  # the run this message was the last of, if so


def settle_account(stores: SettlementStores, run: SettlementRun, account_id: str,
                   since: date | None = None) -> AccountResult:
    """Settle every closed period of the account that `run` settles; `since`: its oldest unsettled day, if known."""
    first_day = since or run.run_date - UNSETTLED_HORIZON
    known_billed: set[date] = set()
    for _ in range(MAX_ATTEMPTS):
        loaded = stores.accounts.load(account_id)
        if loaded is None:
            return AccountResult(SettlementOutcome.NO_ACCOUNT)
        if loaded.pending_period is not None:
            finish(stores, loaded.account, loaded.pending_period, stores.records.pending_work(
                account_id, loaded.pending_period))
        account = loaded.account
        if account.settlement_cycle is not run.cycle:
            return AccountResult(SettlementOutcome.OTHER_CYCLE)
        # The standing at the run's instant, not the stored status: the arrears check that suspends an account
        # at this same 00:00 may not have run yet, and a suspended account's usage waits (DESIGN.md).
        if standing_at(account, run.run_at).status in _WAITING_STATUSES:
            return AccountResult(SettlementOutcome.WAITING)

        counters = stores.usage.since(account_id, period_containing(first_day, run.cycle).start, consistent=True)
        if not any(counter.unsettled_billable and run.closes(counter.usage_date) for counter in counters):
            return AccountResult(SettlementOutcome.NOTHING_DUE)
        packs = stores.packs.list_for_account(account_id)
        plan = plan_settlements(account, counters, packs, run, known_billed=known_billed)
        conflict = _commit_in_turn(stores, plan.settlements, {pack.pack_id: pack for pack in packs}, known_billed)
        if conflict is not None:
            logger.info("settlement met a concurrent change or a bill of late calls; reading again",
                        extra={"account_id": account_id, "conflict": type(conflict).__name__})
            continue
        _log_settled(account_id, plan.settlements, plan.waiting)
        outcome = SettlementOutcome.SETTLED if plan.settlements else SettlementOutcome.NOTHING_DUE
        return AccountResult(outcome, len(plan.settlements), len(plan.waiting))
    raise SettlementContention(f"account {account_id} changed under {MAX_ATTEMPTS} settlement attempts")


def _commit_in_turn(stores: SettlementStores, settlements: Sequence[PeriodSettlement], packs: Mapping[str, Pack],
                    known_billed: set[date]) -> Exception | None:
    """Commit and finish each settlement, oldest first; the conflict that stopped them, if one did. A period
    whose bill turns out to exist (a bill of late calls alone, or a concurrent worker's) joins `known_billed`."""
    for settlement in settlements:
        try:
            _commit(stores, settlement, packs)
        except BillExists as conflict:
            known_billed.add(settlement.bill.period_start)
            return conflict
        except (StaleAccount, PackChanged) as conflict:
            return conflict
        finish(stores, settlement.account_after, settlement.bill.period_start, PendingWork.of(settlement))
    return None


def _commit(stores: SettlementStores, settlement: PeriodSettlement, packs: Mapping[str, Pack]) -> None:
    """`packs`: the account's packs as the plan read them (their paid value gives what a draw recognizes)."""
    account_id = settlement.bill.account_id
    stores.writer.commit([
        stores.records.record(settlement),
        stores.accounts.charge(settlement),
        *(stores.draws.draw(account_id, change, deferred_after(packs[change.pack_id], change.after))
          for change in settlement.pack_changes),
        *(stores.ledger.add(entry) for entry in settlement.ledger_entries),
        *stores.books.book(account_id, settlement_bookings(settlement.bill, settlement.pack_changes, packs)),
    ])


def finish(stores: SettlementStores, account: Account, period_start: date, work: PendingWork) -> None:
    """A committed settlement's after-commit work; safe to repeat, and the marker is cleared only once it is done.
    `account`: as the settlement left it, or as loaded with its marker (its subscription is the one to go by)."""
    stores.events.publish([*work.events, *_daily_report(stores, account, work.bill)])
    for usage_key, settled in work.counts.items():
        stores.counters.settle(account.account_id, usage_key, settled)
    stores.accounts.clear_pending(account.account_id, period_start)


def _daily_report(stores: SettlementStores, account: Account, bill: Bill) -> list[DomainEvent]:
    """The daily report of the bill's day, if this settlement is the one to send it, from the state it left: the
    bill, the day's counters and the packs (the same report, and event id, as the pack-lifecycle run's)."""
    if not account.daily_report:
        return []
    # Imported here, for subscribers only: at the top they would add about 10 ms to the worker's cold start.
    from shared.lifecycle.report import daily_report_event, sent_with_its_bill
    from shared.usage.rules import daily_calls

    if not sent_with_its_bill(account, bill, stores.zone):
        return []
    day = bill.period_start
    counters = stores.usage.for_day(account.account_id, day, consistent=True)
    return [daily_report_event(account, daily_calls(day, day, counters)[0], bill,
                               stores.packs.list_for_account(account.account_id), bill.settled_at, stores.zone)]


def _log_settled(account_id: str, settlements: Sequence[PeriodSettlement], waiting: Sequence[DayTag]) -> None:
    if settlements:
        logger.info("account settled", extra={
            "account_id": account_id,
            "bills": [{"bill_id": s.bill.bill_id, "total": str(s.bill.total_amount), "lines": len(s.bill.lines),
                       "late_lines": sum(line.late for line in s.bill.lines)} for s in settlements],
        })
    if waiting:
        logger.warning("late calls left for the next run", extra={
            "account_id": account_id, "counters": [f"{day.isoformat()}#{tag}" for day, tag in waiting]})


def settle_message(stores: SettlementStores, body: str, zone: ZoneInfo, *, message_id: str) -> MessageSettled | None:
    """Settle each account of a settlement-queue message, then count the message in its run's progress; None for
    a body that no run wrote (logged and dropped: a retry cannot fix it). Raises AccountsNotSettled if some
    failed: the message is not counted, and comes back."""
    try:
        message = SettlementMessage.from_json(body)
    except MalformedMessage as error:
        logger.error("malformed settlement message dropped", extra={"message_id": message_id, "error": str(error)})
        return None
    run = message.run(zone)
    outcomes: Counter[str] = Counter()
    failed = []
    for due in message.accounts:
        try:
            outcomes[settle_account(stores, run, due.account_id, due.since).outcome.value] += 1
        except Exception:
            logger.exception("account not settled; its message will be retried", extra={"account_id": due.account_id})
            failed.append(due.account_id)
    logger.info("settlement message done", extra={"message_id": message_id, "cycle": run.cycle.value,
                                                  "run_at": run.run_at.isoformat(), "outcomes": dict(outcomes),
                                                  "failed": failed})
    if failed:
        raise AccountsNotSettled(f"{len(failed)} accounts not settled: {', '.join(failed[:10])}")
    completed = stores.runs.batch_settled(message, clock.now())
    if completed:
        logger.info("settlement run completed", extra={"cycle": run.cycle.value, "run_at": run.run_at.isoformat()})
    return MessageSettled(outcomes, run if completed else None)
