"""The reconciliation queue: a run's accounts, fanned out in numbered batches of up to 50 that workers check.

A message body: {"date": "2026-03-01", "ran_at": "2026-03-01T18:00:00Z", "batch": 3, "accounts": ["acme", ...]}:
the billing date checked, the run's scheduled instant, and the batch's number within the run, which names
the one result item the batch writes. Checking only reads, so a message delivered twice writes the same
item again and never counts twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date

from shared.instants import parse_instant
from shared.reconciliation.models import ReconciliationRun

ACCOUNTS_PER_MESSAGE = 50


class MalformedMessage(ValueError):
    """A body no reconciliation run wrote: it cannot succeed on a retry."""


@dataclass(frozen=True)
class ReconciliationMessage:
    run: ReconciliationRun
    batch: int
    accounts: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps({
            "date": self.run.day.isoformat(),
            "ran_at": self.run.ran_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "batch": self.batch,
            "accounts": list(self.accounts),
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, body: str) -> ReconciliationMessage:
        try:
            values = json.loads(body)
            run = ReconciliationRun(date.fromisoformat(values["date"]), parse_instant(values["ran_at"]))
            batch = values["batch"]
            if not isinstance(batch, int) or isinstance(batch, bool) or batch < 0:
                raise ValueError(f"batch {batch!r} is not a number from 0")
            if not isinstance(values["accounts"], list):
                raise ValueError("accounts is not a list")
            accounts = tuple(str(account_id) for account_id in values["accounts"])
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise MalformedMessage(f"not a reconciliation message: {error}") from None
        return cls(run, batch, accounts)


def messages_for(run: ReconciliationRun, account_ids: Sequence[str]) -> list[ReconciliationMessage]:
    return [ReconciliationMessage(run, number, tuple(account_ids[start:start + ACCOUNTS_PER_MESSAGE]))
            for number, start in enumerate(range(0, len(account_ids), ACCOUNTS_PER_MESSAGE))]
