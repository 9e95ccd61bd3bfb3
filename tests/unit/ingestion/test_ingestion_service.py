"""The ingestion service over in-memory repositories: dedupe, reuse, accounts, NFC windows, crash retries."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.ingestion.outcomes import CallOutcome, CallStatus, RejectionCode
from shared.pricing import BillingReason
from shared.services.ingestion import MAX_WINDOW_ATTEMPTS, IngestionService, WindowContention
from shared.store.calls import NfcWindow, StoredCall

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


class StorageDown(Exception):
    pass


class MemoryCalls:
    """The CallStore protocol in memory, with the conditional writes' semantics and hooks for failures."""

    def __init__(self) -> None:
        self.calls: dict[tuple[str, str], StoredCall] = {}
        self.windows: dict[tuple[str, str], NfcWindow] = {}
        self.writes: list[tuple[str, str]] = []
        self.fail_insert_of: set[str] = set()  # request ids whose next insert dies before writing
        self.before_window_write = None  # a callable run just before a conditional window write
        self._lock = threading.Lock()

    def insert(self, call: StoredCall) -> StoredCall | None:
        if call.request_id in self.fail_insert_of:
            self.fail_insert_of.discard(call.request_id)
            raise StorageDown(call.request_id)
        with self._lock:
            self.writes.append(("call", call.request_id))
            if call.key in self.calls:
                return self.calls[call.key]
            self.calls[call.key] = call
            return None

    def prefetch(self, call_keys: Iterable, window_keys: Iterable):
        with self._lock:
            return ({key: self.calls[key] for key in call_keys if key in self.calls},
                    {key: self.windows[key] for key in window_keys if key in self.windows})

    def nfc_window(self, account_id: str, nfc_req_id: str) -> NfcWindow | None:
        return self.windows.get((account_id, nfc_req_id))

    def open_nfc_window(self, window: NfcWindow, *, replacing: NfcWindow | None) -> bool:
        if self.before_window_write is not None:
            self.before_window_write()
        with self._lock:
            self.writes.append(("window", window.opener))
            current = self.windows.get(window.key)
            if current != replacing:
                return False
            self.windows[window.key] = window
            return True


class MemoryAccounts:
    def __init__(self, *account_ids: str):
        self.account_ids = set(account_ids)
        self.lookups: list[set[str]] = []

    def existing(self, account_ids: Iterable[str]) -> set[str]:
        wanted = set(account_ids)
        self.lookups.append(wanted)
        return wanted & self.account_ids


def service(calls: MemoryCalls, now: datetime = NOW, accounts: MemoryAccounts | None = None,
            max_workers: int = 8) -> IngestionService:
    return IngestionService(calls, accounts or MemoryAccounts("acme", "globex"), SHANGHAI, now=lambda: now,
                            max_workers=max_workers)


def call(request_id: str, at: datetime = T0, **fields) -> dict:
    return {"request_id": request_id, "account_id": "acme", "channel": "verify.phone_2e", "return_code": 0,
            "occurred_at": at.isoformat(), **fields}


def nfc(request_id: str, at: datetime, code: int | str = 0, req: str = "n-1") -> dict:
    return call(request_id, at, channel="nfc", return_code=code, nfc_req_id=req)


def statuses(outcomes: list[CallOutcome]) -> list[str]:
    return [outcome.status.value for outcome in outcomes]


def code_of(outcome: CallOutcome) -> RejectionCode | None:
    return outcome.rejection.code if outcome.rejection else None


def test_a_new_call_is_accepted_and_the_same_call_again_is_a_duplicate_with_the_first_decision():
    calls = MemoryCalls()
    (first,) = service(calls).ingest([call("r-1")])
    (again,) = service(calls, now=NOW + timedelta(days=3)).ingest([call("r-1")])

    assert first == CallOutcome("r-1", CallStatus.ACCEPTED, True, "phone_2e", date(2026, 3, 10))
    assert again == replace(first, status=CallStatus.DUPLICATE)
    assert len(calls.calls) == 1


def test_a_request_id_reused_for_another_call_on_another_day_is_refused():
    calls = MemoryCalls()
    service(calls).ingest([call("r-1")])

    (reused,) = service(calls, now=NOW + timedelta(days=2)).ingest([call("r-1", T0 + timedelta(days=1))])

    assert code_of(reused) is RejectionCode.REQUEST_ID_REUSED
    assert reused.rejection.field == "calls[0].request_id"
    assert (reused.billable, reused.billing_tag, reused.billing_date) == (None, None, None)
    assert calls.calls[("acme", "r-1")].occurred_at == T0


def test_the_same_request_id_in_two_accounts_is_two_calls():
    calls = MemoryCalls()

    outcomes = service(calls).ingest([call("r-1"), {**call("r-1"), "account_id": "globex"}])

    assert statuses(outcomes) == ["accepted", "accepted"]


