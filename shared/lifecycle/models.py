"""What the lifecycle job reads besides the domain's own types."""

from __future__ import annotations

from dataclasses import dataclass

from shared.accounts.models import Pack


@dataclass(frozen=True)
class TrackedPack:
    """A pack as the Packs table's expiry index holds it: active, or expired with its pack_expired event
    not yet published (the index key is removed only once the event is out)."""

    pack: Pack
    expiring_notified: bool  # its pack_expiring event has been published
    unused_at_expiry: int | None = None  # the breakage booked when it expired; None while it has not
