"""The arrears check (schedule `arrears-check`, every 5 minutes): suspends the accounts whose suspension is
due, releases those whose release is due, and publishes the notices a crashed run left unpublished.

It finds the accounts through the Accounts table's ByDeadline index, never by scanning, and decides at the
run's scheduled instant, so a late or retried run decides as the scheduled one would have. Each account is
read again (consistently) before anything is written, and each write is conditioned on what was read: two
runs at once, or a run racing a recharge, change an account once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from shared.accounts.errors import StaleAccount
from shared.arrears.models import ArrearsStage, Deadline, DeadlineKind
from shared.arrears.rules import arrears_stage, due_transition, next_deadline, transition_notice
from shared.events import EventSink
from shared.store.deadlines import AccountDeadlines, DeadlineState

logger = Logger(child=True)


# Notices first: they are what a crashed run left half done.
_KINDS_IN_ORDER = (DeadlineKind.NOTICE, DeadlineKind.SUSPEND, DeadlineKind.RELEASE)
_STALE_RETRIES = 3
PROGRESS_EVERY = 500
TIME_RESERVE = timedelta(seconds=10)
"""A run stops taking new accounts when less time than this is left; the next run carries on."""


class ArrearsCheckOutcome(StrEnum):
    SUSPENDED = "suspended"
    RELEASED = "released"
    NOTICE_PUBLISHED = "notice_published"  # a notice a crashed run left, published now
    RESCHEDULED = "rescheduled"  # nothing due any more (the arrears ended): the deadline was moved or dropped
    UNCHANGED = "unchanged"  # not due when read again, or kept changing under the run
    FAILED = "failed"  # logged; still due, so the next run tries again


@dataclass
class CheckSummary:
    outcomes: Counter[ArrearsCheckOutcome] = field(default_factory=Counter)
    finished: bool = True

    @property
    def accounts(self) -> int:
        return sum(self.outcomes.values())

    def as_json(self) -> dict[str, object]:
        return {"accounts": self.accounts, "finished": self.finished,
                "outcomes": {outcome.value: count for outcome, count in sorted(self.outcomes.items())}}


@dataclass(frozen=True)
class ArrearsStores:
    deadlines: AccountDeadlines
    events: EventSink
    zone: ZoneInfo
    release_after_days: int


def run_arrears_check(stores: ArrearsStores, now: datetime, *, time_left: Callable[[], timedelta]) -> CheckSummary:
    """Every account with a deadline at or before `now`, notices first, then suspensions, then releases."""
    summary = CheckSummary()
    for kind in _KINDS_IN_ORDER:
        for account_id in stores.deadlines.due(kind, now):
            if time_left() < TIME_RESERVE:
                summary.finished = False
                logger.warning("arrears check out of time; the next run carries on", extra=summary.as_json())
                return summary
            summary.outcomes[_check_logging_failure(stores, account_id, now)] += 1
            if summary.accounts % PROGRESS_EVERY == 0:
                logger.info("arrears check progress", extra={"kind": kind.value, **summary.as_json()})
    logger.info("arrears check done", extra={"now": now.astimezone(UTC).isoformat(), **summary.as_json()})
    return summary


def _check_logging_failure(stores: ArrearsStores, account_id: str, now: datetime) -> ArrearsCheckOutcome:
    # One account's failure (a throttled write, a publish that failed) must not hold up the others.
    try:
        return check_account(stores, account_id, now)
    except Exception:
        logger.exception("arrears check of an account failed", extra={"account_id": account_id})
        return ArrearsCheckOutcome.FAILED


def check_account(stores: ArrearsStores, account_id: str, now: datetime) -> ArrearsCheckOutcome:
    """Do what is due for one account at `now`: publish its pending notice, or record its transition and
    publish that, or move a deadline that nothing is due at any more."""
    for _ in range(_STALE_RETRIES):
        state = stores.deadlines.load(account_id)
        if state is None or state.deadline is None or state.deadline.at.astimezone(UTC) > now.astimezone(UTC):
            return ArrearsCheckOutcome.UNCHANGED
        if state.pending_notice is not None:
            _publish_notice(stores, state)
            return ArrearsCheckOutcome.NOTICE_PUBLISHED
        after = due_transition(state.account, now, release_after_days=stores.release_after_days, zone=stores.zone)
        if after is None:
            stores.deadlines.replace_deadline(state, next_deadline(state.account))
            return ArrearsCheckOutcome.RESCHEDULED
        notice = transition_notice(after)
        if notice is None:
            raise RuntimeError(f"account {account_id}: a transition without its notice")
        try:
            stores.deadlines.record_transition(state, after, notice.event_type, now)
        except StaleAccount:
            continue
        _publish_notice(stores, DeadlineState(after, Deadline(DeadlineKind.NOTICE, now), notice.event_type))
        suspended = arrears_stage(after) is ArrearsStage.SUSPENDED
        return ArrearsCheckOutcome.SUSPENDED if suspended else ArrearsCheckOutcome.RELEASED
    logger.warning("account kept changing under the arrears check; the next run tries again",
                   extra={"account_id": account_id})
    return ArrearsCheckOutcome.UNCHANGED


def _publish_notice(stores: ArrearsStores, state: DeadlineState) -> None:
    notice = transition_notice(state.account)
    if notice is not None:
        stores.events.publish([notice])
    stores.deadlines.replace_deadline(state, next_deadline(state.account))
