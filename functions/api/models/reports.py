"""Answer models of the revenue report, read from shared.books.report."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.books.models import Figure
from shared.books.report import RevenueReport, RevenueRow
from shared.web.model import AnswerModel
from shared.web.money import Money


class RevenueFiguresOut(AnswerModel):
    postpaid_revenue: Money = Field(description="Postpaid amounts of the bills of that date.")
    pack_sales: Money = Field(description="What packs bought that day were paid from wallets (cash + income + gift).")
    voucher_discounts: Money = Field(description="The voucher part of the packs bought that day: never revenue.")
    recognized_pack_revenue: Money = Field(
        description="Paid value of bought packs recognized by the deductions of the bills of that date.")
    breakage: Money = Field(description="Unrecognized value of bought packs that expired that day, less what late "
                                        "deductions from expired packs took back (negative when only those).")
    refunds: Money = Field(description="Paid value given back that day.")
    deferred_opening: Money = Field(description="Paid value still unrecognized at the day's (the range's) start.")
    deferred_closing: Money = Field(description="Paid value still unrecognized at the day's (the range's) end.")


class RevenueRowOut(AnswerModel):
    date: date
    billing_tag: str
    postpaid_revenue: Money
    pack_sales: Money
    voucher_discounts: Money
    recognized_pack_revenue: Money
    breakage: Money
    refunds: Money
    deferred_opening: Money
    deferred_closing: Money

    @classmethod
    def from_domain(cls, row: RevenueRow) -> RevenueRowOut:
        return cls(date=row.day, billing_tag=row.billing_tag, deferred_opening=row.deferred_opening,
                   deferred_closing=row.deferred_closing,
                   **{figure.value: amount for figure, amount in row.figures.items()})


class RevenueReportOut(AnswerModel):
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    rows: list[RevenueRowOut]
    totals: RevenueFiguresOut = Field(description="The money fields summed over the rows; deferred_opening of the "
                                                  "range's first day and deferred_closing of its last.")

    @classmethod
    def from_domain(cls, report: RevenueReport) -> RevenueReportOut:
        totals = {figure.value: report.totals[figure] for figure in Figure}
        return cls.model_validate({
            "from": report.start, "to": report.end, "rows": [RevenueRowOut.from_domain(row) for row in report.rows],
            "totals": RevenueFiguresOut(deferred_opening=report.deferred_opening,
                                        deferred_closing=report.deferred_closing, **totals),
        })
