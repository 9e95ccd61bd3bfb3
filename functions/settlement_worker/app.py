"""The settlement worker: settles the accounts of each settlement-queue message (partial batch failures)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import each_message
from functions.settlement_metrics import emit_run_completed
from functions.wiring import billing_zone, open_clients
from functions.wiring.settlement import settlement_stores
from shared.services.settlement import settle_message

logger = Logger()
open_clients()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # A message whose accounts all settled is done; one with a failed account is reported and comes back.
    stores, zone = settlement_stores(), billing_zone()

    def settle(record: dict) -> None:
        settled = settle_message(stores, record["body"], zone, message_id=record["messageId"])
        if settled is not None and settled.completed_run is not None:
            emit_run_completed(settled.completed_run.cycle.value)

    return each_message(event["Records"], settle)


init_done()
