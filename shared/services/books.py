"""The vendor's revenue report: the books' day items of the range and everything booked before it, summed."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.books.report import RevenueReport, revenue_report
from shared.date_ranges import billing_date_range
from shared.pricing import billing_date, get_tag
from shared.store.books import RevenueBooks

REPORT_DEFAULT_DAYS = 30
REPORT_MAX_DAYS = 366


def report_of(books: RevenueBooks, first: date | None, last: date | None, billing_tag: str | None, now: datetime,
              zone: ZoneInfo) -> RevenueReport:
    """The report from `first` to `last` (billing dates, both included; the last 30 up to today by default)."""
    if billing_tag is not None:
        get_tag(billing_tag)
    first, last = billing_date_range(first, last, billing_date(now, zone), default_days=REPORT_DEFAULT_DAYS,
                                     max_days=REPORT_MAX_DAYS, what="report")
    return revenue_report(books.before(first), books.daily(first, last), first, last, billing_tag)
