"""Webhook deliveries: domain events from its own queue (subscribed to the domain-event topic, beside the notifier's,
so a slow receiver never delays a notice) and the attempts that fall due (queued by the sweep and the API's retry),
each a signed POST to the customer's URL. A message whose work could not be recorded is reported alone (a partial
batch response), delivered again, then dead-lettered."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import batch_response
from functions.wiring import open_clients
from functions.wiring.webhook_delivery import webhook_delivery_stores
from shared.services.webhook_delivery import WebhookBatch

logger = Logger()
open_clients()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    bodies = {record["messageId"]: record["body"] for record in event["Records"]}
    return batch_response(WebhookBatch(webhook_delivery_stores(), bodies).deliver())


init_done()
