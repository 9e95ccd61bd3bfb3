"""The vendor's revenue report (operator), as JSON or CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.reports import RevenueReportOut, RevenueRowOut
from functions.wiring import billing_zone
from functions.wiring.books import revenue_books
from shared import clock
from shared.services.books import REPORT_DEFAULT_DAYS, REPORT_MAX_DAYS, report_of
from shared.web.csv_answer import AnswerFormat, csv_response
from shared.web.openapi import answers

router = APIGatewayRouter()

REVENUE_DESCRIPTION = (
    "One row per billing date and tag with any non-zero figure, by date then tag. A bought pack's paid value "
    "(what the wallets paid; a voucher is never revenue) is deferred at purchase and recognized as its calls "
    "are deducted: after k of its N calls, round_half_up(paid x k / N, 0.01) in all. Recognized and postpaid "
    "revenue count on the date of the bill that carries them (a daily bill's date, a monthly bill's last day); "
    "breakage is the unrecognized value of bought packs that expired that day, and a late deduction from an "
    "expired pack books its value as recognized and as much negative breakage. On every row and on the totals: "
    "deferred_opening + pack_sales - recognized_pack_revenue - breakage - refunds = deferred_closing. from and "
    f"to are billing dates, both included; to defaults to today and from to {REPORT_DEFAULT_DAYS - 1} days "
    f"before to; a report covers at most {REPORT_MAX_DAYS} days. With format=csv the rows come as text/csv "
    "(UTF-8 with a byte order mark), a header line of the row's fields, the totals not repeated."
)


@router.get(
    "/v1/reports/revenue",
    summary="The vendor's books per billing date and tag: sales, recognized revenue, breakage, deferred value",
    description=REVENUE_DESCRIPTION,
    responses=answers(RevenueReportOut, csv_rows=RevenueRowOut),
)
def get_revenue_report(
    first: Annotated[
        date | None,
        Query(alias="from", description=f"YYYY-MM-DD; {REPORT_DEFAULT_DAYS - 1} days before to by default."),
    ] = None,
    last: Annotated[date | None, Query(alias="to", description="YYYY-MM-DD; today by default.")] = None,
    billing_tag: Annotated[str | None, Query(description="Only this billing tag's rows.")] = None,
    answer_format: Annotated[AnswerFormat, Query(alias="format", description="csv: the rows as text/csv.")]
    = AnswerFormat.JSON,
) -> Response[RevenueReportOut | str]:  # str: a CSV body
    report = report_of(revenue_books(), first, last, billing_tag, clock.now(), billing_zone())
    answer = RevenueReportOut.from_domain(report)
    if answer_format is AnswerFormat.CSV:
        return csv_response(RevenueRowOut, answer.rows, f"revenue-{report.start}-{report.end}.csv")
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer)
