"""Live usage, the daily series of the console's chart, the entitlement answer and the call lookup."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.usage import CallOut, DailyUsageOut, DayCallsOut, EntitlementOut, UsageOut
from functions.wiring.usage import usage_stores
from shared import clock
from shared.services import usage as service
from shared.usage.rules import SERIES_DEFAULT_DAYS, SERIES_MAX_DAYS, EntitlementReason
from shared.web.fields import AccountId
from shared.web.openapi import answers

router = APIGatewayRouter()


@router.get(
    "/v1/accounts/<account_id>/usage",
    summary="Calls by tag and return code for a day, with estimates while it is unsettled",
    responses=answers(UsageOut, 404),
)
def get_usage(
    account_id: AccountId,
    day: Annotated[date | None, Query(alias="date", description="A billing date; today by default.")] = None,
) -> UsageOut:
    usage = service.usage_of_day(usage_stores(), account_id, day, clock.now())
    return UsageOut.from_domain(usage)


@router.get(
    "/v1/accounts/<account_id>/usage/daily",
    summary="Calls and billable calls per billing date and tag over a range of days",
    description=(
        f"from and to are billing dates, both included; to defaults to today and from to {SERIES_DEFAULT_DAYS - 1} "
        f"days before to ({SERIES_DEFAULT_DAYS} days in all). A range covers at most {SERIES_MAX_DAYS} days; from "
        "after to is a 400. Every date of the range is in the answer, a day without calls with zeros. Today's "
        "figures are live."
    ),
    responses=answers(DailyUsageOut, 404),
)
def get_daily_usage(
    account_id: AccountId,
    first: Annotated[
        date | None,
        Query(alias="from", description=f"YYYY-MM-DD; {SERIES_DEFAULT_DAYS - 1} days before to by default."),
    ] = None,
    last: Annotated[date | None, Query(alias="to", description="YYYY-MM-DD; today by default.")] = None,
) -> DailyUsageOut:
    days = service.daily_series(usage_stores(), account_id, first, last, clock.now())
    return DailyUsageOut(days=[DayCallsOut.from_domain(day) for day in days])


@router.get(
    "/v1/accounts/<account_id>/entitlement",
    summary="May this account make a call on this channel now?",
    responses=answers(EntitlementOut, 404),
)
def get_entitlement(
    account_id: AccountId,
    channel: Annotated[str, Query(min_length=1, max_length=64, description="A channel id of the catalog.")],
    source: Annotated[str | None, Query(description="authority or upload, where the channel takes one.")] = None,
) -> EntitlementOut:
    reason = service.check_entitlement(usage_stores(), account_id, channel, source, clock.now())
    return EntitlementOut(allowed=reason is EntitlementReason.OK, reason=reason)


@router.get(
    "/v1/accounts/<account_id>/calls/<request_id>",
    summary="A call as recorded, and why it is billed or not",
    responses=answers(CallOut, 404),
)
def get_call(
    account_id: AccountId,
    request_id: Annotated[str, Path(min_length=1, max_length=128)],
) -> CallOut:
    found = service.look_up_call(usage_stores(), account_id, request_id, clock.now())
    return CallOut.from_domain(found)
