"""The settlement queue: a run's accounts, fanned out in messages of up to 50 that workers settle.

A message body: {"cycle": "daily", "run_at": "2026-03-01T16:00:00Z", "dispatch": "d3f0...", "batch": 1,
"accounts": [{"account_id": "acme", "since": "2026-02-28"}, ...]}: the run (its cycle and scheduled instant,
the run's "now"), which dispatch of it sent the message and its number in that dispatch (how the run's
progress knows when every message is settled), and, per account, its oldest unsettled day as the run found it
in the Unsettled index. Settling is idempotent, so a message delivered twice, or retried after a partial
failure, changes nothing the first did.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from shared.instants import parse_instant
from shared.pricing import SettlementCycle
from shared.settlement.periods import SettlementRun

ACCOUNTS_PER_MESSAGE = 50


class MalformedMessage(ValueError):
    """A body no settlement run wrote: it cannot succeed on a retry."""


@dataclass(frozen=True)
class AccountDue:
    account_id: str
    since: date | None  # the oldest unsettled day seen, if known


@dataclass(frozen=True)
class SettlementMessage:
    cycle: SettlementCycle
    run_at: datetime
    accounts: tuple[AccountDue, ...]
    dispatch: str = ""  # empty in a message sent before runs kept their progress
    batch: int = 0

    def run(self, zone: ZoneInfo) -> SettlementRun:
        return SettlementRun(self.cycle, self.run_at, zone)

    def to_json(self) -> str:
        return json.dumps({
            "cycle": self.cycle.value,
            "run_at": self.run_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dispatch": self.dispatch,
            "batch": self.batch,
            "accounts": [{"account_id": due.account_id, "since": None if due.since is None else due.since.isoformat()}
                         for due in self.accounts],
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, body: str) -> SettlementMessage:
        try:
            values = json.loads(body)
            accounts = tuple(
                AccountDue(str(due["account_id"]), date.fromisoformat(due["since"]) if due.get("since") else None)
                for due in values["accounts"]
            )
            return cls(SettlementCycle(values["cycle"]), parse_instant(values["run_at"]), accounts,
                       str(values.get("dispatch", "")), int(values.get("batch", 0)))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise MalformedMessage(f"not a settlement message: {error}") from None


def messages_for(run: SettlementRun, accounts: Sequence[AccountDue], dispatch: str = "") -> list[SettlementMessage]:
    """The run's accounts, 50 a message, numbered from 1 within `dispatch`."""
    return [SettlementMessage(run.cycle, run.run_at, tuple(accounts[start:start + ACCOUNTS_PER_MESSAGE]),
                              dispatch, number)
            for number, start in enumerate(range(0, len(accounts), ACCOUNTS_PER_MESSAGE), start=1)]


