"""Settlement runs through the template's functions on moto: the scheduled dispatcher fans accounts out
to the settlement queue and the worker settles them. Calls are ingested for real where the billing day
of a call is the point (boundaries, daylight saving), and put straight into the counters elsewhere."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from shared.config import settings
from tests.aws import aws_client
from tests.integration.test_ingest_support import FakeContext
from tests.integration.test_settlement_support import (
    TAG,
    Settlement,
    call,
    dispatcher_app,
    settlement_system,
    worker_app,
)
from tests.support import load_event

ACTIVATED_LONG_AGO = "2024-06-01T09:00:00+08:00"  # daily, and its free quota expired a year later
D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
AFTER_D1, AFTER_D2, AFTER_D3 = "2026-03-02T00:00:00+08:00", "2026-03-03T00:00:00+08:00", "2026-03-04T00:00:00+08:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def lines(bill: dict) -> list[tuple]:
    return [(line["usage_date"], line["billing_tag"], int(line["billable_calls"]), int(line["postpaid_calls"]),
             line["amount"], line["late"]) for line in bill["lines"]]


def funded_account(system: Settlement, account_id: str, amount: str = "20000.00") -> None:
    system.open_account(account_id, activated_at=ACTIVATED_LONG_AGO)
    system.recharge(account_id, amount)


# --- the seed example -----------------------------------------------------------------------------------

def test_the_seed_example_15000_calls_with_one_10000_pack_cost_17000_in_all():
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        funded_account(system, "seed")
        pack_id = system.buy_pack("seed", 10_000)
        system.add_billable("seed", D1, 15_000)

        summary = system.run("daily-settlement", AFTER_D1)

        (bill,) = system.bills("seed")
        assert summary["accounts"] == 1
        assert bill["bill_id"] == "bl_seed_daily_2026-03-01"
        assert lines(bill) == [("2026-03-01", TAG, 15_000, 5_000, Decimal("6000.00"), False)]
        assert bill["lines"][0]["pack_deductions"] == [{"pack_id": pack_id, "calls": 10_000}]
        spent = -sum(entry["amount"] for entry in system.ledger("seed") if entry["kind"] != "recharge")
        assert spent == Decimal("17000.00")
        assert system.account("seed")["balance"] == Decimal("3000.00") == system.ledger_sum("seed")
        assert system.packs("seed")[pack_id] == 0
        counter = system.counters("seed")[f"2026-03-01#{TAG}"]
        assert counter["settled_billable"] == counter["billable"] == 15_000
        assert system.unsettled_index() == []
        assert "pending_settlement" not in system.account("seed")


# --- billing days -----------------------------------------------------------------------------------

def test_a_call_at_23_59_59_is_settled_that_night_and_one_at_00_00_the_night_after():
    with settlement_system(at("2026-03-02T00:00:30+08:00")) as system:
        funded_account(system, "edge")
        system.ingest(call("c-before", "edge", "2026-03-01T23:59:59+08:00"),
                      call("c-after", "edge", "2026-03-02T00:00:00+08:00"),
                      call("c-utc", "edge", "2026-03-01T15:59:59.999Z"))

        system.run("daily-settlement", AFTER_D1)
        first = system.bills("edge")
        system.api.clock.instant = at(AFTER_D2)
        system.run("daily-settlement", AFTER_D2)

        assert lines(first[0]) == [("2026-03-01", TAG, 2, 2, Decimal("2.40"), False)]
        assert [lines(bill) for bill in system.bills("edge")][1] == [
            ("2026-03-02", TAG, 1, 1, Decimal("1.20"), False)]


def test_a_zone_with_daylight_saving_settles_its_23_and_25_hour_days_exactly():
    with settlement_system(at("2026-03-09T00:01:00-04:00"), {"BillingTimeZone": "America/New_York"}) as system:
        assert str(settings().zone) == "America/New_York"
        funded_account(system, "ny")
        system.ingest(
            call("s-prev", "ny", "2026-03-07T23:59:59-05:00"),
            call("s-first", "ny", "2026-03-08T00:00:00-05:00"),
            call("s-before-jump", "ny", "2026-03-08T01:59:59-05:00"),
            call("s-after-jump", "ny", "2026-03-08T03:00:00-04:00"),
            call("s-last", "ny", "2026-03-08T23:59:59-04:00"),
            call("s-next", "ny", "2026-03-09T00:00:00-04:00"),
        )
        system.run("daily-settlement", "2026-03-09T00:00:00-04:00")  # 04:00Z, after a 23-hour day

        system.api.clock.instant = at("2026-11-02T00:01:00-05:00")
        system.ingest(
            call("f-first", "ny", "2026-11-01T00:00:00-04:00"),
            call("f-first-pass", "ny", "2026-11-01T01:30:00-04:00"),
            call("f-second-pass", "ny", "2026-11-01T01:30:00-05:00"),
            call("f-last", "ny", "2026-11-01T23:59:59-05:00"),
            call("f-next", "ny", "2026-11-02T00:00:00-05:00"),
        )
        system.run("daily-settlement", "2026-11-02T00:00:00-05:00")  # 05:00Z, after a 25-hour day

        by_day = {bill["period_start"]: sum(int(line["billable_calls"]) for line in bill["lines"])
                  for bill in system.bills("ny")}
        # The 03-09 calls settle in the November run, each day its own bill, oldest first.
        assert by_day == {"2026-03-07": 1, "2026-03-08": 4, "2026-03-09": 1, "2026-11-01": 4}
        assert system.counters("ny")[f"2026-11-02#{TAG}"].get("settled_billable", 0) == 0


# --- late calls, reruns, missed runs ------------------------------------------------------------------

def test_a_late_call_goes_on_the_next_nights_bill_as_a_late_line_and_the_closed_bill_is_never_edited():
    with settlement_system(at("2026-03-02T09:00:00+08:00")) as system:
        funded_account(system, "late")
        system.add_billable("late", D1, 10)
        system.run("daily-settlement", AFTER_D1)
        closed = system.bills("late")[0]

        system.add_billable("late", D1, 3)  # arrived on 03-02, for 03-01
        system.add_billable("late", D2, 5)
        system.run("daily-settlement", AFTER_D2)

        first, second = system.bills("late")
        assert first == closed
        assert lines(second) == [("2026-03-01", TAG, 3, 3, Decimal("3.60"), True),
                                 ("2026-03-02", TAG, 5, 5, Decimal("6.00"), False)]
        assert system.account("late")["balance"] == Decimal("20000.00") - Decimal("21.60")
        assert system.unsettled_index() == []


def test_running_again_changes_nothing_and_late_calls_then_wait_for_the_next_night():
    with settlement_system(at("2026-03-02T09:00:00+08:00")) as system:
        funded_account(system, "again")
        system.add_billable("again", D1, 10)
        system.run("daily-settlement", AFTER_D1)
        before = (system.account("again"), system.bills("again"), system.ledger("again"), system.counters("again"))

        system.run("daily-settlement", AFTER_D1)
        system.add_billable("again", D1, 2)
        rerun = system.run("daily-settlement", AFTER_D1)

        assert rerun["accounts"] == 1
        assert (system.account("again"), system.bills("again"), system.ledger("again")) == before[:3]
        assert system.unsettled_index() == ["again#2026-03-01"]
        system.run("daily-settlement", AFTER_D2)
        assert lines(system.bills("again")[1]) == [("2026-03-01", TAG, 2, 2, Decimal("2.40"), True)]


def test_calls_of_a_day_whose_bill_held_late_calls_alone_are_late_on_the_next_bill():
    with settlement_system(at("2026-03-03T09:00:00+08:00")) as system:
        funded_account(system, "alone")
        system.add_billable("alone", D1, 10)
        system.run("daily-settlement", AFTER_D1)
        system.add_billable("alone", D1, 1)
        system.run("daily-settlement", AFTER_D2)  # 03-02 had no calls: its bill holds the late one alone
        system.add_billable("alone", D2, 4)  # 03-02's own calls, arriving after its bill
        system.add_billable("alone", D3, 2)

        system.run("daily-settlement", AFTER_D3)

        assert [(bill["period_start"], lines(bill)) for bill in system.bills("alone")][1:] == [
            ("2026-03-02", [("2026-03-01", TAG, 1, 1, Decimal("1.20"), True)]),
            ("2026-03-03", [("2026-03-02", TAG, 4, 4, Decimal("4.80"), True),
                            ("2026-03-03", TAG, 2, 2, Decimal("2.40"), False)]),
        ]
        assert system.ledger_sum("alone") == system.account("alone")["balance"] == Decimal("19979.60")


def test_after_runs_that_never_fired_the_next_run_settles_each_skipped_day_its_own_bill_oldest_first():
    with settlement_system(at("2026-03-04T09:00:00+08:00")) as system:
        funded_account(system, "jump")
        pack_id = system.buy_pack("jump", 1_000)  # bought 03-04: offsets nothing before
        system.grant_pack("jump", 15)
        for day, calls in ((D1, 10), (D2, 20), (D3, 30)):
            system.add_billable("jump", day, calls)

        system.run("daily-settlement", AFTER_D3)

        bills = system.bills("jump")
        assert [bill["period_start"] for bill in bills] == ["2026-03-01", "2026-03-02", "2026-03-03"]
        assert [bill["total_amount"] for bill in bills] == [Decimal("12.00"), Decimal("24.00"), Decimal("36.00")]
        assert system.packs("jump")[pack_id] == 1_000
        assert [entry["ref"] for entry in sorted(system.ledger("jump"), key=lambda e: e["entry_id"])
                if entry["kind"] == "postpaid_charge"] == [bill["bill_id"] for bill in bills]


# --- who is settled ----------------------------------------------------------------------------------

def test_a_suspended_accounts_usage_waits_and_settles_after_it_is_restored():
    with settlement_system(at("2026-03-02T09:00:00+08:00")) as system:
        funded_account(system, "paused")
        system.add_billable("paused", D1, 10)
        system.set_violation("paused", suspend=True)

        system.run("daily-settlement", AFTER_D1)
        assert system.bills("paused") == []
        assert system.unsettled_index() == ["paused#2026-03-01"]

        system.set_violation("paused", suspend=False)
        system.add_billable("paused", D2, 1)
        system.run("daily-settlement", AFTER_D2)

        assert [(bill["period_start"], bill["total_amount"]) for bill in system.bills("paused")] == [
            ("2026-03-01", Decimal("12.00")), ("2026-03-02", Decimal("1.20"))]


def test_usage_waits_when_the_run_falls_on_the_suspension_whether_or_not_the_arrears_check_ran_first():
    with settlement_system(at("2026-03-02T09:00:00+08:00")) as system:
        funded_account(system, "short", amount="10.00")
        system.add_billable("short", D1, 10)
        system.run("daily-settlement", AFTER_D1)
        account = system.account("short")
        assert (account["status"], account["suspend_at"]) == ("arrears", "2026-03-02T16:00:00.000000Z")
        system.add_billable("short", D2, 5)

        system.run("daily-settlement", AFTER_D2)  # the suspension is due at this very instant

        assert [bill["period_start"] for bill in system.bills("short")] == ["2026-03-01"]
        assert system.account("short")["balance"] == Decimal("-2.00")
        system.recharge("short", "10.00")
        system.run("daily-settlement", AFTER_D3)
        assert [(bill["period_start"], bill["total_amount"]) for bill in system.bills("short")] == [
            ("2026-03-01", Decimal("12.00")), ("2026-03-02", Decimal("6.00"))]


def test_the_monthly_run_settles_monthly_accounts_on_the_ladder_and_leaves_daily_ones_alone(monkeypatch):
    from dataclasses import replace
    from types import MappingProxyType

    from shared.pricing import PRICE_BOOK, LadderTier
    from shared.settlement import rules

    ladder = (LadderTier(0, Decimal("0.4")), LadderTier(1_000, Decimal("0.35")))
    monkeypatch.setattr(rules, "PRICE_BOOK", MappingProxyType(
        {**PRICE_BOOK, "phone_2e": replace(PRICE_BOOK["phone_2e"], monthly_ladder=ladder)}))
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        system.open_account("old", activated_at="2022-05-01T09:00:00+08:00")
        funded_account(system, "new")
        for day in (date(2026, 2, 3), date(2026, 2, 27)):
            system.add_billable("old", day, 600, "phone_2e")
            system.add_billable("new", day, 1, "phone_2e")
        system.add_billable("old", D1, 5, "phone_2e")

        system.run("daily-settlement", AFTER_D1)
        assert system.bills("old") == []
        system.run("monthly-settlement", "2026-03-01T00:00:00+08:00")

        (bill,) = system.bills("old")
        assert (bill["bill_id"], bill["period_start"], bill["period_end"]) == (
            "bl_old_monthly_2026-02-01", "2026-02-01", "2026-02-28")
        assert [(line["usage_date"], line["unit_price"], line["amount"]) for line in bill["lines"]] == [
            ("2026-02-03", Decimal("0.35"), Decimal("210.00")), ("2026-02-27", Decimal("0.35"), Decimal("210.00"))]
        assert system.account("old")["balance"] == Decimal("-420.00")
        assert [bill["cycle"] for bill in system.bills("new")] == ["daily", "daily"]
        assert system.unsettled_index() == ["old#2026-03-01"]


# --- what a settlement announces ----------------------------------------------------------------------

def test_pack_low_and_pack_exhausted_are_announced_once_per_pack():
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        funded_account(system, "notices")
        first = system.buy_pack("notices", 1_000)
        gift = system.grant_pack("notices", 100)
        system.api.events()
        system.add_billable("notices", D1, 100 + 850)  # the gift to 0, the bought one to 15%
        system.run("daily-settlement", AFTER_D1)
        system.add_billable("notices", D2, 100)  # the bought one to 50 left: still low, no new notice
        system.run("daily-settlement", AFTER_D2)
        system.add_billable("notices", D3, 60)
        system.run("daily-settlement", AFTER_D3)
        system.run("daily-settlement", AFTER_D3)

        events = sorted(event["event_id"] for event in system.api.events())
        assert events == sorted([f"pack_exhausted#{gift}", f"pack_low#{first}", f"pack_exhausted#{first}"])


def test_a_charge_below_zero_puts_the_account_in_arrears_on_the_deadline_index_and_says_so():
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        funded_account(system, "owing", amount="10.00")
        system.add_billable("owing", D1, 100)

        system.run("daily-settlement", AFTER_D1)

        account = system.account("owing")
        assert (account["status"], account["balance"], account["wallets"]["cash"]) == (
            "arrears", Decimal("-110.00"), Decimal("-110.00"))
        assert account["arrears_since"] == "2026-03-01T16:00:00.000000Z"
        assert account["suspend_at"] == account["deadline_at"] == "2026-03-02T16:00:00.000000Z"
        assert account["deadline_kind"] == "suspend"
        (event,) = [event for event in system.api.events() if event["event_type"] == "arrears"]
        assert event["event_id"] == "arrears#owing#bl_owing_daily_2026-03-01"
        assert event["detail"]["balance"] == "-110.00" and event["detail"]["entered_arrears"] is True
        status, shown = system.api.get("/v1/accounts/owing")
        assert status == 200 and shown["status"] == "arrears"


# --- the fan-out --------------------------------------------------------------------------------------

def test_a_run_sends_the_accounts_due_50_a_message_and_every_one_is_settled():
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        accounts = [f"fan-{number:03d}" for number in range(51)]
        system.put_accounts(*accounts, activated_at=ACTIVATED_LONG_AGO)
        for account_id in accounts:
            system.add_billable(account_id, D1, 1)
        system.add_billable("fan-000", D2, 1)  # today's: not due

        summary = system.run("daily-settlement", AFTER_D1)

        assert (summary["accounts"], summary["messages"]) == (51, 2)
        assert all(len(system.bills(account_id)) == 1 for account_id in accounts)
        assert system.unsettled_index() == ["fan-000#2026-03-02"]


def test_a_message_with_a_failing_account_comes_back_and_a_malformed_one_is_dropped(monkeypatch):
    from shared.services import settlement as service

    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        funded_account(system, "fine")
        funded_account(system, "flaky")
        system.add_billable("fine", D1, 1)
        system.add_billable("flaky", D1, 1)
        real = service.plan_settlements

        def fails_for_flaky(account, *args, **kwargs):
            if account.account_id == "flaky":
                raise RuntimeError("a bug, or DynamoDB down")
            return real(account, *args, **kwargs)

        monkeypatch.setattr(service, "plan_settlements", fails_for_flaky)
        aws_client("sqs").send_message(
            QueueUrl=settings().settlement_queue_url, MessageBody=json.dumps({"cycle": "weekly"}))
        system.run("daily-settlement", AFTER_D1)
        failed = system.drain_queue()
        settled_before_retry = (len(system.bills("fine")), len(system.bills("flaky")))
        monkeypatch.setattr(service, "plan_settlements", real)

        assert len(failed) == 1
        assert system.redeliver_failed() == []
        assert settled_before_retry == (1, 0)
        assert (len(system.bills("fine")), len(system.bills("flaky"))) == (1, 1)


def test_the_canonical_schedule_and_queue_events_are_handled_as_lambda_sends_them():
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        funded_account(system, "acme")
        system.add_billable("acme", D1, 2)

        dispatched = dispatcher_app.handler(load_event("settlement_schedule.json"), FakeContext())
        answer = worker_app.handler(load_event("settlement_sqs.json"), FakeContext())

        assert dispatched == {"cycle": "daily", "run_at": "2026-03-01T16:00:00+00:00", "accounts": 1, "messages": 1,
                              "completed": False}
        assert answer == {"batchItemFailures": []}
        assert [bill["total_amount"] for bill in system.bills("acme")] == [Decimal("2.40")]
