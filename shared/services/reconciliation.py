"""Check the accounts of one reconciliation message against their history, and read a night's findings.

Per account, for the billing date D: the account item (wallets, balance, and a settlement's marker), its ledger,
its packs, the bills that can carry a deduction from them or a line of D, D's billable calls counted in the
Calls table's BillableByDay index, and D's usage counters, in that order, then the pure checks of
shared.reconciliation.checks. The requests per account-day do not grow with its calls, but for the index's pages.

The reads are not one snapshot: a recharge, a settlement or a call landing between two of them (or a call whose
stream record has not reached its counter yet) can make a healthy account look wrong for a moment. So the
accounts of a message that show a difference are read and checked again after RECHECK_AFTER_S, and only what
the second reading still shows is reported: a real difference stays, a passing one does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from aws_lambda_powertools import Logger

from shared.accounts.models import LedgerEntry, Pack
from shared.reconciliation.checks import check_account
from shared.reconciliation.models import (
    AccountFindings,
    AccountHistory,
    BatchFindings,
    DayCount,
    ReconciliationReport,
)
from shared.reconciliation.queue import MalformedMessage, ReconciliationMessage
from shared.refusals import NotFound
from shared.settlement.models import Bill
from shared.store.settlements import AccountToSettle, PendingWork
from shared.store.usage import UsageCounter

logger = Logger(child=True)

RECHECK_AFTER_S = 5.0  # longer than a call takes from the Calls table to its counter (stream, batching window 1 s)
_LAST_DAY = date(9999, 12, 31)


class AccountReader(Protocol):
    def load(self, account_id: str) -> AccountToSettle | None: ...


class PendingSettlements(Protocol):
    def pending_work(self, account_id: str, period_start: date) -> PendingWork: ...


class LedgerReader(Protocol):
    def list_for_account(self, account_id: str) -> list[LedgerEntry]: ...


class PackReader(Protocol):
    def list_for_account(self, account_id: str) -> list[Pack]: ...


class BillReader(Protocol):
    def between(self, account_id: str, first: date, last: date, *, consistent: bool = False) -> list[Bill]: ...


class CallCounts(Protocol):
    def billable_by_tag(self, account_id: str, day: date) -> dict[str, int]: ...


class UsageReader(Protocol):
    def for_day(self, account_id: str, day: date, *, consistent: bool = False) -> list[UsageCounter]: ...


class ResultSink(Protocol):
    def record_batch(self, findings: BatchFindings) -> None: ...


class ResultSource(Protocol):
    def report(self, day: date) -> ReconciliationReport | None: ...


@dataclass(frozen=True)
class ReconciliationStores:
    accounts: AccountReader
    settlements: PendingSettlements
    ledger: LedgerReader
    packs: PackReader
    bills: BillReader
    calls: CallCounts
    usage: UsageReader
    results: ResultSink


class NoReconciliation(NotFound):
    def __init__(self, day: date):
        super().__init__(f"The reconciliation has not run for {day.isoformat()} yet.")


def load_history(stores: ReconciliationStores, account_id: str, day: date) -> AccountHistory | None:
    """What the checks of `day` read of the account; None if there is no such account."""
    loaded = stores.accounts.load(account_id)
    if loaded is None:
        return None
    pending: dict[str, int] = {}
    if loaded.pending_period is not None:
        prefix = f"{day.isoformat()}#"
        counts = stores.settlements.pending_work(account_id, loaded.pending_period).counts
        pending = {key.removeprefix(prefix): settled for key, settled in counts.items() if key.startswith(prefix)}
    ledger = stores.ledger.list_for_account(account_id)
    packs = stores.packs.list_for_account(account_id)
    # A deduction from a pack is on a bill of a period that ends on or after its first day, and a line of `day`
    # on a bill of `day`'s period or a later one: bills from the first month of either are all there can be.
    first = min([pack.effective_from for pack in packs] + [day]).replace(day=1)
    bills = stores.bills.between(account_id, first, _LAST_DAY, consistent=True)
    recorded = stores.calls.billable_by_tag(account_id, day)
    counters = {counter.billing_tag: DayCount(counter.billable, counter.settled_billable)
                for counter in stores.usage.for_day(account_id, day, consistent=True)}
    return AccountHistory(account=loaded.account, ledger=tuple(ledger), packs=tuple(packs), bills=tuple(bills),
                          recorded_calls=recorded, counters=counters, pending_settled=pending)


def _check(stores: ReconciliationStores, account_id: str, day: date) -> AccountFindings | None:
    try:
        history = load_history(stores, account_id, day)
    except Exception:
        logger.exception("account not checked; its message will be retried", extra={"account_id": account_id})
        raise
    if history is None:
        logger.warning("an account listed for the reconciliation does not exist", extra={"account_id": account_id})
        return None
    return check_account(history, day)


def check_message(stores: ReconciliationStores, body: str, *, message_id: str,
                  pause: Callable[[float], object] = time.sleep, recheck_after: float | None = None
                  ) -> BatchFindings | None:
    """Check every account of a reconciliation-queue message and store the batch's findings; None for a body
    no run wrote (logged and dropped: a retry cannot fix it). An account that fails to load fails the message."""
    try:
        message = ReconciliationMessage.from_json(body)
    except MalformedMessage as error:
        logger.error("malformed reconciliation message dropped", extra={"message_id": message_id, "error": str(error)})
        return None
    day = message.run.day
    findings: dict[str, AccountFindings] = {}
    for account_id in message.accounts:
        found = _check(stores, account_id, day)
        if found is not None:
            findings[account_id] = found
    suspects = [account_id for account_id, found in findings.items() if found.differences]
    if suspects:
        recheck_after = RECHECK_AFTER_S if recheck_after is None else recheck_after
        logger.info("differences found; reading those accounts again before reporting them",
                    extra={"accounts": suspects, "after_s": recheck_after})
        pause(recheck_after)
        for account_id in suspects:
            found = _check(stores, account_id, day)
            if found is not None:
                findings[account_id] = found
    batch = BatchFindings(
        run=message.run, batch=message.batch, accounts_checked=len(findings),
        packs_checked=sum(found.packs_checked for found in findings.values()),
        differences=tuple(difference for found in findings.values() for difference in found.differences),
    )
    stores.results.record_batch(batch)
    for difference in batch.differences:
        logger.warning("reconciliation difference", extra={
            "date": day.isoformat(), "account_id": difference.account_id, "check": difference.check.value,
            "subject": difference.subject, "expected": difference.expected, "actual": difference.actual})
    logger.info("reconciliation message done", extra={
        "message_id": message_id, "date": day.isoformat(), "batch": message.batch,
        "accounts_checked": batch.accounts_checked, "packs_checked": batch.packs_checked,
        "differences": len(batch.differences)})
    return batch


def reconciliation_report(results: ResultSource, day: date) -> ReconciliationReport:
    """What the latest run for `day` found (raises NoReconciliation before any ran)."""
    report = results.report(day)
    if report is None:
        raise NoReconciliation(day)
    return report
