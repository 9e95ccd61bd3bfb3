"""Call ingestion, the core behind POST /v1/calls and the ingest queue.

Each call is checked on its own, then written once by a conditional put keyed by (account, request_id):
the put stores a new call, or hands back the call already stored under that key, whose fingerprint
tells a duplicate (same call again) from a reused request_id (another call). Nothing else is written
per call: the usage counters follow from the Calls table's stream.

Crash safety: every write is idempotent and decisions are recomputed the same way on a retry, so
a batch that died half way is simply sent again. Calls already stored come back as duplicates with
their first decision; an NFC window written just before its call's put is recognised by its opener.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from shared import clock
from shared.ingestion.outcomes import CallOutcome, CallStatus, Rejection, RejectionCode
from shared.ingestion.rules import (
    CallKey,
    ValidCall,
    check_call,
    expires_at,
    request_id_of,
    timing_refusal,
    window_expires_at,
)
from shared.instants import format_instant
from shared.pricing import BillingDecision, classify_call, is_nfc_window_start
from shared.store.calls import NfcWindow, StoredCall, WindowKey

# Puts in flight per batch. boto3 clients are thread-safe; shared.aws keeps 50 pooled connections.
MAX_WORKERS = 32
# Optimistic retries when other calls of the same NFC reqId keep moving its window meanwhile.
MAX_WINDOW_ATTEMPTS = 10


class CallStore(Protocol):
    def insert(self, call: StoredCall) -> StoredCall | None: ...

    def prefetch(self, call_keys: Iterable[CallKey], window_keys: Iterable[WindowKey]
                 ) -> tuple[dict[CallKey, StoredCall], dict[WindowKey, NfcWindow]]: ...

    def nfc_window(self, account_id: str, nfc_req_id: str) -> NfcWindow | None: ...

    def open_nfc_window(self, window: NfcWindow, *, replacing: NfcWindow | None) -> bool: ...


class AccountLookup(Protocol):
    def existing(self, account_ids: Iterable[str]) -> set[str]: ...


class WindowContention(RuntimeError):
    """An NFC reqId's window kept moving under us: transient, the batch is retried."""


@dataclass(frozen=True)
class Written:
    stored: StoredCall  # what the table holds under the call's key once the put is done
    inserted: bool  # stored by this very put


@dataclass(frozen=True)
class IngestSummary:
    """Counts of one batch's outcomes, for logs and metrics (no contact details in here)."""

    accepted: int
    duplicate: int
    rejected: int
    rejected_by_code: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, outcomes: Sequence[CallOutcome]) -> IngestSummary:
        statuses = Counter(outcome.status for outcome in outcomes)
        codes = Counter(outcome.rejection.code.value for outcome in outcomes if outcome.rejection is not None)
        return cls(statuses[CallStatus.ACCEPTED], statuses[CallStatus.DUPLICATE], statuses[CallStatus.REJECTED],
                   dict(sorted(codes.items())))


