"""Bills, the 资源 ID 账单 and the 明细账单 of an account, as JSON or CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.bills import (
    BillsOut,
    DetailBillOut,
    DetailRowOut,
    ResourceBillOut,
    ResourceRowOut,
)
from functions.wiring.bills import bill_stores
from shared import clock
from shared.bills.months import MAX_RANGE_DAYS, MONTH_PATTERN, parse_month
from shared.bills.rows import TransactionType
from shared.pricing.cycle import Month
from shared.services import bills as service
from shared.web.csv_answer import AnswerFormat, csv_response
from shared.web.fields import AccountId
from shared.web.openapi import answers

router = APIGatewayRouter()

MonthParam = Annotated[
    str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM, in the billing time zone; this month by default."),
]
FormatParam = Annotated[AnswerFormat, Query(alias="format", description="csv: the rows as text/csv.")]

_CSV_NOTE = (
    " With format=csv the same rows come as text/csv (UTF-8 with a byte order mark, so spreadsheets read the "
    "Chinese text): a header line of the row's fields in the JSON order, then one line per row; null is an empty "
    "cell and the month is not repeated."
)

RESOURCES_DESCRIPTION = (
    "One row per resource the account used on the month's billing dates, counted by the date the calls were "
    "made (calls that arrived late and were billed later count in their own month). A pack's row (billing_mode "
    "prepaid, resource_id the pack id) counts the calls deducted from it; its amount is 0.00 because a pack is "
    "paid for when it is bought, and the purchase is a pack_purchase row of the details bill. A tag's postpaid "
    "row (billing_mode postpaid, resource_id \"postpaid:<billing_tag>\") counts the calls charged at the unit "
    "price and their amount." + _CSV_NOTE
)

DETAILS_DESCRIPTION = (
    "One row per charge or money movement of the month, oldest first. Usage rows are the bill lines of the "
    "month's billing dates (late calls count in the month they were made), at the instant their bill was "
    "settled: pack_deduction (resource_id the pack id, amount 0.00: the pack was paid for when bought) and "
    "postpaid_usage (resource_id \"postpaid:<billing_tag>\", unit_price, calls, amount). Money rows are the "
    "movements booked in the month: pack_purchase (resource_id the purchase_id; calls the calls bought; amount "
    "what the wallets paid, and voucher_amount the voucher's part, so a purchase paid wholly by voucher has its "
    "row too), refund (resource_id the refund_id) and recharge "
    "(resource_id the recharge_id). amount is what the row cost the account: positive for usage and purchases, "
    "negative for money that came in (refunds, recharges). Usage rows carry usage_date, the billing date of the "
    "calls they charge (at is when their bill was settled, so the rows of a catch-up run share one at). Fields "
    "that do not apply are null." + _CSV_NOTE
)


@router.get(
    "/v1/accounts/<account_id>/bills",
    summary="The account's bills whose period overlaps a range of billing dates, oldest first",
    description=(
        "from and to are billing dates, both included; to defaults to today and from to 30 days before to "
        f"(31 days in all). A range may cover at most {MAX_RANGE_DAYS} days; from after to is a 400."
    ),
    responses=answers(BillsOut, 404),
)
def list_bills(
    account_id: AccountId,
    first: Annotated[date | None, Query(alias="from", description="YYYY-MM-DD; 30 days before to by default.")]
    = None,
    last: Annotated[date | None, Query(alias="to", description="YYYY-MM-DD; today by default.")] = None,
) -> BillsOut:
    bills = service.list_bills(bill_stores(), account_id, first, last, clock.now())
    return BillsOut(bills=bills)


@router.get(
    "/v1/accounts/<account_id>/bills/resources",
    summary="The 资源 ID 账单 of a month: calls and amount per pack and per tag's postpaid use",
    description=RESOURCES_DESCRIPTION,
    responses=answers(ResourceBillOut, 404, csv_rows=ResourceRowOut),
)
def get_resource_bill(
    account_id: AccountId,
    month: MonthParam = None,
    answer_format: FormatParam = AnswerFormat.JSON,
) -> Response[ResourceBillOut | str]:  # str: a CSV body, which validation checks against this annotation too
    billed_month, rows = service.resource_bill(
        bill_stores(), account_id, _month(month), clock.now(),
    )
    answer = ResourceBillOut.from_domain(billed_month, rows)
    if answer_format is AnswerFormat.CSV:
        return csv_response(ResourceRowOut, answer.rows, f"{account_id}-resources-{billed_month}.csv")
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer)


@router.get(
    "/v1/accounts/<account_id>/bills/details",
    summary="The 明细账单 of a month: every charge and money movement",
    description=DETAILS_DESCRIPTION,
    responses=answers(DetailBillOut, 404, csv_rows=DetailRowOut),
)
def get_detail_bill(
    account_id: AccountId,
    month: MonthParam = None,
    transaction_type: Annotated[TransactionType | None, Query(description="Only rows of this type.")] = None,
    billing_tag: Annotated[str | None, Query(description="Only rows of this billing tag.")] = None,
    answer_format: FormatParam = AnswerFormat.JSON,
) -> Response[DetailBillOut | str]:
    billed_month, rows = service.detail_bill(
        bill_stores(), account_id, _month(month), clock.now(),
        transaction_type=transaction_type, billing_tag=billing_tag,
    )
    answer = DetailBillOut.from_domain(billed_month, rows)
    if answer_format is AnswerFormat.CSV:
        return csv_response(DetailRowOut, answer.rows, f"{account_id}-details-{billed_month}.csv")
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer)


def _month(text: str | None) -> Month | None:
    return None if text is None else parse_month(text)
