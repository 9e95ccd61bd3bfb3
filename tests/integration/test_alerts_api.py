"""The alert settings through PATCH /v1/accounts/{id}, the account answer that shows them with runway_days, and
the balance_low notices of purchases, refunds and recharges: each decided in the write's own transaction and
published again, under the same id, by a replay of the same client id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.integration.test_arrears_support import Arrears, arrears_api

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")


@pytest.fixture
def billing() -> Iterator[Arrears]:
    with arrears_api(NOW) as billing:
        billing.api.open_account("acme")
        billing.api.recharge("acme", "r-1", "1200.00")  # Arrears.buy buys 1,000 calls for 1,150.00
        billing.api.events()
        yield billing


def patch(billing: Arrears, body: dict) -> tuple[int, dict]:
    return billing.api.patch("/v1/accounts/acme", body)


def problems(answer: tuple[int, dict]) -> list[str]:
    status, body = answer
    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR"), body
    return sorted(detail["field"] for detail in body["error"]["details"])


def alert_events(billing: Arrears) -> list[str]:
    return [event["event_id"] for event in billing.api.events()
            if event["event_type"] in ("balance_low", "budget_reached", "runway_low")]


def test_the_account_shows_the_settings_as_set_and_null_unsets_them(billing):
    status, account = patch(billing, {"balance_alert": {"threshold": "-50.00"}, "runway_alert_days": 7, "budgets": [
        {"period": "month", "amount": "500.00", "thresholds": [100, 50, 80]}, {"period": "day", "amount": "20.00",
                                                                              "thresholds": [100]}]})

    assert status == 200
    assert account["balance_alert"] == {"threshold": "-50.00"}
    assert account["budgets"] == [{"period": "month", "amount": "500.00", "thresholds": [100, 50, 80]},
                                  {"period": "day", "amount": "20.00", "thresholds": [100]}]
    assert (account["runway_alert_days"], account["runway_days"]) == (7, None)  # no postpaid charges yet
    unset = patch(billing, {"balance_alert": None, "budgets": None})[1]
    assert (unset["balance_alert"], unset["budgets"], unset["runway_alert_days"]) == (None, None, 7)
    assert billing.api.get("/v1/accounts/acme")[1] == unset


@pytest.mark.parametrize(("body", "fields"), [
    ({"balance_alert": {"threshold": 100}}, ["balance_alert.threshold"]),
    ({"balance_alert": {"threshold": "1.001"}}, ["balance_alert.threshold"]),
    ({"balance_alert": {}}, ["balance_alert.threshold"]),
    ({"balance_alert": {"threshold": "1.00", "when": "now"}}, ["balance_alert.when"]),
    ({"budgets": [{"period": "week", "amount": "1.00", "thresholds": [50]}]}, ["budgets[0].period"]),
    ({"budgets": [{"period": "day", "amount": "0.00", "thresholds": [50]}]}, ["budgets[0].amount"]),
    ({"budgets": [{"period": "day", "amount": "1.00", "thresholds": []}]}, ["budgets[0].thresholds"]),
    ({"budgets": [{"period": "day", "amount": "1.00", "thresholds": [1, 2, 3, 4]}]}, ["budgets[0].thresholds"]),
    ({"budgets": [{"period": "day", "amount": "1.00", "thresholds": [0]}]}, ["budgets[0].thresholds[0]"]),
    ({"budgets": [{"period": "day", "amount": "1.00", "thresholds": [1001]}]}, ["budgets[0].thresholds[0]"]),
    ({"budgets": [{"period": "day", "amount": "1.00", "thresholds": [50.5]}]}, ["budgets[0].thresholds[0]"]),
    ({"budgets": [{"period": "day", "amount": "1.00", "thresholds": [50, 50]}]}, ["budgets[0].thresholds"]),
    ({"budgets": [{"period": "day", "amount": "1.00", "thresholds": [50]},
                  {"period": "day", "amount": "2.00", "thresholds": [50]}]}, ["budgets"]),
    ({"runway_alert_days": 0}, ["runway_alert_days"]),
    ({"runway_alert_days": "7"}, ["runway_alert_days"]),
])
def test_a_malformed_setting_is_refused_and_nothing_changes(billing, body, fields):
    before = billing.api.get("/v1/accounts/acme")[1]

    assert problems(patch(billing, body)) == fields
    assert billing.api.get("/v1/accounts/acme")[1] == before


def test_a_purchase_that_leaves_the_balance_below_the_alert_sends_balance_low_and_its_replay_the_same(billing):
    patch(billing, {"balance_alert": {"threshold": "100.00"}})

    billing.buy("acme", "p-1", size=1000)  # 1,200.00 - 1,150.00 = 50.00
    assert alert_events(billing) == ["balance_low#acme#2026-03-02"]
    billing.buy("acme", "p-1", size=1000)
    assert alert_events(billing) == ["balance_low#acme#2026-03-02"]
    assert billing.api.get("/v1/accounts/acme")[1]["balance"] == "50.00"


def test_a_refund_that_leaves_the_balance_still_below_sends_nothing_more_the_same_day(billing):
    patch(billing, {"balance_alert": {"threshold": "2000.00"}})
    pack_id = billing.buy("acme", "p-1", size=1000)["packs"][0]["pack_id"]
    assert alert_events(billing) == ["balance_low#acme#2026-03-02"]

    assert billing.refund("acme", pack_id)[0] == 200  # back to 1,200.00: still below, but the same billing date
    assert alert_events(billing) == []


def test_a_recharge_back_to_the_threshold_arms_the_alert_again(billing):
    patch(billing, {"balance_alert": {"threshold": "100.00"}})
    billing.buy("acme", "p-1", size=1000)
    billing.api.recharge("acme", "r-2", "50.00")  # 100.00: at the threshold is not below it
    alert_events(billing)

    state = billing.api.account_item("acme")["balance_alert_state"]
    assert state == {"notices": 0, "last_notice_on": "2026-03-02"}


def test_changing_the_threshold_starts_the_alert_afresh(billing):
    patch(billing, {"balance_alert": {"threshold": "100.00"}})
    billing.buy("acme", "p-1", size=1000)
    assert "balance_alert_state" in billing.api.account_item("acme")

    patch(billing, {"balance_alert": {"threshold": "60.00"}})

    assert "balance_alert_state" not in billing.api.account_item("acme")


def test_a_month_budget_counts_a_purchase_by_its_billing_date_in_the_billing_zone(billing):
    billing.api.recharge("acme", "r-2", "5000.00")
    patch(billing, {"budgets": [{"period": "month", "amount": "2000.00", "thresholds": [50, 100]}]})

    billing.api.clock.instant = datetime.fromisoformat("2026-03-31T23:59:59+08:00")  # 15:59:59 UTC
    billing.buy("acme", "p-march", size=1000)  # 1,150.00: 57.5 % of March's budget
    billing.api.clock.instant = datetime.fromisoformat("2026-04-01T00:00:00+08:00")  # still 31 March in UTC
    billing.buy("acme", "p-april", size=1000)  # April's first spend: 57.5 % again, of April's budget

    assert alert_events(billing) == ["budget_reached#acme#month#2026-03#2000.00#50",
                                     "budget_reached#acme#month#2026-04#2000.00#50"]
