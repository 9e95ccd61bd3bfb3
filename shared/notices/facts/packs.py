"""The facts of the pack notices: which pack, how much of it is left, when it expires."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from shared.notices.detail import Detail


class PackLabel(NamedTuple):
    """What names a pack in a text: its billing tag and its size, either of them possibly unknown."""

    tag: str | None
    size: int | None


def pack_label(detail: Detail) -> PackLabel:
    return PackLabel(tag=detail.text("billing_tag"), size=detail.count("size"))


class PackDelivered(NamedTuple):
    pack: PackLabel
    gifted: bool  # a promotion's pack is announced as a gift, not as a delivery
    expires_at: datetime | None


def pack_delivered(detail: Detail) -> PackDelivered:
    pack = detail.part("pack")
    return PackDelivered(pack=pack_label(pack), gifted=pack.text("origin") == "promotion",
                         expires_at=pack.instant("expires_at"))


class FreePack(NamedTuple):
    tag: str | None
    size: int | None
    expires_at: datetime | None


class FreeQuotaGranted(NamedTuple):
    packs: tuple[FreePack, ...]
    total_calls: int | None  # None when no pack's size is known (or the sizes add up to nothing)
    first_expiry: datetime | None


def free_quota_granted(detail: Detail) -> FreeQuotaGranted:
    packs = tuple(FreePack(tag=pack.text("billing_tag"), size=pack.count("size"), expires_at=pack.instant("expires_at"))
                  for pack in detail.parts("packs"))
    expiries = [pack.expires_at for pack in packs if pack.expires_at is not None]
    return FreeQuotaGranted(packs=packs, total_calls=sum(pack.size or 0 for pack in packs) or None,
                            first_expiry=min(expiries, default=None))


class PackLow(NamedTuple):
    pack: PackLabel
    remaining: int | None


def pack_low(detail: Detail) -> PackLow:
    return PackLow(pack=pack_label(detail), remaining=detail.count("remaining"))


class PackExhausted(NamedTuple):
    pack: PackLabel


def pack_exhausted(detail: Detail) -> PackExhausted:
    return PackExhausted(pack=pack_label(detail))


class PackExpiring(NamedTuple):
    pack: PackLabel
    remaining: int | None
    expires_at: datetime | None  # None: the text says "within 7 days"
    days_left: int | None


def pack_expiring(detail: Detail) -> PackExpiring:
    return PackExpiring(pack=pack_label(detail), remaining=detail.count("remaining"),
                        expires_at=detail.instant("expires_at"), days_left=detail.count("days_left"))


class PackExpired(NamedTuple):
    pack: PackLabel
    expired_at: datetime | None
    voided_calls: int | None  # None when none were left, or the detail does not say


def pack_expired(detail: Detail) -> PackExpired:
    unused = detail.count("unused_calls")
    unused = detail.count("remaining") if unused is None else unused
    return PackExpired(pack=pack_label(detail), expired_at=detail.instant("expires_at"), voided_calls=unused or None)


class PackRenewed(NamedTuple):
    pack: PackLabel
    price: Decimal | None  # what the renewal cost, vouchers included (none are used)
    expires_at: datetime | None  # the new pack's


def pack_renewed(detail: Detail) -> PackRenewed:
    return PackRenewed(pack=pack_label(detail), price=detail.money("price"), expires_at=detail.instant("expires_at"))


class PackRenewalFailed(NamedTuple):
    pack: PackLabel
    suspended: bool  # the account is suspended or released (else its balance was short)
    price: Decimal | None
    shortfall: Decimal | None
    next_attempt: date | None
    last_retry: date | None
    stopped: bool  # no retry is left: auto-renewal has stopped (a detail that says neither is not taken for it)


def pack_renewal_failed(detail: Detail) -> PackRenewalFailed:
    next_attempt, last_retry = detail.day("next_attempt_date"), detail.day("last_retry_date")
    return PackRenewalFailed(
        pack=pack_label(detail), suspended=detail.text("reason") == "ACCOUNT_SUSPENDED", price=detail.money("price"),
        shortfall=detail.money("shortfall"), next_attempt=next_attempt, last_retry=last_retry,
        stopped=next_attempt is None and last_retry is not None,
    )