def test_the_second_of_two_identical_calls_in_a_batch_is_a_duplicate_and_a_different_one_is_refused():
    calls = MemoryCalls()

    outcomes = service(calls).ingest([call("r-1"), call("r-1"), call("r-1", return_code=-1)])

    assert statuses(outcomes) == ["accepted", "duplicate", "rejected"]
    assert outcomes[1].billable is True and code_of(outcomes[2]) is RejectionCode.REQUEST_ID_REUSED
    assert calls.writes == [("call", "r-1")]


def test_in_a_batch_each_call_is_compared_with_what_is_stored_not_with_the_first_of_the_batch():
    calls = MemoryCalls()
    service(calls).ingest([call("r-1")])

    outcomes = service(calls).ingest([call("r-1", return_code=-1), call("r-1")])

    assert [code_of(outcomes[0]), outcomes[1].status] == [RejectionCode.REQUEST_ID_REUSED, CallStatus.DUPLICATE]


def test_calls_of_an_unknown_account_are_refused_and_the_accounts_are_looked_up_once_per_batch():
    calls, accounts = MemoryCalls(), MemoryAccounts("acme")

    outcomes = service(calls, accounts=accounts).ingest([call("r-1"), {**call("r-2"), "account_id": "nobody"},
                                                         {**call("r-3"), "account_id": "nobody"}])

    assert statuses(outcomes) == ["accepted", "rejected", "rejected"]
    assert code_of(outcomes[1]) is RejectionCode.ACCOUNT_NOT_FOUND and outcomes[1].rejection.field == \
        "calls[1].account_id"
    assert accounts.lookups == [{"acme", "nobody"}]


def test_one_bad_call_never_blocks_the_others_and_results_keep_the_order():
    calls = MemoryCalls()
    batch = [call(f"r-{index}") for index in range(40)]
    batch[7] = {**batch[7], "channel": "nope"}
    batch[21] = {**batch[21], "occurred_at": "noon"}

    outcomes = service(calls).ingest(batch)

    assert [outcome.request_id for outcome in outcomes] == [f"r-{index}" for index in range(40)]
    assert code_of(outcomes[7]) is RejectionCode.UNKNOWN_CHANNEL
    assert code_of(outcomes[21]) is RejectionCode.VALIDATION_ERROR
    assert len(calls.calls) == 38


def test_a_late_repeat_of_a_call_stored_in_time_is_still_a_duplicate_not_too_old():
    calls = MemoryCalls()
    service(calls).ingest([call("r-1")])
    much_later = service(calls, now=T0 + timedelta(days=40))

    repeat, changed, unknown = much_later.ingest([call("r-1"), call("r-1", return_code=-1), call("r-2")])

    assert repeat.status is CallStatus.DUPLICATE and repeat.billable is True
    assert code_of(changed) is RejectionCode.REQUEST_ID_REUSED
    assert code_of(unknown) is RejectionCode.CALL_TOO_OLD


def test_a_call_too_far_in_the_future_is_refused_and_stores_nothing():
    calls = MemoryCalls()

    (outcome,) = service(calls).ingest([call("r-1", NOW + timedelta(minutes=6))])

    assert code_of(outcome) is RejectionCode.CALL_IN_FUTURE and not calls.calls


def test_an_unknown_code_is_accepted_as_unclassified_and_not_billable():
    calls = MemoryCalls()

    (outcome,) = service(calls).ingest([call("r-1", return_code="E_NEW")])

    assert outcome.status is CallStatus.ACCEPTED and outcome.billable is False
    assert calls.calls[("acme", "r-1")].reason is BillingReason.UNCLASSIFIED_CODE


def test_the_wechat_rule_change_bills_2007_on_2021_07_18_but_not_on_2021_07_19():
    calls = MemoryCalls()
    wechat = {"channel": "enhanced.wechat_native_h5", "source": "upload", "return_code": 2007}
    day_before = datetime(2021, 7, 18, 23, 59, 59, tzinfo=SHANGHAI)
    day_of = datetime(2021, 7, 19, 0, 0, 0, tzinfo=SHANGHAI)

    outcomes = service(calls, now=datetime(2021, 7, 20, tzinfo=UTC)).ingest(
        [call("w-1", day_before, **wechat), call("w-2", day_of, **wechat)])

    assert [(o.billable, o.billing_date) for o in outcomes] == [(True, date(2021, 7, 18)), (False, date(2021, 7, 19))]


# --- NFC: billable once per reqId within 5 minutes ------------------------------------------------

def test_an_nfc_repeat_at_4_59_is_free_and_at_5_01_billable_again():
    calls = MemoryCalls()

    outcomes = service(calls).ingest([nfc("a", T0), nfc("b", T0 + timedelta(minutes=4, seconds=59)),
                                      nfc("c", T0 + timedelta(minutes=5, seconds=1))])

    assert [o.billable for o in outcomes] == [True, False, True]
    assert calls.calls[("acme", "b")].reason is BillingReason.NFC_REPEAT_WITHIN_5_MIN
    assert calls.windows[("acme", "n-1")].opener == "c"


