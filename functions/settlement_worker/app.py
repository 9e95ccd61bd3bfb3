"""The settlement worker: settles the accounts of each settlement-queue message (partial batch failures)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws import dynamodb_client, sns_client
from shared.config import settings
from shared.settlement.service import SettlementStores, settle_message

logger = Logger()
dynamodb = dynamodb_client()
sns = sns_client()
# A message whose accounts all settled is done; one with a failed account is reported and comes back.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _settle_record(record: SQSRecord) -> None:
    settle_message(SettlementStores.from_settings(dynamodb, sns), record.body, settings().zone,
                   message_id=record.message_id)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=_settle_record, processor=processor, context=context)
