"""The refunds function: POST /v1/accounts/{account_id}/packs/{pack_id}/refund (退费说明).

The route's service and stores are imported on its first request, as the api's route groups are: the init
phase pays the resolver, the models and the DynamoDB client, not the accounts domain behind the service."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.refunds.models import RefundAnswer, RefundIn
from functions.wiring import open_clients
from shared.web.fields import AccountId
from shared.web.openapi import answers
from shared.web.resolver import api_resolver

logger = Logger()
metrics = Metrics()
open_clients()

app = api_resolver()


@app.post(
    "/v1/accounts/<account_id>/packs/<pack_id>/refund",
    summary="Refund a bought, unused pack within 7 days, to the wallets that paid (idempotent by refund_id)",
    description="Refundable until 23:59:59 of the 7th day after the purchase day in the billing time zone. "
                "The cash, income and gift parts go back to their wallets; a voucher is not returned.",
    responses=answers(
        RefundAnswer, 404, 409,
        description="Refunded (409 REFUND_WINDOW_CLOSED, PACK_USED, NOT_REFUNDABLE_ORIGIN, "
                    "ACCOUNT_SUSPENDED_FOR_VIOLATION, ALREADY_REFUNDED, IDEMPOTENCY_KEY_REUSED)",
    ),
)
def refund(
    account_id: AccountId,
    pack_id: Annotated[str, Path(min_length=1, max_length=128, description="The pack's id.")],
    request: Annotated[RefundIn, Body()],
) -> RefundAnswer:
    from functions.wiring.accounts import account_stores
    from shared.services.refunds import refund_pack

    done = refund_pack(account_stores(), account_id, pack_id, refund_id=request.refund_id)
    return RefundAnswer(refund=done)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


init_done()
