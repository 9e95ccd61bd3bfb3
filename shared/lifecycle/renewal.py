"""Pure rules of pack auto-renewal (自动续费): which packs may have it, when a renewal is tried, when its retries
end, and the events it publishes. No I/O: shared.services.renewals loads, buys and records what these decide.

A bought pack with `auto_renew` on is bought again (same tag and size, from the balance, as the purchase
`renew:<pack_id>`) by the lifecycle run that expires it. If that purchase is refused (the balance is short, the
account is suspended or released), `pack_renewal_failed` goes out and the purchase is tried again at each daily
run for RENEWAL_RETRY_DAYS days; then it stops. The days are counted from the first run that should expire the
pack (the day after its expiry date), so a missed night is made good by the next run but never lengthens the
retries; the run that expires a pack always tries once, however late it comes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.accounts.models import ZERO, Pack, PackOrigin, PackStatus, PackView, Payment
from shared.accounts.rules import pack_status
from shared.events import DomainEvent, EventType
from shared.instants import format_instant
from shared.lifecycle.errors import NotRenewableOrigin, PackEnded
from shared.lifecycle.models import PendingRenewal
from shared.pricing import billing_date, format_money
from shared.refusals import Conflict

RENEWAL_RETRY_DAYS = 7
RENEWAL_PURCHASE_PREFIX = "renew:"

_ENDED = (PackStatus.EXPIRED, PackStatus.REFUNDED)


class RenewalStep(StrEnum):
    """What a run does with a pending renewal."""

    WAIT = "wait"  # not due at this run (tried today already, or due on a later date)
    ATTEMPT = "attempt"
    STOP = "stop"  # its retries are over: it leaves the renewal index untried, with no notice


class RenewalRefusal(StrEnum):
    """Why a renewal's purchase was refused: the purchase's own refusal codes."""

    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    ACCOUNT_SUSPENDED = "ACCOUNT_SUSPENDED"


def auto_renew_refusal(pack: Pack, now: datetime) -> Conflict | None:
    """Why `auto_renew` cannot be set on the pack at `now` (either way), or None: only bought packs renew, and
    only while they are live (active or exhausted); an expired or refunded pack has ended."""
    if pack.origin is not PackOrigin.PURCHASE:
        return NotRenewableOrigin(pack.pack_id, pack.origin.value)
    status = pack_status(pack, now)
    if status in _ENDED:
        return PackEnded(pack.pack_id, status.value)
    return None


def renewal_purchase_id(pack: Pack) -> str:
    """The purchase id of the pack's renewal: one per pack, so every attempt and every retry of one is the same
    purchase, bought at most once."""
    return f"{RENEWAL_PURCHASE_PREFIX}{pack.pack_id}"


def renewal_due_at_expiry(pack: Pack, run_day: date) -> date | None:
    """The renewal to record in the expiry's own transaction: due at this run, for a bought auto-renew pack."""
    return run_day if pack.auto_renew and pack.origin is PackOrigin.PURCHASE else None


def last_retry_date(pack: Pack, zone: ZoneInfo) -> date:
    """The last billing date a refused renewal is tried again: RENEWAL_RETRY_DAYS after the day of the run that
    expires the pack when no night is missed (the day after its expiry date)."""
    return billing_date(pack.expires_at, zone) + timedelta(days=1 + RENEWAL_RETRY_DAYS)


def renewal_step(pending: PendingRenewal, run_day: date, zone: ZoneInfo) -> RenewalStep:
    """At most one attempt a billing date; a retry only up to the last retry date; the first attempt always."""
    if pending.due > run_day or (pending.failed_on is not None and pending.failed_on >= run_day):
        return RenewalStep.WAIT
    if pending.failed_on is not None and run_day > last_retry_date(pending.pack, zone):
        return RenewalStep.STOP
    return RenewalStep.ATTEMPT


def next_attempt_after_failure(pack: Pack, run_day: date, zone: ZoneInfo) -> date | None:
    """The date a renewal refused on `run_day` is tried again, or None when that was its last try."""
    following = run_day + timedelta(days=1)
    return following if following <= last_retry_date(pack, zone) else None


def renewal_dates_to_visit(today: date, expiries_done_through: date | None) -> list[date]:
    """The due dates a run reads from the renewal index, oldest first, up to today. A renewal is due on the date
    of the run that expired it or the day after its last refusal, so what is due before today was left by runs
    that were missed since the expiry mark (read before this run moves it) or that failed: a run reads back from
    the mark's next date, and RENEWAL_RETRY_DAYS + 1 days before that (after which no retry is left anyway)."""
    start = today if expiries_done_through is None else min(today, expiries_done_through + timedelta(days=1))
    first = start - timedelta(days=RENEWAL_RETRY_DAYS + 1)
    return [first + timedelta(days=offset) for offset in range((today - first).days + 1)]


def renewal_shortfall(price: Decimal, balance: Decimal) -> Decimal:
    """What the balance lacks to pay `price` (a purchase takes nothing below zero), 0 when it is enough."""
    return max(ZERO, price - max(ZERO, balance))


def renewed_event(old: Pack, renewed: PackView, at: datetime) -> DomainEvent:
    """pack_renewed, once per renewed pack whatever day the renewal succeeded on."""
    pack = renewed.pack
    paid = pack.paid or Payment()
    return DomainEvent(
        event_id=f"pack_renewed#{old.account_id}#{old.pack_id}",
        event_type=EventType.PACK_RENEWED,
        account_id=old.account_id,
        at=at,
        detail={
            "renewed_pack_id": old.pack_id,
            "pack_id": pack.pack_id,
            "purchase_id": pack.purchase_id,
            "billing_tag": pack.billing_tag,
            "size": pack.size,
            "price": format_money(paid.total),
            "paid": format_money(paid.from_wallets),
            "expires_at": format_instant(pack.expires_at),
        },
    )


def renewal_failed_event(
    pending: PendingRenewal, run_day: date, at: datetime, *, reason: RenewalRefusal, price: Decimal,
    balance: Decimal, zone: ZoneInfo,
) -> DomainEvent:
    """pack_renewal_failed, at most once per pack and attempt date (the date is in the id)."""
    old = pending.pack
    next_attempt = next_attempt_after_failure(old, run_day, zone)
    shortfall = renewal_shortfall(price, balance) if reason is RenewalRefusal.INSUFFICIENT_BALANCE else None
    return DomainEvent(
        event_id=f"pack_renewal_failed#{old.account_id}#{old.pack_id}#{run_day.isoformat()}",
        event_type=EventType.PACK_RENEWAL_FAILED,
        account_id=old.account_id,
        at=at,
        detail={
            "pack_id": old.pack_id,
            "billing_tag": old.billing_tag,
            "size": old.size,
            "reason": reason.value,
            "price": format_money(price),
            "balance": format_money(balance),
            "shortfall": None if shortfall is None else format_money(shortfall),
            "attempt_date": run_day.isoformat(),
            "next_attempt_date": None if next_attempt is None else next_attempt.isoformat(),
            "last_retry_date": last_retry_date(old, zone).isoformat(),
        },
    )
