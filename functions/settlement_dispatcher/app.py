"""The settlement run (daily-settlement, monthly-settlement schedules): fan the accounts due out to the queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from shared.aws import LazyClient, dynamodb_client, sqs_client
from shared.config import settings
from shared.services.settlement_dispatch import dispatch, run_from_schedule
from shared.settlement.queue import SettlementQueue
from shared.store.settled_counters import SettledCounters

logger = Logger()
dynamodb = dynamodb_client()
sqs = LazyClient(sqs_client)  # a run with nothing due sends nothing


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config = settings()
    summary = dispatch(SettledCounters(dynamodb, config.usage_table),
                       SettlementQueue(sqs, config.settlement_queue_url), run_from_schedule(event, config.zone))
    return summary.__dict__


init_done()
