"""What the lifecycle job reads besides the domain's own types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.accounts.models import Pack


@dataclass(frozen=True)
class TrackedPack:
    """A pack as the Packs table's expiry index holds it: active, or expired with its pack_expired event
    not yet published (the index key is removed only once the event is out)."""

    pack: Pack
    expiring_notified: bool  # its pack_expiring event has been published
    unused_at_expiry: int | None = None  # the breakage booked when it expired; None while it has not


@dataclass(frozen=True)
class PendingRenewal:
    """An expired auto-renew pack whose renewal the Packs table's renewal index holds: due on `due` (a billing
    date), and the last date an attempt failed (its pack_renewal_failed is out), if one did."""

    pack: Pack
    due: date
    failed_on: date | None = None
