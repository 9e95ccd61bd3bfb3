"""The settlement worker: settles the accounts of each settlement-queue message (partial batch failures)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import each_message
from functions.wiring import billing_zone, open_clients
from functions.wiring.settlement import settlement_stores
from shared.services.settlement import settle_message

logger = Logger()
open_clients()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # A message whose accounts all settled is done; one with a failed account is reported and comes back.
    stores, zone = settlement_stores(), billing_zone()
    return each_message(event["Records"],
                        lambda record: settle_message(stores, record["body"], zone, message_id=record["messageId"]))


init_done()
