"""The 明细账单: usage rows from the bill lines of the month's days, money rows from the month's ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import LedgerKind, Wallet
from shared.bills.details import detail_rows, money_rows, usage_rows
from shared.bills.rows import DetailRow, TransactionType
from shared.pricing.cycle import Month
from tests.bill_builders import daily_bill, entry, line

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
MARCH = Month(2026, 3)
DAY = date(2026, 3, 10)
FACE = "enhanced_authority_wechat"
RISK = "face_risk_detection"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_line_gives_a_row_per_pack_it_drew_on_then_its_postpaid_row_at_the_instant_its_bill_was_settled():
    bill = daily_bill("2026-03-10", line("2026-03-10", FACE, packs={"pk_a": 90, "pk_b": 10}, postpaid=5))

    rows = usage_rows([bill], MARCH)

    settled = at("2026-03-11T00:00:05+08:00")
    assert rows == [
        DetailRow(settled, TransactionType.PACK_DEDUCTION, "pk_a", FACE, None, 90, Decimal("0.00"), usage_date=DAY),
        DetailRow(settled, TransactionType.PACK_DEDUCTION, "pk_b", FACE, None, 10, Decimal("0.00"), usage_date=DAY),
        DetailRow(settled, TransactionType.POSTPAID_USAGE, "postpaid:enhanced_authority_wechat", FACE,
                  Decimal("1.2"), 5, Decimal("6.00"), usage_date=DAY),
    ]


def test_usage_rows_keep_the_unit_prices_decimals_and_the_lines_rounded_amount():
    [row] = usage_rows([daily_bill("2026-03-10", line("2026-03-10", RISK, postpaid=143))], MARCH)

    assert (row.unit_price, row.calls, row.amount) == (Decimal("0.0035"), 143, Decimal("0.50"))


def test_a_late_line_is_a_row_of_the_month_its_calls_were_made_in_at_the_instant_its_later_bill_was_settled():
    bill = daily_bill("2026-04-02", line("2026-03-31", RISK, postpaid=10, late=True))

    [row] = usage_rows([bill], MARCH)

    assert row.at == at("2026-04-03T00:00:05+08:00")
    assert usage_rows([bill], Month(2026, 4)) == []


def test_a_purchase_paid_from_several_wallets_is_one_row_of_what_the_wallets_paid_and_the_calls_it_bought():
    purchase = {"billing_tag": FACE, "size": 1000, "quantity": 3, "pack_ids": ["pk_1", "pk_2", "pk_3"]}
    entries = [
        entry(LedgerKind.PACK_PURCHASE, "p-1", "-2500.00", "2026-03-05T10:00:00+08:00", wallet=Wallet.CASH,
              **purchase),
        entry(LedgerKind.PACK_PURCHASE, "p-1", "-200.00", "2026-03-05T10:00:00+08:00", wallet=Wallet.GIFT,
              **purchase),
    ]

    rows = money_rows(entries, MARCH, SHANGHAI)

    assert rows == [DetailRow(at("2026-03-05T10:00:00+08:00"), TransactionType.PACK_PURCHASE, "p-1", FACE, None,
                              3000, Decimal("2700.00"), voucher_amount=Decimal("0.00"))]


def test_a_purchase_paid_wholly_by_voucher_has_its_row_with_its_voucher_part_and_a_mixed_one_shows_both():
    purchase = {"billing_tag": FACE, "size": 1000, "quantity": 1, "pack_ids": ["pk_1"]}
    entries = [
        entry(LedgerKind.PACK_PURCHASE, "p-1", "0", "2026-03-05T10:00:00+08:00", wallet=Wallet.CASH,
              voucher_amount=Decimal("1150.00"), **purchase),
        entry(LedgerKind.PACK_PURCHASE, "p-2", "-150.00", "2026-03-06T10:00:00+08:00", wallet=Wallet.CASH,
              voucher_amount=Decimal("100.00"), **purchase),
        entry(LedgerKind.PACK_PURCHASE, "p-2", "-900.00", "2026-03-06T10:00:00+08:00", wallet=Wallet.INCOME,
              **purchase),
    ]

    rows = money_rows(entries, MARCH, SHANGHAI)

    assert [(row.resource_id, row.amount, row.voucher_amount) for row in rows] == [
        ("p-1", Decimal("0"), Decimal("1150.00")), ("p-2", Decimal("1050.00"), Decimal("100.00"))]


def test_a_late_line_carries_the_billing_date_of_its_calls_not_of_its_bill():
    bill = daily_bill("2026-04-02", line("2026-03-31", RISK, postpaid=10, late=True))

    [row] = usage_rows([bill], MARCH)

    assert row.usage_date == date(2026, 3, 31)


def test_money_that_comes_in_is_negative_a_refund_and_a_recharge():
    entries = [
        entry(LedgerKind.RECHARGE, "r-1", "1000.00", "2026-03-01T09:00:00+08:00"),
        entry(LedgerKind.REFUND, "rf-1", "900.00", "2026-03-02T09:00:00+08:00", billing_tag=FACE),
        entry(LedgerKind.REFUND, "rf-1", "100.00", "2026-03-02T09:00:00+08:00", wallet=Wallet.GIFT,
              billing_tag=FACE),
    ]

    rows = money_rows(entries, MARCH, SHANGHAI)

    assert [(row.transaction_type, row.resource_id, row.billing_tag, row.calls, row.amount) for row in rows] == [
        (TransactionType.RECHARGE, "r-1", None, None, Decimal("-1000.00")),
        (TransactionType.REFUND, "rf-1", FACE, None, Decimal("-1000.00")),
    ]


def test_postpaid_charges_and_pack_breakage_are_not_repeated_as_money_rows():
    entries = [
        entry(LedgerKind.POSTPAID_CHARGE, "bl_acme_daily_2026-03-01", "-6.00", "2026-03-02T00:00:05+08:00"),
        entry(LedgerKind.PACK_BREAKAGE, "pk_a", "0", "2026-03-02T00:00:05+08:00"),
    ]

    assert money_rows(entries, MARCH, SHANGHAI) == []


@pytest.mark.parametrize(
    ("instant", "in_march"),
    [
        ("2026-02-28T23:59:59+08:00", False),
        ("2026-03-01T00:00:00+08:00", True),
        ("2026-03-31T23:59:59+08:00", True),
        ("2026-04-01T00:00:00+08:00", False),
        ("2026-03-31T16:00:00+00:00", False),  # 00:00 of April 1st in Shanghai, given in UTC
    ],
)
def test_money_belongs_to_the_month_of_its_billing_date_in_shanghai(instant, in_march):
    rows = money_rows([entry(LedgerKind.RECHARGE, "r-1", "1.00", instant)], MARCH, SHANGHAI)

    assert bool(rows) is in_march


@pytest.mark.parametrize(
    ("instant", "in_march"),
    [
        ("2026-02-28T23:59:59-05:00", False),
        ("2026-03-01T00:00:00-05:00", True),
        ("2026-03-31T23:59:59-04:00", True),  # daylight saving time since March 8th
        ("2026-04-01T00:00:00-04:00", False),
        ("2026-04-01T03:30:00+00:00", True),  # 23:30 of March 31st in New York
    ],
)
def test_money_belongs_to_the_month_of_its_billing_date_in_a_daylight_saving_zone(instant, in_march):
    rows = money_rows([entry(LedgerKind.RECHARGE, "r-1", "1.00", instant)], MARCH, NEW_YORK)

    assert bool(rows) is in_march


def details_of_a_month() -> list[DetailRow]:
    bills = [daily_bill("2026-03-10", line("2026-03-10", FACE, packs={"pk_a": 10}, postpaid=5),
                        line("2026-03-10", RISK, postpaid=143))]
    entries = [
        entry(LedgerKind.RECHARGE, "r-1", "1000.00", "2026-03-01T09:00:00+08:00"),
        entry(LedgerKind.PACK_PURCHASE, "p-1", "-1000.00", "2026-03-10T12:00:00+08:00", billing_tag=FACE, size=1000,
              quantity=1),
        entry(LedgerKind.RECHARGE, "r-2", "50.00", "2026-03-20T09:00:00+08:00"),
    ]
    return detail_rows(bills, entries, MARCH, SHANGHAI)


def test_rows_come_in_time_order_and_a_bills_rows_in_the_order_of_its_lines():
    rows = details_of_a_month()

    assert [(row.transaction_type.value, row.resource_id) for row in rows] == [
        ("recharge", "r-1"),
        ("pack_purchase", "p-1"),
        ("pack_deduction", "pk_a"),
        ("postpaid_usage", "postpaid:enhanced_authority_wechat"),
        ("postpaid_usage", "postpaid:face_risk_detection"),
        ("recharge", "r-2"),
    ]


def test_rows_filter_by_transaction_type_and_by_billing_tag():
    bills = [daily_bill("2026-03-10", line("2026-03-10", FACE, packs={"pk_a": 10}, postpaid=5),
                        line("2026-03-10", RISK, postpaid=143))]
    entries = [entry(LedgerKind.RECHARGE, "r-1", "1000.00", "2026-03-01T09:00:00+08:00")]

    postpaid = detail_rows(bills, entries, MARCH, SHANGHAI, transaction_type=TransactionType.POSTPAID_USAGE)
    face = detail_rows(bills, entries, MARCH, SHANGHAI, billing_tag=FACE)
    face_postpaid = detail_rows(bills, entries, MARCH, SHANGHAI, transaction_type=TransactionType.POSTPAID_USAGE,
                                billing_tag=FACE)

    assert [row.billing_tag for row in postpaid] == [FACE, RISK]
    assert [row.transaction_type for row in face] == [TransactionType.PACK_DEDUCTION, TransactionType.POSTPAID_USAGE]
    assert [row.resource_id for row in face_postpaid] == ["postpaid:enhanced_authority_wechat"]


def test_the_amounts_of_a_month_sum_to_what_the_account_spent_less_what_came_in():
    total = sum((row.amount for row in details_of_a_month()), Decimal(0))

    # 1000.00 paid for the pack, 6.00 + 0.50 postpaid, 1050.00 recharged.
    assert total == Decimal("1006.50") - Decimal("1050.00")
