"""Pure rules of arrears: the stage an account has reached, the transitions the arrears check records, the end
of arrears on a credit, and the notices of each. No I/O.

A settlement that leaves the balance below zero puts the account in arrears: it records `arrears_since` (the
instant of the arrears notice) and `suspend_at`, 24 hours later. From then on the stage follows from the
account's instants:

- arrears: the service still runs, until `suspend_at`;
- suspended: from `suspend_at` if the balance is still below zero then, until `release_at`, the configured
  number of days later (calendar days in the billing zone);
- released: from `release_at`; packs and money are kept.

A credit (recharge or refund) that brings the balance to zero or above ends the arrears at whatever stage.
A suspension for a violation is kept apart: while it lasts it is the status, the arrears stage goes on
underneath, and lifting it shows the stage reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.accounts.models import ZERO, Account, AccountStatus, SuspensionReason, Wallet
from shared.arrears.models import ArrearsStage, Deadline, DeadlineKind, RestoreCause, Standing
from shared.events import DomainEvent, EventType
from shared.instants import format_instant
from shared.pricing import format_money

SUSPENSION_DELAY = timedelta(hours=24)
"""From the arrears notice to the suspension: settlement records suspend_at = the notice's instant + this."""


_STANDING_OF_STAGE = {
    ArrearsStage.NONE: Standing(AccountStatus.ACTIVE, None),
    ArrearsStage.ARREARS: Standing(AccountStatus.ARREARS, None),
    ArrearsStage.SUSPENDED: Standing(AccountStatus.SUSPENDED, SuspensionReason.ARREARS),
    ArrearsStage.RELEASED: Standing(AccountStatus.RELEASED, None),
}
_SUSPENDED_FOR_VIOLATION = Standing(AccountStatus.SUSPENDED, SuspensionReason.VIOLATION)


def _reached(now: datetime, instant: datetime) -> bool:
    return now.astimezone(UTC) >= instant.astimezone(UTC)


def arrears_stage(account: Account) -> ArrearsStage:
    """The stage as recorded (the arrears check records each transition within 5 minutes of its instant)."""
    if account.arrears_since is None:
        return ArrearsStage.NONE
    if account.released_at is not None:
        return ArrearsStage.RELEASED
    if account.release_at is not None:
        return ArrearsStage.SUSPENDED
    return ArrearsStage.ARREARS


def arrears_stage_at(account: Account, now: datetime) -> ArrearsStage:
    """The stage at `now` to the second, whether or not the arrears check has recorded it yet."""
    stage = arrears_stage(account)
    if stage is ArrearsStage.ARREARS and _suspension_due(account, now):
        return ArrearsStage.SUSPENDED
    if stage is ArrearsStage.SUSPENDED and account.release_at is not None and _reached(now, account.release_at):
        return ArrearsStage.RELEASED
    return stage


def _suspension_due(account: Account, now: datetime) -> bool:
    return account.suspend_at is not None and account.balance < ZERO and _reached(now, account.suspend_at)


def arrears_standing(account: Account) -> Standing:
    """The status the recorded arrears stage gives, a violation aside (what lifting a violation returns to)."""
    return _STANDING_OF_STAGE[arrears_stage(account)]


def standing_at(account: Account, now: datetime) -> Standing:
    """The standing at `now`, exact to the second: what entitlement goes by."""
    if account.suspended_for_violation:
        return _SUSPENDED_FOR_VIOLATION
    return _STANDING_OF_STAGE[arrears_stage_at(account, now)]


def next_deadline(account: Account) -> Deadline | None:
    """The next transition of the recorded stage: the suspension (while the balance is below zero), then the
    release; none once released or out of arrears."""
    stage = arrears_stage(account)
    if stage is ArrearsStage.ARREARS and account.suspend_at is not None and account.balance < ZERO:
        return Deadline(DeadlineKind.SUSPEND, account.suspend_at)
    if stage is ArrearsStage.SUSPENDED and account.release_at is not None:
        return Deadline(DeadlineKind.RELEASE, account.release_at)
    return None


def release_instant(suspended_at: datetime, release_after_days: int, zone: ZoneInfo) -> datetime:
    """`release_after_days` calendar days after the suspension, at the same time of day in the billing zone (a
    23- or 25-hour day of daylight saving counts as one day)."""
    return (suspended_at.astimezone(zone) + timedelta(days=release_after_days)).astimezone(UTC)


