"""Properties of the books over any history of bought packs: purchases with and without vouchers, deductions,
deductions after the expiry (late calls), expiries and refunds, booked by shared.books.rules and read back by
the revenue report. Each pack has a tag of its own here, so the report's figures of a tag are one pack's.

- Every pack ends with recognized + breakage + refunded = its paid value, exactly; while it lives, its paid
  value less what was recognized is still deferred.
- On every row and on the totals, opening + sales − recognized − breakage − refunds = closing.
- A report split in two ranges joins up: the second opens on what the first closed on, and their totals add up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.accounts.models import Pack, PackOrigin, PackStatus, Payment
from shared.books.models import Booking, Figure
from shared.books.report import RevenueReport, revenue_report
from shared.books.rules import expiry_bookings, purchase_bookings, refund_bookings, settlement_bookings
from shared.books.value import deferred_value
from shared.pricing import SettlementCycle
from shared.settlement.models import Bill, BillLine
from shared.settlement.plan import PackChange

ZONE = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 1)
ZERO = Decimal("0.00")


def bought(number: int, size: int, price_fen: int, voucher_fen: int) -> Pack:
    at = datetime(2026, 3, 1, 10, tzinfo=ZONE)
    voucher = Decimal(voucher_fen) / 100
    paid = Payment(cash=Decimal(price_fen - voucher_fen) / 100, voucher=voucher)
    return Pack(account_id="acme", pack_id=f"pk_{number}", billing_tag=f"tag_{number}", origin=PackOrigin.PURCHASE,
                size=size, remaining=size, acquired_at=at, effective_from=START, expires_at=at + timedelta(days=365),
                paid=paid, deferred=paid.from_wallets)


def bill_of(day: date, *lines: BillLine) -> Bill:
    return Bill("acme", SettlementCycle.DAILY, day, day, datetime.combine(day + timedelta(days=1), datetime.min.time(),
                                                                          ZONE), lines)


@st.composite
def histories(draw):
    packs = [bought(number, draw(st.sampled_from([1, 2, 3, 7, 10, 1000])), fen := draw(st.integers(0, 10**7)),
                    draw(st.integers(0, fen)))
             for number in range(draw(st.integers(1, 4)))]
    steps = draw(st.lists(st.tuples(st.integers(0, len(packs) - 1), st.sampled_from(["deduct", "expire", "refund"]),
                                    st.integers(1, 1000), st.integers(0, 3)), max_size=25))
    return packs, steps


def replay(packs: list[Pack], steps) -> tuple[dict[str, Pack], list[Booking], date]:
    """Apply the steps that are possible (a refund only of an untouched live pack, a deduction only of calls
    left, an expiry once), booking each as the services do."""
    state = {pack.pack_id: pack for pack in packs}
    bookings = purchase_bookings(packs, START)
    day = START
    for index, action, calls, days_later in steps:
        day += timedelta(days=days_later)
        pack = state[packs[index].pack_id]
        if pack.recorded_status is PackStatus.REFUNDED:
            continue
        if action == "deduct" and pack.remaining:
            after = pack.remaining - min(calls, pack.remaining)
            change = PackChange(pack.pack_id, pack.billing_tag, pack.size, pack.remaining, after, pack.recorded_status)
            bookings += settlement_bookings(bill_of(day), [change], {pack.pack_id: pack})
            state[pack.pack_id] = replace(pack, remaining=after)
        elif action == "expire" and pack.recorded_status is PackStatus.ACTIVE:
            bookings += expiry_bookings(pack, day)
            state[pack.pack_id] = replace(pack, recorded_status=PackStatus.EXPIRED)
        elif action == "refund" and pack.recorded_status is PackStatus.ACTIVE and pack.remaining == pack.size:
            bookings += refund_bookings(pack, day)
            state[pack.pack_id] = replace(pack, recorded_status=PackStatus.REFUNDED)
    return state, bookings, day


def daily(bookings: list[Booking]) -> dict[date, dict[tuple[str, Figure], Decimal]]:
    found: dict[date, dict[tuple[str, Figure], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for booking in bookings:
        found[booking.day][(booking.billing_tag, booking.figure)] += booking.amount
    return found


def before(days: dict[date, dict[tuple[str, Figure], Decimal]], first: date) -> dict[tuple[str, Figure], Decimal]:
    totals: dict[tuple[str, Figure], Decimal] = defaultdict(Decimal)
    for day, figures in days.items():
        if day < first:
            for key, amount in figures.items():
                totals[key] += amount
    return totals


def assert_identity(report: RevenueReport) -> None:
    for row in report.rows:
        f = row.figures
        assert (row.deferred_opening + f[Figure.PACK_SALES] - f[Figure.RECOGNIZED_PACK_REVENUE] - f[Figure.BREAKAGE]
                - f[Figure.REFUNDS]) == row.deferred_closing
    t = report.totals
    assert (report.deferred_opening + t[Figure.PACK_SALES] - t[Figure.RECOGNIZED_PACK_REVENUE] - t[Figure.BREAKAGE]
            - t[Figure.REFUNDS]) == report.deferred_closing


@settings(max_examples=300, deadline=None)
@given(histories())
def test_every_pack_ends_with_recognized_plus_breakage_plus_refunded_equal_to_what_was_paid(history):
    packs, steps = history
    state, bookings, last = replay(packs, steps)
    days = daily(bookings)

    for pack in packs:
        report = revenue_report({}, days, START, last, pack.billing_tag)
        assert_identity(report)
        end = state[pack.pack_id]
        out = (report.totals[Figure.RECOGNIZED_PACK_REVENUE] + report.totals[Figure.BREAKAGE]
               + report.totals[Figure.REFUNDS])
        assert report.totals[Figure.PACK_SALES] == pack.paid_value
        assert report.totals[Figure.VOUCHER_DISCOUNTS] == pack.paid.voucher
        assert report.totals[Figure.RECOGNIZED_PACK_REVENUE] == pack.paid_value - deferred_value(
            pack.paid_value, pack.size, end.remaining)
        if end.recorded_status is PackStatus.ACTIVE:
            assert report.deferred_closing == deferred_value(pack.paid_value, pack.size, end.remaining)
            assert out + report.deferred_closing == pack.paid_value
        else:  # expired or refunded: nothing is deferred any more, all of it is accounted for
            assert report.deferred_closing == ZERO
            assert out == pack.paid_value


@settings(max_examples=200, deadline=None)
@given(histories(), st.integers(0, 80))
def test_a_report_split_in_two_ranges_joins_up(history, cut):
    _, bookings, last = replay(*history)
    days = daily(bookings)
    middle = min(START + timedelta(days=cut), last)

    whole = revenue_report({}, days, START, last)
    first = revenue_report({}, days, START, middle)
    second = revenue_report(before(days, middle + timedelta(days=1)), days, middle + timedelta(days=1),
                            max(last, middle + timedelta(days=1)))

    for report in (whole, first, second):
        assert_identity(report)
    assert second.deferred_opening == first.deferred_closing
    assert second.deferred_closing == whole.deferred_closing
    for figure in Figure:
        assert first.totals[figure] + second.totals[figure] == whole.totals[figure]


def test_rows_come_by_date_then_tag_and_a_day_without_any_figure_has_none():
    pack = bought(1, 10, 1000, 0)
    days = daily([*purchase_bookings([pack], START),
                  *settlement_bookings(bill_of(START + timedelta(days=2), BillLine(
                      START + timedelta(days=2), "aaa", 1, (), 1, Decimal("0.3"), Decimal("0.30"))), [], {})])

    report = revenue_report({}, days, START - timedelta(days=1), START + timedelta(days=2))

    assert [(row.day, row.billing_tag) for row in report.rows] == [
        (START, "tag_1"), (START + timedelta(days=1), "tag_1"), (START + timedelta(days=2), "aaa"),
        (START + timedelta(days=2), "tag_1")]
    assert report.totals[Figure.POSTPAID_REVENUE] == Decimal("0.30")
    assert report.deferred_closing == Decimal("10.00")


def test_a_monthly_bill_books_on_its_last_day_and_a_late_deduction_from_an_expired_pack_turns_breakage_back():
    pack = replace(bought(1, 10, 1000, 0), recorded_status=PackStatus.EXPIRED, remaining=4)
    month = Bill("acme", SettlementCycle.MONTHLY, date(2026, 3, 1), date(2026, 3, 31),
                 datetime(2026, 4, 1, tzinfo=ZONE), (BillLine(date(2026, 3, 9), "tag_1", 1, (), 1, Decimal("0.3"),
                                                              Decimal("0.30")),))
    change = PackChange(pack.pack_id, pack.billing_tag, pack.size, 4, 1, PackStatus.EXPIRED)

    bookings = settlement_bookings(month, [change], {pack.pack_id: pack})

    assert bookings == [
        Booking(date(2026, 3, 31), "tag_1", Figure.POSTPAID_REVENUE, Decimal("0.30")),
        Booking(date(2026, 3, 31), "tag_1", Figure.RECOGNIZED_PACK_REVENUE, Decimal("3.00")),
        Booking(date(2026, 3, 31), "tag_1", Figure.BREAKAGE, Decimal("-3.00")),
    ]
