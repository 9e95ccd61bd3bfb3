"""The arrears domain's types: the stage an account has reached, its standing, the deadlines the arrears
check works through, and what ended an arrears."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.accounts.models import AccountStatus, SuspensionReason


class ArrearsStage(StrEnum):
    NONE = "none"
    ARREARS = "arrears"
    SUSPENDED = "suspended"
    RELEASED = "released"


@dataclass(frozen=True)
class Standing:
    status: AccountStatus
    suspension_reason: SuspensionReason | None


class DeadlineKind(StrEnum):
    """What the arrears check has to do for an account (the key of the Accounts table's ByDeadline index)."""

    SUSPEND = "suspend"
    RELEASE = "release"
    NOTICE = "notice"  # a recorded transition whose notice is not known to be published yet


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    at: datetime


class RestoreCause(StrEnum):
    RECHARGE = "recharge"
    REFUND = "refund"
