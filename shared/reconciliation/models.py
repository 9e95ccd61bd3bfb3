"""What the nightly reconciliation reads of one account, and what it finds (API.md, Reports and reconciliation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.accounts.models import Account, LedgerEntry, Pack
from shared.pricing import billing_date
from shared.settlement.models import Bill


class Check(StrEnum):
    WALLET_BALANCE = "WALLET_BALANCE"
    PACK_REMAINING = "PACK_REMAINING"
    BILLED_CALLS = "BILLED_CALLS"
    DEFERRED_REVENUE = "DEFERRED_REVENUE"


CHECK_ORDER: tuple[Check, ...] = tuple(Check)


@dataclass(frozen=True)
class Difference:
    """A stored figure that its history contradicts. `expected` is what the history says, `actual` what is
    stored: money as "0.00", calls as whole numbers. `subject` names the figure within the account (a wallet,
    "balance", a pack id or a billing tag); API.md's answer does not carry it, the logs and the stored results do."""

    account_id: str
    check: Check
    expected: str
    actual: str
    subject: str


@dataclass(frozen=True)
class DayCount:
    """One usage counter of the checked day, as stored: its billable calls and how many of them are settled."""

    billable: int
    settled: int


@dataclass(frozen=True)
class AccountHistory:
    """What the checks of one account for one billing date read.

    `recorded_calls`: billable calls of the day per tag, counted in the Calls table itself. `counters`: the day's
    usage counters per tag. `pending_settled`: for a settlement committed but not finished (the account's
    marker), the day's counts it settles up to, per tag, which its after-commit work has not yet written to the
    counters. `bills`: every bill that can carry a deduction from one of the packs or a line of the day.
    """

    account: Account
    ledger: Sequence[LedgerEntry]
    packs: Sequence[Pack]
    bills: Sequence[Bill]
    recorded_calls: Mapping[str, int]
    counters: Mapping[str, DayCount]
    pending_settled: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountFindings:
    account_id: str
    packs_checked: int
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class ReconciliationRun:
    """One run of the job: the billing date it checks (the day before the run's own) and its scheduled instant."""

    day: date
    ran_at: datetime

    @classmethod
    def scheduled_at(cls, instant: datetime, zone: ZoneInfo) -> ReconciliationRun:
        """The run a schedule fired at `instant` (02:00): it checks the billing date before the run's own."""
        return cls(billing_date(instant, zone) - timedelta(days=1), instant)


@dataclass(frozen=True)
class BatchFindings:
    """What one message's accounts showed: one stored result per message of a run."""

    run: ReconciliationRun
    batch: int
    accounts_checked: int
    packs_checked: int
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class ReconciliationReport:
    """GET /v1/reconciliation: the run's header and the sum of its batches' findings."""

    run: ReconciliationRun
    accounts_due: int
    accounts_checked: int
    packs_checked: int
    differences: tuple[Difference, ...]
