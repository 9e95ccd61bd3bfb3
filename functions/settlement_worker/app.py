"""The settlement worker: settles the accounts of each settlement-queue message (partial batch failures)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import each_message
from shared.aws import LazyClient, dynamodb_client, sns_client
from shared.config import settings
from shared.services.settlement import SettlementStores, settle_message

logger = Logger()
dynamodb = dynamodb_client()
sns = LazyClient(sns_client)  # only a settlement that bills publishes


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # A message whose accounts all settled is done; one with a failed account is reported and comes back.
    stores, zone = SettlementStores.from_settings(dynamodb, sns), settings().zone
    return each_message(event["Records"],
                        lambda record: settle_message(stores, record["body"], zone, message_id=record["messageId"]))


init_done()
