"""Pure rules of refunds (退费说明): whether a pack can be refunded now, and why not. No I/O."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.accounts.models import Account, Pack, PackOrigin, PackStatus, PackView
from shared.accounts.rules import pack_status
from shared.pricing.validity import refund_deadline, refund_window_open
from shared.refunds.errors import (
    AccountSuspendedForViolation,
    AlreadyRefunded,
    NotRefundableOrigin,
    PackUsed,
    RefundWindowClosed,
)
from shared.refusals import Conflict


def refund_refusal(pack: Pack, account: Account, now: datetime, zone: ZoneInfo) -> Conflict | None:
    """Why the pack cannot be refunded at `now`, each reason with its own code, or None if it can (退费说明):
    a bought pack, of an account not suspended for a violation, not refunded yet, nothing taken from it, until
    23:59:59 of the 7th day after its purchase day in the billing zone."""
    if pack.origin is not PackOrigin.PURCHASE:
        return NotRefundableOrigin(pack.pack_id, pack.origin.value)
    if account.suspended_for_violation:
        return AccountSuspendedForViolation(account.account_id)
    if pack.recorded_status is PackStatus.REFUNDED:
        return AlreadyRefunded(pack.pack_id)
    if pack.remaining < pack.size:
        return PackUsed(pack.pack_id, pack.used)
    if not refund_window_open(pack.acquired_at, now, zone):
        deadline = refund_deadline(pack.acquired_at, zone)
        return RefundWindowClosed(pack.pack_id, f"{deadline:%Y-%m-%d %H:%M:%S} ({zone.key})")
    return None


def pack_refundable(pack: Pack, account: Account, now: datetime, zone: ZoneInfo) -> bool:
    """The `refundable` of a pack answer: whether the refund route would take it now."""
    return refund_refusal(pack, account, now, zone) is None


def view_pack(pack: Pack, account: Account, now: datetime, zone: ZoneInfo) -> PackView:
    return PackView(pack, pack_status(pack, now), pack_refundable(pack, account, now, zone))
