"""The alerts' notices of a settlement are neither lost nor sent twice, whatever step the process dies at: the
crash sweep of test_settlement_crash_safety, on an account that also has a balance alert, a day budget and a
runway alert. Its two days' bills reach the budget on each day and leave the balance below the alert (and
below zero: no runway left); after a crash at any step and a retry, the same notices went out, under the same
ids, and the alerts remember the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.integration.test_ingest_support import ProcessDied
from tests.integration.test_settlement_crash_safety import D1, Steps, final_state, prepare, settle
from tests.integration.test_settlement_support import RecordingEvents, Settlement, settlement_system

ALERTS = {"balance_alert": {"threshold": "1000.00"}, "runway_alert_days": 7,
          "budgets": [{"period": "day", "amount": "100.00", "thresholds": [50, 100]}]}
TRACKING = ("spend", "balance_alert_state", "runway_low_sent", "budgets_reached")


def prepare_with_alerts(system: Settlement, account_id: str) -> None:
    prepare(system, account_id)
    status, body = system.api.patch(f"/v1/accounts/{account_id}", ALERTS)
    assert status == 200, body


def state_with_alerts(system: Settlement, account_id: str, sink: RecordingEvents) -> dict[str, Any]:
    account = system.account(account_id)
    return {**final_state(system, account_id, sink), "alerts": {name: account.get(name) for name in TRACKING}}


@pytest.fixture(scope="module")
def system():
    with settlement_system(datetime.fromisoformat("2026-02-27T08:00:00+08:00")) as system:
        yield system


@pytest.fixture(scope="module")
def baseline(system: Settlement) -> tuple[dict[str, Any], int]:
    prepare_with_alerts(system, "base")
    sink, steps = RecordingEvents(), Steps()
    settle(system, "base", sink, steps)
    return state_with_alerts(system, "base", sink), len(steps.taken)


def test_the_uninterrupted_run_sends_each_alert_once(baseline):
    state, steps = baseline

    assert steps == 18  # the 14 of test_settlement_crash_safety and the 4 alerts' events
    assert [event for event in state["events"] if not event.startswith(("arrears", "pack_"))] == [
        "balance_low#X#2026-03-03",
        "budget_reached#X#day#2026-03-01#100.00#100",
        "budget_reached#X#day#2026-03-02#100.00#100",
        "runway_low#X#bl_X_daily_2026-03-02",
    ]
    assert state["alerts"]["balance_alert_state"] == {"notices": 1, "last_notice_on": "2026-03-03"}
    assert state["alerts"]["budgets_reached"] == {"day#2026-03-01": 100, "day#2026-03-02": 100}
    assert state["alerts"]["runway_low_sent"] is True
    assert state["alerts"]["spend"] == {"2026-02-27": {"postpaid": 0, "packs": 1150},  # the pack prepare buys
                                        "2026-03-01": {"postpaid": 200, "packs": 0},
                                        "2026-03-02": {"postpaid": 3785.5, "packs": 0}}


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("crash_at", range(1, 19))
def test_a_crash_at_any_step_then_a_retry_sends_the_same_alerts_once(system, baseline, crash_at, after):
    account_id = f"alerts-crash-{crash_at}-{'a' if after else 'b'}"
    prepare_with_alerts(system, account_id)
    sink = RecordingEvents()

    with pytest.raises(ProcessDied):
        settle(system, account_id, sink, Steps(crash_at, after=after))
    settle(system, account_id, sink)

    expected, _ = baseline
    assert state_with_alerts(system, account_id, sink) == expected
    assert f"{account_id}#{D1.isoformat()}" not in system.unsettled_index()
