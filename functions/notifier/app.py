"""The notifier: domain events from its queue (subscribed to the domain-event topic) -> each customer's
notice by in-site message, SMS and e-mail, at most once per cause and channel. A message whose notice
could not be completed is reported alone (a partial batch response), delivered again, then dead-lettered."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from shared.aws import LazyClient, dynamodb_client, ses_client, sms_client
from shared.notifier.service import NoticeBatch, NotifierStores

logger = Logger()
dynamodb = dynamodb_client()
# Most notices go to one or two channels: each sending client is built when first needed.
sms = LazyClient(sms_client)
ses = LazyClient(ses_client)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # The batch's notices go out in parallel, so the partial batch response is built here rather than by
    # powertools' BatchProcessor, which handles records one after another (and costs cold-start time).
    bodies = {record["messageId"]: record["body"] for record in event["Records"]}
    failed = NoticeBatch(NotifierStores.from_clients(dynamodb, sms, ses), bodies).deliver()
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


init_done()
