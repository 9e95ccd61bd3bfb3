"""Pack auto-renewal (自动续费): the switch on a bought pack (PATCH .../packs/{pack_id}), and the renewals the
pack-lifecycle run makes. The rules are shared.lifecycle.renewal's; this module loads, buys and records.

How a renewal is tracked, so that a crashed, retried or missed run neither loses nor repeats an attempt or a notice:

- The expiry of an auto-renew pack writes `renewal_due` (the run's date) on the pack in the expiry's own
  transaction (shared.services.lifecycle), which puts it in the sparse ByRenewalDue index of the Packs table. The
  pending renewal lives on the expired pack's item, nowhere else, and only the index key says it is pending.
- After the expiries, the run reads the renewal index for every due date from a few days before the expiry mark
  up to today (shared.lifecycle.renewal.renewal_dates_to_visit), so what a missed or failed run left is found.
- An attempt is the purchase `renew:<pack_id>` through shared.services.accounts.buy_packs, whose client-id claim
  commits in the purchase's one transaction with the pack, the ledger entries, the debit and the books: however
  often it is attempted, it is bought at most once, and an attempt after it was bought answers the stored
  purchase. Then `pack_renewed` (event id `pack_renewed#<account>#<pack>`) is published, then the pack leaves
  the index (`renewed_by`). A crash between the purchase and the notice leaves it in the index: the next attempt
  (a retry of the run, or the next night's run) finds the purchase made and publishes the same event again.
- A refused purchase (INSUFFICIENT_BALANCE, ACCOUNT_SUSPENDED) publishes `pack_renewal_failed` with the attempt's
  date in its id, then moves `renewal_due` to the next day and records `renewal_failed_on`; after the last retry
  date it leaves the index. A crash in between makes a rerun that day try again and publish the same event id,
  so there is at most one failure notice per attempt day, and a run of the same day after it was recorded
  finds nothing due (one attempt per billing date). Consumers dedupe by event id.
- A renewal whose retries ran out without a run to try them (nights missed) leaves the index without a notice,
  unless its purchase was made (a crash after the commit on its last day): then it is announced as renewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from aws_lambda_powertools import Logger

from shared import clock
from shared.accounts.errors import AccountSuspended, InsufficientBalance, PackNotFound
from shared.accounts.models import PackView
from shared.accounts.rules import pack_tier
from shared.accounts.snapshots import purchase_from_json
from shared.lifecycle.models import PendingRenewal
from shared.lifecycle.renewal import (
    RenewalRefusal,
    RenewalStep,
    auto_renew_refusal,
    next_attempt_after_failure,
    renewal_dates_to_visit,
    renewal_failed_event,
    renewal_purchase_id,
    renewal_step,
    renewed_event,
)
from shared.refunds.rules import view_pack
from shared.services.accounts import AccountStores, buy_packs, get_account, retry_while_stale
from shared.store.client_ids import ClientIdRepository

logger = Logger(child=True)


class RenewalOutcome(StrEnum):
    RENEWED = "renewed"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class RenewalPass:
    outcomes: tuple[RenewalOutcome, ...]
    failures: int  # renewals that raised: left in the index for a retry of the run or the next run


def set_auto_renew(stores: AccountStores, account_id: str, pack_id: str, *, auto_renew: bool) -> PackView:
    """Turn auto-renewal on or off for a bought, live pack; the pack as it stands then."""

    def attempt() -> PackView:
        account = get_account(stores, account_id)
        pack = stores.packs.get(account_id, pack_id)
        if pack is None:
            raise PackNotFound(account_id, pack_id)
        now = clock.now()
        if (refusal := auto_renew_refusal(pack, now)) is not None:
            raise refusal
        if pack.auto_renew != auto_renew:
            pack = stores.packs.set_auto_renew(pack, auto_renew)
        return view_pack(pack, account, now, stores.zone)

    return retry_while_stale(account_id, attempt)


def renew_due_packs(stores: AccountStores, now: datetime, today: date, expiries_done_through: date | None
                    ) -> RenewalPass:
    """Try every renewal due by `today` (the run's billing date), once each; the others wait for their date."""
    outcomes: list[RenewalOutcome] = []
    failures = 0
    for day in renewal_dates_to_visit(today, expiries_done_through):
        for pending in stores.packs.renewals_due_on(day):
            try:
                outcome = _advance(stores, pending, now, today)
            except Exception:
                logger.exception("pack renewal failed; a retry of the run or the next run tries it again",
                                 extra={"account_id": pending.pack.account_id, "pack_id": pending.pack.pack_id})
                failures += 1
                continue
            if outcome is not None:
                outcomes.append(outcome)
    return RenewalPass(tuple(outcomes), failures)


def _advance(stores: AccountStores, pending: PendingRenewal, now: datetime, today: date) -> RenewalOutcome | None:
    step = renewal_step(pending, today, stores.zone)
    if step is RenewalStep.WAIT:
        return None
    if step is RenewalStep.STOP:
        bought = _bought_already(stores, pending)
        if bought is not None:
            return _announce_renewed(stores, pending, bought)
        stores.packs.record_renewal_stopped(pending)
        return RenewalOutcome.STOPPED
    old = pending.pack
    try:
        result = buy_packs(stores, old.account_id, purchase_id=renewal_purchase_id(old), billing_tag=old.billing_tag,
                           size=old.size, quantity=1, voucher_amount=None, auto_renew=True, at=now)
    except (InsufficientBalance, AccountSuspended) as refused:
        reason = (RenewalRefusal.INSUFFICIENT_BALANCE if isinstance(refused, InsufficientBalance)
                  else RenewalRefusal.ACCOUNT_SUSPENDED)
        account = get_account(stores, old.account_id)
        stores.events.publish([renewal_failed_event(
            pending, today, now, reason=reason, price=pack_tier(old.billing_tag, old.size).price,
            balance=account.balance, zone=stores.zone,
        )])
        stores.packs.record_renewal_failed(pending, today, next_attempt_after_failure(old, today, stores.zone))
        return RenewalOutcome.FAILED
    return _announce_renewed(stores, pending, result.packs[0])


def _announce_renewed(stores: AccountStores, pending: PendingRenewal, renewed: PackView) -> RenewalOutcome:
    stores.events.publish([renewed_event(pending.pack, renewed, renewed.pack.acquired_at)])
    stores.packs.record_renewed(pending, renewed.pack.pack_id)
    return RenewalOutcome.RENEWED


def _bought_already(stores: AccountStores, pending: PendingRenewal) -> PackView | None:
    """The renewal's pack if its purchase was made (by an attempt that crashed before its notice)."""
    old = pending.pack
    record = stores.client_ids.find(
        ClientIdRepository.record_id(old.account_id, "purchase", renewal_purchase_id(old)))
    return None if record is None else purchase_from_json(record.answer).packs[0]
