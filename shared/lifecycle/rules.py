"""Which packs a lifecycle run warns and expires, what an expiry books, and the events it publishes.

A run decides at its scheduled instant (00:00 in the billing time zone), never at the wall clock, so a
retried or late run decides as the scheduled one would have. A pack is valid up to and including its
`expires_at` (bought: 23:59:59 of its date; gifted: the activation or grant instant a year on), as
shared.accounts.rules.pack_status has it; its expiry date is the billing date of that instant.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.accounts.models import LedgerEntry, LedgerKind, Pack, PackStatus, Wallet
from shared.events import DomainEvent, EventType
from shared.instants import format_instant
from shared.lifecycle.models import TrackedPack
from shared.pricing import billing_date

WARNING_DAYS = 7
# With no record of an earlier run, the first run reads this many days back. No pack can be active
# with an expiry date before a deployment's first 00:00 (packs last at least a day), so this only
# covers a first run that fired late.
FIRST_RUN_LOOKBACK_DAYS = 7
BREAKAGE_AMOUNT = Decimal("0.00")

_LIVE = (PackStatus.ACTIVE, PackStatus.EXHAUSTED)


def run_date(now: datetime, zone: ZoneInfo) -> date:
    return billing_date(now, zone)


def expiry_date(pack: Pack, zone: ZoneInfo) -> date:
    return billing_date(pack.expires_at, zone)


def is_overdue(pack: Pack, now: datetime) -> bool:
    """Its validity ended before `now` (compared in UTC: equal wall clocks may be different instants)."""
    return now.astimezone(UTC) > pack.expires_at.astimezone(UTC)


def should_expire(pack: Pack, now: datetime) -> bool:
    """Recorded live (an exhausted pack too: its breakage is 0 calls) and no longer valid at `now`."""
    return pack.recorded_status in _LIVE and is_overdue(pack, now)


def should_warn(tracked: TrackedPack, now: datetime, zone: ZoneInfo) -> bool:
    """pack_expiring, once per pack: still valid with calls left, and expiring within WARNING_DAYS of the
    run's date. A pack that nothing is left of needs no warning: it is simply reported when it expires."""
    pack = tracked.pack
    days_left = (expiry_date(pack, zone) - run_date(now, zone)).days
    return (
        pack.recorded_status is PackStatus.ACTIVE
        and pack.remaining > 0
        and not tracked.expiring_notified
        and not is_overdue(pack, now)
        and days_left <= WARNING_DAYS
    )


def dates_to_visit(today: date, expiries_done_through: date | None) -> list[date]:
    """The expiry dates a run reads from the index, oldest first: every date not yet done up to today
    (expiries, including those of runs that were missed), then today to today + WARNING_DAYS (warnings)."""
    first = (today - timedelta(days=FIRST_RUN_LOOKBACK_DAYS) if expiries_done_through is None
             else min(today, expiries_done_through + timedelta(days=1)))
    last = today + timedelta(days=WARNING_DAYS)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def done_through_after_run(visited: Iterable[date], failed: Collection[date], today: date) -> date | None:
    """The last date before today up to which every visited date went through without a failure (None if the
    first one failed). Today's date is never done at 00:00: packs valid until 23:59:59 today are still on it."""
    done = None
    for day in sorted(visited):
        if day >= today or day in failed:
            break
        done = day
    return done


def breakage_entry(pack: Pack) -> LedgerEntry:
    """The ledger's record of the calls an expired pack leaves unused. Amount 0: the money moved when the pack
    was bought, so the balance stays the sum of the entries; the entry accounts for the calls."""
    return LedgerEntry(
        account_id=pack.account_id,
        kind=LedgerKind.PACK_BREAKAGE,
        wallet=Wallet.CASH,
        amount=BREAKAGE_AMOUNT,
        at=pack.expires_at,
        ref=pack.pack_id,
        details={"pack_id": pack.pack_id, "billing_tag": pack.billing_tag, "calls": pack.remaining,
                 "size": pack.size},
    )


def expiring_event(pack: Pack, now: datetime, zone: ZoneInfo) -> DomainEvent:
    return DomainEvent(
        event_id=f"pack_expiring#{pack.account_id}#{pack.pack_id}",
        event_type=EventType.PACK_EXPIRING,
        account_id=pack.account_id,
        at=now,
        detail={
            **_pack_detail(pack),
            "remaining": pack.remaining,
            "days_left": (expiry_date(pack, zone) - run_date(now, zone)).days,
        },
    )


def expired_event(pack: Pack, unused_calls: int) -> DomainEvent:
    return DomainEvent(
        event_id=f"pack_expired#{pack.account_id}#{pack.pack_id}",
        event_type=EventType.PACK_EXPIRED,
        account_id=pack.account_id,
        at=pack.expires_at,
        detail={**_pack_detail(pack), "unused_calls": unused_calls},
    )


def _pack_detail(pack: Pack) -> dict[str, object]:
    return {
        "pack_id": pack.pack_id,
        "billing_tag": pack.billing_tag,
        "origin": pack.origin.value,
        "size": pack.size,
        "expires_at": format_instant(pack.expires_at),
    }
