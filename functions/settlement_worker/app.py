"""The settlement worker: settles the accounts of each settlement-queue message (partial batch failures)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from shared.aws import LazyClient, dynamodb_client, sns_client
from shared.config import settings
from shared.settlement.service import SettlementStores, settle_message

logger = Logger()
dynamodb = dynamodb_client()
sns = LazyClient(sns_client)  # only a settlement that bills publishes


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # A message whose accounts all settled is done; one with a failed account is reported and comes back.
    # The partial batch response is built here: powertools' BatchProcessor would add the data classes of
    # every event source (and asyncio) to the cold start, about 25 ms, for a loop this short.
    failed = []
    for record in event["Records"]:
        try:
            settle_message(SettlementStores.from_settings(dynamodb, sns), record["body"], settings().zone,
                           message_id=record["messageId"])
        except Exception:
            logger.exception("settlement message failed; it will be delivered again",
                             extra={"message_id": record["messageId"]})
            failed.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failed}


init_done()
