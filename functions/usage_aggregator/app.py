"""The usage aggregator: the Calls table's stream -> per-day usage counters, each record counted once."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws import dynamodb_client
from shared.config import settings
from shared.ingestion.aggregation import aggregate_usage
from shared.store.usage import UsageRepository

logger = Logger()
dynamodb = dynamodb_client()
# Failures are reported per record (Lambda resumes from the first); never raise for the whole batch.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


class CounterNotUpdated(Exception):
    """This record's counter could not be updated in this batch; Lambda delivers it again."""


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # Counters are updated once per batch (all of a counter's records in one conditional update),
    # then each record is reported by the outcome of its counter.
    failed = aggregate_usage(event.get("Records") or [], UsageRepository(dynamodb, settings().usage_table))

    def outcome(record: DynamoDBRecord) -> None:
        if record.dynamodb is not None and record.dynamodb.sequence_number in failed:
            raise CounterNotUpdated(record.dynamodb.sequence_number)

    return process_partial_response(event=event, record_handler=outcome, processor=processor, context=context)
