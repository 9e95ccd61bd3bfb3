"""What the nightly reconciliation found for a billing date (operator)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.reconciliation import ReconciliationOut
from functions.wiring.reconciliation_results import reconciliation_results
from shared.services.reconciliation import reconciliation_report
from shared.web.openapi import answers

router = APIGatewayRouter()


@router.get(
    "/v1/reconciliation",
    summary="What the nightly reconciliation found for a billing date",
    description=(
        "The reconciliation job (02:00 in the billing time zone) checks the billing date before, for every account: "
        "each wallet and the balance against the sum of the ledger (WALLET_BALANCE), each pack's remaining calls "
        "against its size less the calls its bill lines deducted (PACK_REMAINING), each tag's billable calls in the "
        "calls themselves against the bill lines of the day plus the calls still waiting for a bill (BILLED_CALLS), "
        "and each bought pack's deferred value against its paid value less what its deductions recognize "
        "(DEFERRED_REVENUE). A night without differences answers \"differences\": []. 404 before the job ran for "
        "that date; a rerun of a date replaces what the earlier run found."
    ),
    responses=answers(ReconciliationOut, 404),
)
def get_reconciliation(
    day: Annotated[date, Query(alias="date", description="The billing date checked, YYYY-MM-DD.")],
) -> ReconciliationOut:
    return ReconciliationOut.from_domain(reconciliation_report(reconciliation_results(), day))
