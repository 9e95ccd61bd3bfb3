"""GET /v1/reports/revenue: the vendor's books as purchases, settlements, expiries and refunds booked them, through
the template's functions on moto. The walk of issue 15: a 1,000-call id_verification pack bought for 300.00,
100.00 of it by voucher; 100 calls settled; the pack expires a year on, with calls of its last day settled
after the expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.integration.test_accounts_support import FakeContext
from tests.integration.test_arrears_support import refund_event
from tests.integration.test_bills_api import get
from tests.integration.test_settlement_support import Settlement, settlement_system
from tests.support import load_event

NOW = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
ID = "id_verification"  # 1,000 calls for 300.00; 0.3 a call postpaid
FACE = "enhanced_authority_wechat"  # 1.2 a call postpaid
LONG_AGO = "2025-01-01T09:00:00+08:00"  # its free packs are born expired
ZERO_ROW = {"postpaid_revenue": "0.00", "pack_sales": "0.00", "voucher_discounts": "0.00",
            "recognized_pack_revenue": "0.00", "breakage": "0.00", "refunds": "0.00"}


@pytest.fixture
def books() -> Iterator[Settlement]:
    with settlement_system(NOW) as system:
        system.open_account("acme", LONG_AGO)
        system.recharge("acme", "1000")
        yield system


def report(books: Settlement, first: str, last: str, **query: str) -> dict[str, Any]:
    status, body = books.api.get("/v1/reports/revenue", **{"from": first, "to": last, **query})
    assert status == 200, body
    return body


def buy(books: Settlement, purchase_id: str, tag: str = ID, **fields: Any) -> dict[str, Any]:
    status, body = books.api.post("/v1/accounts/acme/packs",
                                  {"purchase_id": purchase_id, "billing_tag": tag, "size": 1000, **fields})
    assert status == 201, body
    return body


def expire(at: str) -> dict[str, Any]:
    from functions.pack_lifecycle.app import handler

    return handler({**load_event("pack_lifecycle_schedule.json"), "scheduled_at": at}, FakeContext())


def test_a_pack_bought_partly_by_voucher_defers_its_wallet_part_and_100_calls_recognize_a_tenth_of_it(books):
    buy(books, "p-1", voucher_amount="100")
    books.add_billable("acme", date(2026, 3, 2), 100, ID)
    books.run("daily-settlement", "2026-03-03T00:00:00+08:00")

    answer = report(books, "2026-03-02", "2026-03-02")

    row = {"date": "2026-03-02", "billing_tag": ID, **ZERO_ROW, "pack_sales": "200.00", "voucher_discounts": "100.00",
           "recognized_pack_revenue": "20.00", "deferred_opening": "0.00", "deferred_closing": "180.00"}
    assert answer == {"from": "2026-03-02", "to": "2026-03-02", "rows": [row],
                      "totals": {key: value for key, value in row.items() if key not in ("date", "billing_tag")}}


def test_the_expiry_books_the_rest_as_breakage_and_a_later_deduction_of_its_last_day_turns_some_back(books):
    pack_id = buy(books, "p-1", voucher_amount="100")["packs"][0]["pack_id"]
    books.add_billable("acme", date(2026, 3, 2), 100, ID)
    books.run("daily-settlement", "2026-03-03T00:00:00+08:00")
    books.api.clock.instant = datetime.fromisoformat("2027-03-02T12:00:00+08:00")
    books.add_billable("acme", date(2027, 3, 2), 30, ID)  # calls of the pack's last day ...

    expire("2027-03-02T16:00:00Z")  # ... the expiry at 00:00 comes first: 900 calls left, 180.00 broken
    books.run("daily-settlement", "2027-03-03T00:00:00+08:00")  # then the 30 come off the expired pack

    assert books.packs("acme")[pack_id] == 870
    last_day = report(books, "2027-03-02", "2027-03-02")
    # 130 of 1,000 calls recognize round(200 x 130 / 1000) = 26.00 in all: 6.00 more, taken back from the breakage.
    assert last_day["rows"] == [{"date": "2027-03-02", "billing_tag": ID, **ZERO_ROW,
                                 "recognized_pack_revenue": "6.00", "breakage": "174.00",
                                 "deferred_opening": "180.00", "deferred_closing": "0.00"}]
    year = report(books, "2026-03-02", "2027-03-02")
    assert len(year["rows"]) == 366  # every day of the year holds deferred value
    assert year["totals"] == {**ZERO_ROW, "pack_sales": "200.00", "voucher_discounts": "100.00",
                              "recognized_pack_revenue": "26.00", "breakage": "174.00",
                              "deferred_opening": "0.00", "deferred_closing": "0.00"}
    assert report(books, "2027-03-03", "2027-03-31")["rows"] == []


def test_postpaid_revenue_counts_on_the_bills_date_and_a_rerun_books_nothing_twice(books):
    books.add_billable("acme", date(2026, 3, 2), 10, FACE)
    books.run("daily-settlement", "2026-03-03T00:00:00+08:00")
    books.run("daily-settlement", "2026-03-03T00:00:00+08:00")

    assert report(books, "2026-03-01", "2026-03-03")["rows"] == [
        {"date": "2026-03-02", "billing_tag": FACE, **ZERO_ROW, "postpaid_revenue": "12.00",
         "deferred_opening": "0.00", "deferred_closing": "0.00"}]


def test_a_refund_gives_back_the_paid_value_and_a_pack_paid_wholly_by_voucher_sells_nothing(books):
    pack_id = buy(books, "p-1")["packs"][0]["pack_id"]
    buy(books, "p-2", tag=FACE, voucher_amount="1150")
    from functions.refunds.app import handler

    answer = handler(refund_event("acme", pack_id, {"refund_id": "rf-1"}), FakeContext())
    assert answer["statusCode"] == 200, answer["body"]

    rows = report(books, "2026-03-02", "2026-03-02")["rows"]

    assert rows == [
        {"date": "2026-03-02", "billing_tag": FACE, **ZERO_ROW, "voucher_discounts": "1150.00",
         "deferred_opening": "0.00", "deferred_closing": "0.00"},
        {"date": "2026-03-02", "billing_tag": ID, **ZERO_ROW, "pack_sales": "300.00", "refunds": "300.00",
         "deferred_opening": "0.00", "deferred_closing": "0.00"},
    ]


def test_the_tag_filter_and_the_csv_show_the_same_rows(books):
    buy(books, "p-1")
    books.add_billable("acme", date(2026, 3, 2), 10, FACE)
    books.run("daily-settlement", "2026-03-03T00:00:00+08:00")

    only_id = report(books, "2026-03-02", "2026-03-03", billing_tag=ID)
    answer = get("/v1/reports/revenue", **{"from": "2026-03-02", "to": "2026-03-03", "billing_tag": ID,
                                           "format": "csv"})

    assert [(row["date"], row["billing_tag"]) for row in only_id["rows"]] == [("2026-03-02", ID), ("2026-03-03", ID)]
    assert only_id["totals"]["deferred_closing"] == "300.00"
    assert (answer.status, answer.content_type) == (200, "text/csv; charset=utf-8")
    lines = answer.body.removeprefix("\ufeff").splitlines()
    assert lines[0] == ("date,billing_tag,postpaid_revenue,pack_sales,voucher_discounts,recognized_pack_revenue,"
                        "breakage,refunds,deferred_opening,deferred_closing")
    assert lines[1] == "2026-03-02,id_verification,0.00,300.00,0.00,0.00,0.00,0.00,0.00,300.00"
    assert len(lines) == 3


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-03-05", "to": "2026-03-01"}, "from"),
    ({"from": "2025-01-01", "to": "2026-03-01"}, "from"),
    ({"billing_tag": "no_such_tag"}, None),
])
def test_a_range_backwards_or_over_366_days_or_an_unknown_tag_is_refused(books, query, field):
    status, body = books.api.get("/v1/reports/revenue", **query)

    assert status == 400, body
    if field is not None:
        assert field in str(body)


def test_the_identity_holds_on_every_row_and_on_the_totals(books):
    books.recharge("acme", "1000")
    buy(books, "p-1", voucher_amount="0.01")
    buy(books, "p-2", tag=FACE)
    for day, calls in ((2, 333), (3, 1), (4, 7)):
        books.add_billable("acme", date(2026, 3, day), calls, ID)
        books.add_billable("acme", date(2026, 3, day), calls, FACE)
        books.run("daily-settlement", f"2026-03-{day + 1:02d}T00:00:00+08:00")

    answer = report(books, "2026-03-01", "2026-03-10")

    for row in [*answer["rows"], answer["totals"]]:
        figures = {key: Decimal(value) for key, value in row.items() if key not in ("date", "billing_tag")}
        assert (figures["deferred_opening"] + figures["pack_sales"] - figures["recognized_pack_revenue"]
                - figures["breakage"] - figures["refunds"]) == figures["deferred_closing"]
    # 341 of 1,000 calls each: round(299.99 x 0.341) = 102.30 and round(1150.00 x 0.341) = 392.15, however split.
    assert answer["totals"]["recognized_pack_revenue"] == "494.45"
