"""The daily report through the local stack. In AWS `pack-lifecycle` and `daily-settlement` both fire at 00:00, in no
set order; run in either order here, the one daily_report a subscriber gets (by SMS, by e-mail and in its inbox)
quotes the charges of the day that night's settlement billed. A monthly account's says they are to come."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.pricing import billing_date, start_of_billing_day
from tests.support import HttpClient

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHLY = "2022-06-01T09:00:00+08:00"  # activated before 2023-01-04: settles monthly


def _subscriber(operator: HttpClient, account_id: str, **fields: Any) -> None:
    created = operator.post("/v1/accounts", {"account_id": account_id, "locale": "en", **fields, "contacts": {
        "email": f"ops@{account_id}.example", "phone": "+14155550100"}})
    assert created.status == 201, created.body
    assert operator.post(f"/v1/accounts/{account_id}/recharges",
                         {"recharge_id": f"{account_id}-r1", "amount": "100.00", "wallet": "cash"}).status == 200
    assert operator.patch(f"/v1/accounts/{account_id}", {"daily_report": True}).status == 200


def _calls_then_the_next_midnight(operator: HttpClient, account_id: str, count: int) -> datetime:
    """`count` billable 手机号二要素 calls now (0.40 each, no free pack), then the clock at the next 00:00 without
    running its jobs: the test runs them, in its own order."""
    now = datetime.fromisoformat(operator.get("/_local/clock").json()["now"])
    calls = [{"request_id": f"{account_id}-{n}", "account_id": account_id, "channel": "verify.phone_2e",
              "return_code": "0", "occurred_at": now.isoformat()} for n in range(count)]
    assert operator.post("/v1/calls", {"calls": calls}).status == 200
    midnight = start_of_billing_day(billing_date(now, SHANGHAI) + timedelta(days=1), SHANGHAI)
    assert operator.post("/_local/clock", {"now": midnight.isoformat(), "fire": False}).status == 200
    return midnight


def _run(operator: HttpClient, *jobs: str) -> None:
    for job in jobs:
        answer = operator.post(f"/_local/jobs/{job}")
        assert answer.status == 200 and answer.json()["ok"], (job, answer.body)


def _daily_reports(operator: HttpClient, account_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The daily reports sent to the account (SMS and e-mail) and those in its inbox."""
    sent = [message for message in operator.get("/_local/outbox").json()["messages"]
            if message["account_id"] == account_id and message["type"] == "daily_report"]
    inbox = operator.get(f"/v1/accounts/{account_id}/messages?limit=100").json()["messages"]
    return sent, [message for message in inbox if message["type"] == "daily_report"]


def _assert_one_report_quoting(operator: HttpClient, account_id: str, charges: str) -> None:
    sent, inbox = _daily_reports(operator, account_id)
    assert Counter(message["channel"] for message in sent) == {"sms": 1, "email": 1}
    assert len(inbox) == 1
    assert all(charges in message["text"] for message in [*sent, *inbox]), [*sent, *inbox]


def test_the_lifecycle_run_before_the_settlement_still_reports_the_days_charges(operator: HttpClient):
    _subscriber(operator, "report-first")
    _calls_then_the_next_midnight(operator, "report-first", 10)

    _run(operator, "pack-lifecycle", "daily-settlement")

    _assert_one_report_quoting(operator, "report-first", "CNY 4.00")


def test_the_settlement_before_the_lifecycle_run_reports_the_days_charges_once(operator: HttpClient):
    _subscriber(operator, "report-second")
    _calls_then_the_next_midnight(operator, "report-second", 10)

    _run(operator, "daily-settlement", "pack-lifecycle")

    _assert_one_report_quoting(operator, "report-second", "CNY 4.00")


def test_a_monthly_accounts_report_says_its_charges_come_at_the_months_end(operator: HttpClient):
    _subscriber(operator, "report-monthly", activated_at=MONTHLY)
    _calls_then_the_next_midnight(operator, "report-monthly", 10)

    _run(operator, "pack-lifecycle", "daily-settlement")

    sent, inbox = _daily_reports(operator, "report-monthly")
    assert Counter(message["channel"] for message in sent) == {"sms": 1, "email": 1}
    [message] = inbox
    assert "Charges: not settled yet" in message["text"]
    assert operator.get("/v1/accounts/report-monthly/bills").json()["bills"] == []