def due_transition(account: Account, now: datetime, *, release_after_days: int, zone: ZoneInfo) -> Account | None:
    """The account after the transition due at `now`, or None if none is.

    A transition takes effect at its deadline, not when the check happens to run: suspended at `suspend_at`
    (exactly 24 hours after the notice), released at `release_at`.
    """
    deadline = next_deadline(account)
    if deadline is None or not _reached(now, deadline.at):
        return None
    if deadline.kind is DeadlineKind.SUSPEND:
        moved = replace(account, release_at=release_instant(deadline.at, release_after_days, zone))
    else:
        moved = replace(account, released_at=deadline.at)
    return _with_stage_shown(replace(moved, version=account.version + 1))


def ended_by_credit(credited: Account) -> Account | None:
    """The account a credit left (`credited`, with its new balance) with its arrears ended, if the balance is back
    at zero or above: active again, or still suspended if suspended for a violation. None if it had no arrears
    or is still below zero."""
    if credited.arrears_since is None or credited.balance < ZERO:
        return None
    cleared = replace(credited, arrears_since=None, suspend_at=None, release_at=None, released_at=None)
    return _with_stage_shown(cleared)


def _with_stage_shown(account: Account) -> Account:
    if account.suspended_for_violation:
        return account
    standing = arrears_standing(account)
    return replace(account, status=standing.status, suspension_reason=standing.suspension_reason)


# -- notices


def transition_notice(account: Account) -> DomainEvent | None:
    """The notice of the stage the arrears check recorded: `suspended` (when the service stopped and when it will
    be released) or `released`. Its id names the account's arrears episode, so a republished notice is the same
    event."""
    episode = account.arrears_since
    if episode is None:
        return None
    stage = arrears_stage(account)
    detail = {"balance": format_money(account.balance), "arrears_since": format_instant(episode)}
    if stage is ArrearsStage.SUSPENDED and account.suspend_at is not None and account.release_at is not None:
        return DomainEvent(
            f"suspended#{account.account_id}#{format_instant(episode)}", EventType.SUSPENDED, account.account_id,
            account.suspend_at,
            {**detail, "suspended_at": format_instant(account.suspend_at),
             "release_at": format_instant(account.release_at)},
        )
    if stage is ArrearsStage.RELEASED and account.suspend_at is not None and account.released_at is not None:
        return DomainEvent(
            f"released#{account.account_id}#{format_instant(episode)}", EventType.RELEASED, account.account_id,
            account.released_at,
            {**detail, "suspended_at": format_instant(account.suspend_at),
             "released_at": format_instant(account.released_at)},
        )
    return None


def restored_notice(
    before: Account, restored: Account, *, cause: RestoreCause, cause_id: str, at: datetime
) -> DomainEvent:
    """`restored`: the credit `cause_id` (a recharge_id or refund_id) ended the arrears at `at`. `ended_stage` is
    the stage it ended (arrears, suspended or released); `status` is the account's status now (still
    `suspended` if suspended for a violation)."""
    account_id = restored.account_id
    return DomainEvent(
        f"restored#{account_id}#{cause.value}#{cause_id}", EventType.RESTORED, account_id, at,
        {"restored_at": format_instant(at), "balance": format_money(restored.balance),
         "ended_stage": arrears_stage_at(before, at).value, "status": restored.status.value,
         "cause": cause.value, "cause_id": cause_id},
    )


def with_violation_suspension(account: Account) -> Account:
    return replace(account, status=AccountStatus.SUSPENDED, suspension_reason=SuspensionReason.VIOLATION)


def with_violation_lifted(account: Account) -> Account:
    """Back to where the account would be without the violation: the stage its arrears reached meanwhile
    (arrears, suspended for arrears, released), else active."""
    standing = arrears_standing(account)
    return replace(account, status=standing.status, suspension_reason=standing.suspension_reason)


@dataclass(frozen=True)
class Credit:
    """An account credited (a recharge or a refund): the account after it, and if the credit ended the arrears,
    the account restored (what the credit's write records) and its `restored` notice."""

    after: Account
    restored: Account | None
    notice: DomainEvent | None


def credit(account: Account, amounts: Mapping[Wallet, Decimal], *, cause: RestoreCause, cause_id: str,
           at: datetime) -> Credit:
    """Each amount added to its wallet and all to the balance; a balance back at zero or above ends the arrears."""
    wallets = account.wallets
    for wallet, amount in amounts.items():
        wallets = wallets.plus(wallet, amount)
    credited = replace(account, balance=account.balance + sum(amounts.values(), ZERO), wallets=wallets,
                       version=account.version + 1)
    restored = ended_by_credit(credited)
    if restored is None:
        return Credit(credited, None, None)
    return Credit(restored, restored, restored_notice(account, restored, cause=cause, cause_id=cause_id, at=at))
