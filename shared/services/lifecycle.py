"""One run of the pack-lifecycle job: read the expiry index and the subscribers, decide with the pure rules,
write, publish. A rerun, a retry or a run after a crash never books twice and never loses an event:

- Expiry: one transaction sets the pack's status to expired, on condition that it is still live, and books
  its breakage ledger entry; then pack_expired is published; then the pack leaves the expiry index. The
  index key is the "event pending" mark: after a crash between the commit and the publication the pack is
  still in the index, expired, and the next run publishes its event (same event id) before removing the key.
  Publishing before the commit would announce a breakage that the commit had not booked yet.
- pack_expiring: published, then `expiring_notified_at` is set. A crash in between publishes it again with
  the same event id (consumers dedupe by event id); otherwise a pack is warned once.
- Missed runs: the Packs table keeps the last expiry date done, and a run reads every date after it up to
  today, so a run that failed or never fired is made good by the next one. Warnings cover every pack
  expiring from today to today + 7 that was not warned, so a missed warning goes out late, not never.
- Daily reports: one per subscriber for yesterday, with a stable event id, so a rerun repeats them
  harmlessly; the report of a day whose run never fired is not sent late. A daily account's yesterday
  that still awaits its bill is left to that night's settlement, which sends its report with the charges
  (shared.lifecycle.report).
- Auto-renewal (自动续费): the expiry of an auto-renew pack records its renewal as due in the same transaction;
  after the expiries the run tries the renewals due, and retries refused ones daily for 7 days
  (shared.services.renewals, which says how a renewal is tracked across crashes and missed runs).
- A pack or report that fails is logged and left for the next run; the run does the others, then fails (so
  the invocation is retried and alarms fire), and its expiry mark stops before the first date that failed.

Breakage is what is left of a pack when it expires: its breakage ledger entry records the calls left then,
and the vendor's books the value not recognized yet, on the billing date it expired. Settlement deducts
calls by their day, so calls of days inside the validity that are settled after the expiry (the last
day's, when settlement commits after this job at 00:00; a monthly account's, until its month is settled;
late calls) still come off the expired pack: that settlement books their value as recognized and as much
breakage back (shared.books.rules). An expiry and a settlement racing for a pack both condition on the
remaining calls they read, so one of them reads again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from shared.accounts.models import Pack
from shared.books.rules import expiry_bookings
from shared.events import DomainEvent, EventSink
from shared.lifecycle.models import TrackedPack
from shared.lifecycle.renewal import renewal_due_at_expiry
from shared.lifecycle.report import daily_report_event, left_to_settlement
from shared.lifecycle.rules import (
    breakage_entry,
    dates_to_visit,
    done_through_after_run,
    expired_event,
    expiring_event,
    run_date,
    should_expire,
    should_warn,
)
from shared.pricing import billing_date
from shared.services.accounts import AccountStores
from shared.services.renewals import RenewalOutcome, renew_due_packs
from shared.store.accounts import AccountRepository
from shared.store.bills import BillRepository, bill_from_item
from shared.store.books import RevenueBooks
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackDrawnMeanwhile, PackNoLongerLive, PackRepository
from shared.store.transactions import TransactionWriter
from shared.store.usage import UsageRepository
from shared.usage.rules import daily_calls

logger = Logger(child=True)

_EXPIRY_ATTEMPTS = 5


class LifecycleRunIncomplete(RuntimeError):
    """Some packs or reports failed; they are left for the next run (the others are done)."""


class PackLifecycleStep(StrEnum):
    """What the run did to one tracked pack."""

    EXPIRED = "expired"
    WARNED = "warned"


@dataclass(frozen=True)
class LifecycleStores:
    packs: PackRepository
    ledger: LedgerRepository
    books: RevenueBooks
    accounts: AccountRepository
    usage: UsageRepository
    bills: BillRepository
    writer: TransactionWriter
    events: EventSink
    zone: ZoneInfo
    purchases: AccountStores  # the renewals buy packs as every purchase does (shared.services.renewals)


@dataclass(frozen=True)
class LifecycleRun:
    run_at: datetime
    expired: int
    warned: int
    daily_reports: int
    failures: int
    renewed: int = 0
    renewals_failed: int = 0  # refused renewals (pack_renewal_failed), to be retried or stopped


def run_pack_lifecycle(stores: LifecycleStores, now: datetime) -> LifecycleRun:
    """Expire what is overdue, warn what expires within 7 days, report yesterday to the subscribers."""
    today = run_date(now, stores.zone)
    expiries_done_through = stores.packs.expiries_done_through()
    outcomes, pack_failures = _walk_expiry_index(stores, now, today)
    renewals = renew_due_packs(stores.purchases, now, today, expiries_done_through)
    reports, report_failures = _send_daily_reports(stores, today - timedelta(days=1), now)
    run = LifecycleRun(now, outcomes.count(PackLifecycleStep.EXPIRED), outcomes.count(PackLifecycleStep.WARNED),
                       reports, pack_failures + renewals.failures + report_failures,
                       renewed=renewals.outcomes.count(RenewalOutcome.RENEWED),
                       renewals_failed=renewals.outcomes.count(RenewalOutcome.FAILED))
    if run.failures:
        raise LifecycleRunIncomplete(f"{run.failures} packs or reports failed in the run at {now.isoformat()}")
    return run


def _walk_expiry_index(stores: LifecycleStores, now: datetime, today: date) -> tuple[list[PackLifecycleStep], int]:
    """Every pack of the index dates the run visits, then the mark moved past the dates done."""
    done_through = stores.packs.expiries_done_through()
    visited = dates_to_visit(today, done_through)
    outcomes: list[PackLifecycleStep] = []
    failed_dates: list[date] = []
    for day in visited:
        for tracked in stores.packs.tracked_on(day):
            try:
                outcome = _advance(stores, tracked, now)
            except Exception:
                logger.exception("pack lifecycle step failed; the next run retries it",
                                 extra={"account_id": tracked.pack.account_id, "pack_id": tracked.pack.pack_id})
                failed_dates.append(day)
                continue
            if outcome is not None:
                outcomes.append(outcome)
    mark = done_through_after_run(visited, failed_dates, today)
    if mark is not None and (done_through is None or mark > done_through):
        stores.packs.record_expiries_done_through(mark)
    return outcomes, len(failed_dates)


def _advance(stores: LifecycleStores, tracked: TrackedPack, now: datetime) -> PackLifecycleStep | None:
    pack = tracked.pack
    if should_expire(pack, now):
        expired = _expire(stores, pack, run_date(now, stores.zone))
        if expired is None:
            return None  # a concurrent run expired it (and announces it), or it was refunded
        _announce_expiry(stores, expired, expired.remaining)
        return PackLifecycleStep.EXPIRED
    if tracked.unused_at_expiry is not None:
        # Expired by an earlier run that did not get to publish: the index still holds it for that.
        _announce_expiry(stores, pack, tracked.unused_at_expiry)
        return PackLifecycleStep.EXPIRED
    if should_warn(tracked, now, stores.zone):
        stores.events.publish([expiring_event(pack, now, stores.zone)])
        stores.packs.mark_expiring_notified(pack, now)
        return PackLifecycleStep.WARNED
    return None


def _expire(stores: LifecycleStores, pack: Pack, today: date) -> Pack | None:
    """Expire the pack with its breakage, in the ledger and in the books (and its renewal as due, if it renews);
    the pack as expired, or None if it is no longer live. A settlement drawing on it meanwhile makes the commit
    fail: read again, book again."""
    for _ in range(_EXPIRY_ATTEMPTS):
        bookings = expiry_bookings(pack, billing_date(pack.expires_at, stores.zone))
        renewal_due = renewal_due_at_expiry(pack, today)
        try:
            stores.writer.commit([stores.packs.mark_expired(pack, renewal_due=renewal_due),
                                  stores.ledger.add(breakage_entry(pack)),
                                  *stores.books.book(pack.account_id, bookings)])
        except PackNoLongerLive:
            return None
        except PackDrawnMeanwhile:
            fresh = stores.packs.get(pack.account_id, pack.pack_id)
            if fresh is None:
                return None
            pack = fresh
            continue
        return pack
    raise PackDrawnMeanwhile(f"{pack.account_id}#{pack.pack_id} kept changing under {_EXPIRY_ATTEMPTS} expiries")


def _announce_expiry(stores: LifecycleStores, pack: Pack, unused_calls: int) -> None:
    stores.events.publish([expired_event(pack, unused_calls)])
    stores.packs.leave_expiry_index(pack)


def _send_daily_reports(stores: LifecycleStores, day: date, now: datetime) -> tuple[int, int]:
    sent = left = failed = 0
    for account_id in stores.accounts.daily_report_subscribers():
        try:
            report = _daily_report(stores, account_id, day, now)
            if report is not None:
                stores.events.publish([report])
        except Exception:
            logger.exception("daily report failed; a retry of this run sends it",
                             extra={"account_id": account_id, "date": day.isoformat()})
            failed += 1
        else:
            if report is None:
                left += 1
            else:
                sent += 1
    if left:
        logger.info("daily reports left to the settlement of the night, which sends them with their charges",
                    extra={"date": day.isoformat(), "reports": left})
    return sent, failed


def _daily_report(stores: LifecycleStores, account_id: str, day: date, now: datetime) -> DomainEvent | None:
    """The report of `day`, or None where it is left to that night's settlement."""
    account = stores.accounts.require(account_id)
    counters = stores.usage.for_day(account_id, day, consistent=True)
    bill_item = stores.bills.get_item(account_id, day)
    if left_to_settlement(account, counters, bill_item is not None, now):
        return None
    return daily_report_event(
        account,
        daily_calls(day, day, counters)[0],
        None if bill_item is None else bill_from_item(bill_item),
        stores.packs.list_for_account(account_id),
        now,
        stores.zone,
    )
