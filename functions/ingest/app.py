"""The ingest function: POST /v1/calls (API Gateway) and the ingest queue (SQS), one core for both."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import each_message
from functions.ingest.models import CallsIn, CallsOut, call_result
from functions.ingest.queue import ingest_message, log_summary
from functions.wiring import open_clients
from functions.wiring.ingestion import ingestion_service
from shared.services.ingestion import IngestSummary
from shared.web.openapi import answers
from shared.web.resolver import api_resolver

logger = Logger()
metrics = Metrics()
open_clients()

app = api_resolver()


def _count(summary: IngestSummary) -> None:
    metrics.add_metric(name="CallsAccepted", unit=MetricUnit.Count, value=summary.accepted)
    metrics.add_metric(name="CallsDuplicate", unit=MetricUnit.Count, value=summary.duplicate)
    metrics.add_metric(name="CallsRejected", unit=MetricUnit.Count, value=summary.rejected)


@app.post(
    "/v1/calls",
    summary="Record a batch of 1 to 500 calls; each is accepted, a duplicate, or rejected on its own",
    description="Each call is checked alone: a refused call (ACCOUNT_NOT_FOUND, UNKNOWN_CHANNEL, SOURCE_REQUIRED, "
                "CALL_TOO_OLD, CALL_IN_FUTURE, REQUEST_ID_REUSED, VALIDATION_ERROR) is a result with its error, "
                "and the others are recorded. Only a malformed envelope is a 400, and then nothing is stored. "
                "Sending a batch again is safe: what was recorded answers `duplicate` with its first decision.",
    responses=answers(CallsOut, 401, 403, 413),
)
def post_calls(envelope: Annotated[CallsIn, Body()]) -> CallsOut:
    outcomes = ingestion_service().ingest(envelope.calls)
    _count(log_summary(outcomes, source="api"))
    return CallsOut(results=[call_result(outcome) for outcome in outcomes])


def _ingest_record(record: dict) -> None:
    summary = ingest_message(ingestion_service(), record["body"], message_id=record["messageId"])
    if summary is not None:
        _count(summary)


def _is_sqs_event(event: Any) -> bool:
    records = event.get("Records") if isinstance(event, dict) else None
    return bool(records) and all(record.get("eventSource") == "aws:sqs" for record in records)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    if _is_sqs_event(event):
        return each_message(event["Records"], _ingest_record)
    logger.set_correlation_id((event.get("requestContext") or {}).get("requestId"))
    return app.resolve(event, context)


init_done()
