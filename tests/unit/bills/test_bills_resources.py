"""The 资源 ID 账单: one row per pack and per tag's postpaid use, for the calls of the month's days."""

from __future__ import annotations

from decimal import Decimal

from shared.bills.resources import resource_rows
from shared.bills.rows import BillingMode, ResourceRow
from shared.pricing.cycle import Month
from tests.bill_builders import daily_bill, line, monthly_bill

MARCH = Month(2026, 3)
FACE = "enhanced_authority_wechat"
ID_CHECK = "id_verification"
RISK = "face_risk_detection"


def test_a_pack_row_sums_the_calls_taken_from_the_pack_over_the_month_and_costs_nothing():
    bills = [
        daily_bill("2026-03-01", line("2026-03-01", FACE, packs={"pk_a": 40})),
        daily_bill("2026-03-02", line("2026-03-02", FACE, packs={"pk_a": 60, "pk_b": 5})),
    ]

    rows = resource_rows(bills, MARCH)

    assert rows == [
        ResourceRow("pk_a", FACE, BillingMode.PREPAID, 100, Decimal("0.00")),
        ResourceRow("pk_b", FACE, BillingMode.PREPAID, 5, Decimal("0.00")),
    ]


def test_a_tags_postpaid_row_sums_its_calls_and_the_amounts_of_its_lines():
    bills = [
        daily_bill("2026-03-01", line("2026-03-01", RISK, postpaid=143)),
        daily_bill("2026-03-02", line("2026-03-02", RISK, postpaid=143)),
    ]

    [row] = resource_rows(bills, MARCH)

    # Each day's line is rounded on its own (0.50 + 0.50), as the bills charged it: not 286 x 0.0035 = 1.00 by luck.
    assert row == ResourceRow("postpaid:face_risk_detection", RISK, BillingMode.POSTPAID, 286, Decimal("1.00"))


def test_a_line_that_packs_covered_whole_has_no_postpaid_row():
    rows = resource_rows([daily_bill("2026-03-01", line("2026-03-01", FACE, packs={"pk_a": 10}))], MARCH)

    assert [row.billing_mode for row in rows] == [BillingMode.PREPAID]


def test_late_calls_count_in_the_month_they_were_made_whichever_bill_carries_them():
    april_bill = daily_bill(
        "2026-04-02",
        line("2026-03-20", ID_CHECK, postpaid=1000, late=True),
        line("2026-04-02", ID_CHECK, postpaid=7),
    )

    march = resource_rows([april_bill], MARCH)
    april = resource_rows([april_bill], Month(2026, 4))

    assert [(row.calls, row.amount) for row in march] == [(1000, Decimal("300.00"))]
    assert [(row.calls, row.amount) for row in april] == [(7, Decimal("2.10"))]


def test_a_monthly_bill_gives_the_rows_of_its_month_only():
    bill = monthly_bill(
        "2026-03-01", "2026-03-31", "2026-04-01T00:00:05+08:00",
        line("2026-02-27", FACE, postpaid=1, late=True),
        line("2026-03-31", FACE, postpaid=2),
    )

    assert [row.calls for row in resource_rows([bill], MARCH)] == [2]


def test_rows_come_by_tag_then_packs_before_postpaid_then_resource_id():
    bills = [daily_bill(
        "2026-03-01",
        line("2026-03-01", ID_CHECK, packs={"pk_b": 1}, postpaid=1),
        line("2026-03-01", FACE, packs={"pk_z": 1, "pk_a": 1}, postpaid=1),
    )]

    rows = resource_rows(bills, MARCH)

    assert [(row.billing_tag, row.resource_id) for row in rows] == [
        (FACE, "pk_a"), (FACE, "pk_z"), (FACE, "postpaid:enhanced_authority_wechat"),
        (ID_CHECK, "pk_b"), (ID_CHECK, "postpaid:id_verification"),
    ]


def test_a_month_with_no_bills_has_no_rows():
    assert resource_rows([], MARCH) == []