class IngestionService:
    def __init__(self, calls: CallStore, accounts: AccountLookup, zone: ZoneInfo, *,
                 now: Callable[[], datetime] = clock.now, max_workers: int | None = None):
        self._calls = calls
        self._accounts = accounts
        self._zone = zone
        self._now = now
        self._max_workers = max_workers or MAX_WORKERS

    def ingest(self, raw_calls: Sequence[Any]) -> list[CallOutcome]:
        """One outcome per raw call, in order. Raises on a storage failure: the whole batch may then be
        sent again, safely (what was stored answers as a duplicate with its first decision)."""
        now = self._now()
        outcomes: dict[int, CallOutcome] = {}
        in_time: list[ValidCall] = []
        out_of_time: list[tuple[ValidCall, Rejection]] = []
        for index, raw in enumerate(raw_calls):
            checked = check_call(index, raw, self._zone)
            if isinstance(checked, Rejection):
                outcomes[index] = CallOutcome.rejected(request_id_of(raw), checked)
            elif (refusal := timing_refusal(checked, now)) is not None:
                out_of_time.append((checked, refusal))
            else:
                in_time.append(checked)

        leaders, followers = self._leaders_and_followers(in_time, outcomes)
        written, existing = self._write_leaders(leaders, [call for call, _ in out_of_time], now)

        for call in leaders:
            outcomes[call.index] = _outcome(call, written[call.key])
        for call in followers:
            outcomes[call.index] = _outcome(call, Written(written[call.key].stored, inserted=False))
        for call, refusal in out_of_time:
            stored = written[call.key].stored if call.key in written else existing.get(call.key)
            outcomes[call.index] = (CallOutcome.rejected(call.request_id, refusal) if stored is None
                                    else _outcome(call, Written(stored, inserted=False)))
        return [outcomes[index] for index in range(len(raw_calls))]

    def _leaders_and_followers(self, calls: list[ValidCall], outcomes: dict[int, CallOutcome]
                               ) -> tuple[list[ValidCall], list[ValidCall]]:
        """Refuse the calls of unknown accounts (one lookup for the batch); of the others, the first call
        of each (account, request_id) is written and the later ones compare with what is stored."""
        known = self._accounts.existing({call.account_id for call in calls})
        leaders: dict[CallKey, ValidCall] = {}
        followers: list[ValidCall] = []
        for call in calls:
            if call.account_id not in known:
                outcomes[call.index] = CallOutcome.rejected(call.request_id, Rejection(
                    RejectionCode.ACCOUNT_NOT_FOUND, f"no account {call.account_id!r}", call.field("account_id")))
            elif call.key in leaders:
                followers.append(call)
            else:
                leaders[call.key] = call
        return list(leaders.values()), followers

    def _write_leaders(self, leaders: list[ValidCall], out_of_time: list[ValidCall], now: datetime
                       ) -> tuple[dict[CallKey, Written], dict[CallKey, StoredCall]]:
        """Write every leader (concurrently); answer what each key holds after, and what was read first."""
        windowed = [call for call in leaders if call.needs_nfc_window]
        existing: dict[CallKey, StoredCall] = {}
        windows: dict[WindowKey, NfcWindow] = {}
        if windowed or out_of_time:
            # A stored NFC call must not touch its window again (a retry is a duplicate, nothing more),
            # and a call refused for its time may still be the repeat of one stored in time.
            existing, windows = self._calls.prefetch([call.key for call in windowed + out_of_time],
                                                     [_window_key(call) for call in windowed])
        groups: dict[WindowKey, list[ValidCall]] = defaultdict(list)
        for call in windowed:
            groups[_window_key(call)].append(call)
        tasks = [partial(self._write, call, call.decision, now) for call in leaders if not call.needs_nfc_window]
        tasks += [partial(self._write_window_group, group, windows.get(key), existing, now)
                  for key, group in groups.items()]
        return self._run(tasks), existing

    def _run(self, tasks: Sequence[Callable[[], list[tuple[CallKey, Written]]]]) -> dict[CallKey, Written]:
        """Run the write tasks concurrently; every task has ended (none left writing) when this returns."""
        if len(tasks) <= 1 or self._max_workers <= 1:
            return {key: written for task in tasks for key, written in task()}
        with ThreadPoolExecutor(max_workers=min(self._max_workers, len(tasks))) as executor:
            futures: list[Future] = [executor.submit(task) for task in tasks]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((future for future in done if future.exception() is not None), None)
            if failed is not None:
                for future in futures:
                    future.cancel()
                wait(futures)
                raise failed.exception()  # type: ignore[misc]
        return {key: written for future in futures for key, written in future.result()}

    def _write(self, call: ValidCall, decision: BillingDecision, now: datetime) -> list[tuple[CallKey, Written]]:
        record = StoredCall(
            account_id=call.account_id,
            request_id=call.request_id,
            channel=call.channel,
            source=call.source,
            return_code=call.return_code,
            occurred_at=call.occurred_at,
            received_at=now,
            billing_date=call.billing_date,
            billing_tag=call.billing_tag,
            billable=decision.billable,
            reason=decision.reason,
            fingerprint=call.fingerprint,
            nfc_req_id=call.nfc_req_id,
            expires_at=expires_at(call.occurred_at),
        )
        already = self._calls.insert(record)
        return [(call.key, Written(already or record, inserted=already is None))]

    def _write_window_group(self, calls: list[ValidCall], window: NfcWindow | None,
                            existing: dict[CallKey, StoredCall], now: datetime) -> list[tuple[CallKey, Written]]:
        """The billable calls of one NFC reqId, in the order they happened, each against the window the
        previous one left (one task: they depend on each other)."""
        written: list[tuple[CallKey, Written]] = []
        for call in sorted(calls, key=lambda call: (call.occurred_at, call.index)):
            stored = existing.get(call.key)
            if stored is not None:
                written.append((call.key, Written(stored, inserted=False)))
                continue
            decision, window = self._place_in_window(call, window)
            written += self._write(call, decision, now)
        return written

    def _place_in_window(self, call: ValidCall, window: NfcWindow | None) -> tuple[BillingDecision, NfcWindow | None]:
        """Bill the call or call it a free repeat; a billed call opens a new window, written before the call.

        Calls of one reqId are placed in the order they arrive (within a batch, the order they happened):
        a call that arrives after a later one of its reqId is judged against the window as it then stands,
        as shared.pricing's rule says (a billed call's instant becomes the window's start)."""
        assert call.nfc_req_id is not None
        for _ in range(MAX_WINDOW_ATTEMPTS):
            # The window's own opener, sent again after a crash between the two writes, is billed again.
            opened_by_this_call = window is not None and window.opener == call.request_id
            first = None if window is None or opened_by_this_call else window.first_billable_at
            decision = classify_call(call.channel, call.return_code, call.billing_date,
                                     nfc_first_billable_at=first, occurred_at=call.occurred_at)
            if not is_nfc_window_start(decision, call.channel):
                return decision, window
            opened = NfcWindow(call.account_id, call.nfc_req_id, call.occurred_at, call.request_id,
                               window_expires_at(call.occurred_at))
            if window is not None and window.starts_like(opened):
                return decision, window
            if self._calls.open_nfc_window(opened, replacing=window):
                return decision, opened
            window = self._calls.nfc_window(call.account_id, call.nfc_req_id)
        raise WindowContention(f"the window of an NFC reqId of account {call.account_id!r} kept moving")




def _window_key(call: ValidCall) -> WindowKey:
    assert call.nfc_req_id is not None
    return (call.account_id, call.nfc_req_id)


def _outcome(call: ValidCall, written: Written) -> CallOutcome:
    stored = written.stored
    if written.inserted or stored.fingerprint == call.fingerprint:
        return CallOutcome(
            request_id=call.request_id,
            status=CallStatus.ACCEPTED if written.inserted else CallStatus.DUPLICATE,
            billable=stored.billable,
            billing_tag=stored.billing_tag,
            billing_date=stored.billing_date,
        )
    return CallOutcome.rejected(call.request_id, Rejection(
        RejectionCode.REQUEST_ID_REUSED,
        f"request_id {call.request_id!r} was already used by another call of this account (occurred_at "
        f"{format_instant(stored.occurred_at)}); a new call needs a new request_id",
        call.field("request_id"),
    ))