def test_nfc_windows_hold_across_batches():
    calls = MemoryCalls()
    service(calls).ingest([nfc("a", T0)])

    (repeat,) = service(calls).ingest([nfc("b", T0 + timedelta(minutes=4, seconds=59))])
    (next_one,) = service(calls).ingest([nfc("c", T0 + timedelta(minutes=5, seconds=1))])

    assert (repeat.billable, next_one.billable) == (False, True)


def test_nfc_calls_of_one_batch_are_placed_in_the_order_they_happened_whatever_the_order_sent():
    calls = MemoryCalls()

    outcomes = service(calls).ingest([nfc("late", T0 + timedelta(minutes=2)), nfc("first", T0)])

    assert [o.billable for o in outcomes] == [False, True]


def test_each_nfc_reqid_and_account_has_its_own_window():
    calls = MemoryCalls()

    outcomes = service(calls).ingest([nfc("a", T0), nfc("b", T0 + timedelta(seconds=1), req="n-2"),
                                      {**nfc("c", T0 + timedelta(seconds=2)), "account_id": "globex"}])

    assert [o.billable for o in outcomes] == [True, True, True]


def test_free_nfc_codes_never_touch_a_window():
    calls = MemoryCalls()

    outcomes = service(calls).ingest([nfc("a", T0, code=66664003), nfc("b", T0 + timedelta(seconds=1))])

    assert [o.billable for o in outcomes] == [False, True]
    assert calls.windows[("acme", "n-1")].opener == "b"


def test_the_window_opener_retried_after_dying_between_its_two_writes_is_billed_again():
    calls = MemoryCalls()
    calls.fail_insert_of.add("a")
    with pytest.raises(StorageDown):
        service(calls).ingest([nfc("a", T0)])
    assert calls.windows[("acme", "n-1")].opener == "a" and not calls.calls

    (retried,) = service(calls).ingest([nfc("a", T0)])

    assert retried.status is CallStatus.ACCEPTED and retried.billable is True
    assert calls.writes.count(("window", "a")) == 1


def test_a_retry_of_a_stored_nfc_repeat_is_a_duplicate_and_leaves_the_window_alone():
    calls = MemoryCalls()
    service(calls).ingest([nfc("a", T0), nfc("b", T0 + timedelta(minutes=3)), nfc("c", T0 + timedelta(minutes=6))])
    window = calls.windows[("acme", "n-1")]

    (again,) = service(calls).ingest([nfc("b", T0 + timedelta(minutes=3))])

    assert again.status is CallStatus.DUPLICATE and again.billable is False
    assert calls.windows[("acme", "n-1")] == window


def test_a_window_moved_by_another_request_meanwhile_is_read_again_before_deciding():
    calls = MemoryCalls()
    rival = NfcWindow("acme", "n-1", T0, "rival", 0)

    def rival_opens_first():
        calls.before_window_write = None
        calls.windows[rival.key] = rival

    calls.before_window_write = rival_opens_first

    (outcome,) = service(calls).ingest([nfc("b", T0 + timedelta(minutes=1))])

    assert outcome.billable is False
    assert calls.windows[rival.key] == rival


def test_a_window_that_never_stops_moving_fails_the_batch_for_a_retry():
    calls = MemoryCalls()
    moves = iter(range(1, 1000))

    def keep_moving():
        calls.windows[("acme", "n-1")] = NfcWindow("acme", "n-1", T0 - timedelta(hours=next(moves)), "x", 0)

    calls.before_window_write = keep_moving

    with pytest.raises(WindowContention):
        service(calls).ingest([nfc("b", T0)])
    assert len([write for write in calls.writes if write[0] == "window"]) == MAX_WINDOW_ATTEMPTS


# --- storage failures ----------------------------------------------------------------------------

def test_a_storage_failure_fails_the_batch_and_the_retry_answers_every_call_consistently():
    calls = MemoryCalls()
    batch = [call(f"r-{index}", return_code=index % 3) for index in range(50)]
    calls.fail_insert_of.add("r-17")
    with pytest.raises(StorageDown):
        service(calls).ingest(batch)
    stored_before = set(calls.calls)

    outcomes = service(calls).ingest(batch)

    for outcome in outcomes:
        expected = CallStatus.DUPLICATE if ("acme", outcome.request_id) in stored_before else CallStatus.ACCEPTED
        assert outcome.status is expected
    assert [o.billable for o in outcomes] == [index % 3 != 2 for index in range(50)]
    assert len(calls.calls) == 50


@pytest.mark.parametrize("workers", [1, 32])
def test_a_full_batch_of_500_is_stored_once_each_whatever_the_concurrency(workers):
    calls = MemoryCalls()
    batch = [call(f"r-{index}") for index in range(480)] + [nfc(f"n-{i}", T0 + timedelta(seconds=i)) for i in range(20)]

    outcomes = service(calls, max_workers=workers).ingest(batch)

    assert statuses(outcomes) == ["accepted"] * 500
    assert len(calls.calls) == 500 and len([w for w in calls.writes if w[0] == "call"]) == 500
    assert [o.billable for o in outcomes[480:]] == [True] + [False] * 19
