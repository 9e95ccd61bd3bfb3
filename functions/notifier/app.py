"""The notifier: domain events from its queue (subscribed to the domain-event topic) -> each customer's
notice by in-site message, SMS and e-mail, at most once per cause and channel. A message whose notice
could not be completed is reported alone (a partial batch response), delivered again, then dead-lettered."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import batch_response
from functions.wiring import open_clients
from functions.wiring.notices import notice_delivery_stores
from shared.services.notice_delivery import NoticeBatch

logger = Logger()
open_clients()  # most notices go to one or two channels: each sending client is built when first needed


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # The batch's notices go out in parallel; those not completed are delivered again.
    bodies = {record["messageId"]: record["body"] for record in event["Records"]}
    return batch_response(NoticeBatch(notice_delivery_stores(), bodies).deliver())


init_done()
