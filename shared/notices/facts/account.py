"""The facts of the notices of an account's standing: arrears, suspension, release and restoration."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from shared.notices.detail import Detail


class Arrears(NamedTuple):
    balance: Decimal | None
    bill_id: str | None
    still_in_arrears: bool  # the account was in arrears already before this notice's cause
    suspend_at: datetime | None  # None: the text says "24 hours after this notice"
    release_at: datetime | None


def arrears(detail: Detail) -> Arrears:
    return Arrears(balance=detail.money("balance"), bill_id=detail.text("bill_id"),
                   still_in_arrears=detail.flag("entered_arrears") is False,
                   suspend_at=detail.instant("suspend_at"), release_at=detail.instant("release_at"))


class Suspended(NamedTuple):
    balance: Decimal | None
    suspended_at: datetime | None
    release_at: datetime | None


def suspended(detail: Detail) -> Suspended:
    return Suspended(balance=detail.money("balance"), suspended_at=detail.instant("suspended_at"),
                     release_at=detail.instant("release_at"))


class Released(NamedTuple):
    balance: Decimal | None
    released_at: datetime | None


def released(detail: Detail) -> Released:
    return Released(balance=detail.money("balance"), released_at=detail.instant("released_at"))


class Restored(NamedTuple):
    balance: Decimal | None
    # The arrears are over, but a suspension for a violation is not: the service is not back.
    suspended_for_violation: bool


def restored(detail: Detail) -> Restored:
    return Restored(balance=detail.money("balance"), suspended_for_violation=detail.text("status") == "suspended")
