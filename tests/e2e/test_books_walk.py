"""The vendor's books through the local stack, the walk of issue 15 with curl's requests: a 1,000-call
id_verification pack bought for 300.00 with 100.00 of it by voucher; 100 calls settled at 00:00; the revenue
report; a year on, calls of the pack's last day and its expiry at the same 00:00; the report again, and the
reconciliation of each night of the walk. Other tests share the stack (and may hold id_verification packs
too), so the deferred balance is read as its change over a day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.pricing import billing_date, start_of_billing_day
from shared.services import reconciliation as reconciliation_service
from tests.support import HttpClient

SHANGHAI = ZoneInfo("Asia/Shanghai")
TAG = "id_verification"


@pytest.fixture(autouse=True)
def no_pause_before_the_second_reading(monkeypatch):
    monkeypatch.setattr(reconciliation_service, "RECHECK_AFTER_S", 0.0)


def ok(answer):
    assert answer.status in (200, 201), answer.body
    return answer.json()


def move(operator: HttpClient, to: datetime, *, fire: bool = True) -> list[dict]:
    return ok(operator.post("/_local/clock", {"now": to.isoformat(), "fire": fire}))["runs"]


def calls(account_id: str, prefix: str, count: int, at: datetime) -> list[dict]:
    return [{"request_id": f"{prefix}-{n}", "account_id": account_id, "channel": "verify.id_2e", "return_code": "0",
             "occurred_at": at.isoformat()} for n in range(count)]


def day_row(operator: HttpClient, day: date) -> dict:
    report = ok(operator.get(f"/v1/reports/revenue?from={day}&to={day}&billing_tag={TAG}"))
    [row] = report["rows"]
    return row


def deferred_change(row: dict) -> Decimal:
    return Decimal(row["deferred_closing"]) - Decimal(row["deferred_opening"])


def reconciled(operator: HttpClient, day: date) -> list[dict]:
    return ok(operator.get(f"/v1/reconciliation?date={day}"))["differences"]


@pytest.fixture(scope="module")
def walk(operator: HttpClient) -> Iterator[dict]:
    now = datetime.fromisoformat(operator.get("/_local/clock").json()["now"])
    day = billing_date(now, SHANGHAI) + timedelta(days=1)
    at_10 = start_of_billing_day(day, SHANGHAI) + timedelta(hours=10)
    move(operator, at_10, fire=False)
    ok(operator.post("/v1/accounts", {"account_id": "books-walk", "contacts": {},
                                      "activated_at": (at_10 - timedelta(days=730)).isoformat()}))
    ok(operator.post("/v1/accounts/books-walk/recharges", {"recharge_id": "books-r1", "wallet": "cash",
                                                            "amount": "500.00"}))
    pack = ok(operator.post("/v1/accounts/books-walk/packs", {
        "purchase_id": "books-p1", "billing_tag": TAG, "size": 1000, "voucher_amount": "100.00"}))["packs"][0]
    ok(operator.post("/v1/calls", {"calls": calls("books-walk", "books", 100, at_10)}))
    move(operator, start_of_billing_day(day + timedelta(days=1), SHANGHAI) + timedelta(hours=2, minutes=30))
    yield {"day": day, "pack": pack}


def test_the_purchase_and_100_calls_settled_show_in_the_report(walk, operator: HttpClient):
    row = day_row(operator, walk["day"])

    assert (row["pack_sales"], row["voucher_discounts"], row["recognized_pack_revenue"]) == (
        "200.00", "100.00", "20.00")
    assert deferred_change(row) == Decimal("180.00")
    assert reconciled(operator, walk["day"]) == []


def test_a_year_on_the_expiry_breaks_what_the_last_day_s_calls_did_not_take(walk, operator: HttpClient):
    last_day = billing_date(datetime.fromisoformat(walk["pack"]["expires_at"]), SHANGHAI)
    at_10 = start_of_billing_day(last_day, SHANGHAI) + timedelta(hours=10)
    move(operator, at_10 - timedelta(hours=1), fire=False)  # a year of nights nobody needs to watch
    move(operator, at_10)
    ok(operator.post("/v1/calls", {"calls": calls("books-walk", "books-last", 30, at_10)}))

    runs = move(operator, start_of_billing_day(last_day + timedelta(days=1), SHANGHAI) + timedelta(hours=2, minutes=30))

    assert {run["job"] for run in runs if run["ok"]} >= {"daily-settlement", "pack-lifecycle", "reconciliation"}
    pack = next(p for p in ok(operator.get("/v1/accounts/books-walk/packs"))["packs"]
                if p["pack_id"] == walk["pack"]["pack_id"])
    assert (pack["status"], pack["remaining"]) == ("expired", 870)
    row = day_row(operator, last_day)
    # 130 of its calls recognize 26.00 in all: 6.00 on the last day, the other 174.00 of the 180.00 is breakage.
    assert (row["recognized_pack_revenue"], row["breakage"]) == ("6.00", "174.00")
    assert deferred_change(row) == Decimal("-180.00")
    assert reconciled(operator, last_day) == []
