"""The usage aggregator: the Calls table's stream -> per-day usage counters, each record counted once."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import batch_response
from functions.wiring import open_clients
from functions.wiring.usage_counters import usage_counters
from shared.services.usage_aggregation import aggregate_usage

logger = Logger()
open_clients()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # Counters are updated once per batch (all of a counter's records in one conditional update), then
    # each record is reported by its counter's outcome: Lambda resumes from the first failure.
    records = event["Records"]
    failed = aggregate_usage(records, usage_counters())
    sequence_numbers = [(record.get("dynamodb") or {}).get("SequenceNumber") for record in records]
    return batch_response(number for number in sequence_numbers if number in failed)


init_done()
