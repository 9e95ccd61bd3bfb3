"""Messages of the ingest queue: each body is a {"calls": [...]} envelope, as POST /v1/calls takes.

Per-call rejections are final (sending the same call again cannot change them): they are logged and
the message is done. A malformed envelope is logged and dropped for the same reason. Only a failure
to store (a DynamoDB error) raises, so that the message is retried.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from functions.ingest.models import CallsIn
from shared.ingestion.outcomes import CallOutcome
from shared.services.ingestion import IngestionService, IngestSummary

logger = Logger(child=True)

MAX_LOGGED_REJECTIONS = 50


def log_summary(outcomes: list[CallOutcome], *, source: str) -> IngestSummary:
    """Log a batch's counts and its first rejections (request ids, codes, fields: no call contents)."""
    summary = IngestSummary.of(outcomes)
    rejections = [
        {"request_id": outcome.request_id, "code": outcome.rejection.code.value, "field": outcome.rejection.field}
        for outcome in outcomes if outcome.rejection is not None
    ][:MAX_LOGGED_REJECTIONS]
    log = logger.warning if summary.rejected else logger.info
    log("calls ingested", extra={"source": source, "accepted": summary.accepted, "duplicate": summary.duplicate,
                                 "rejected": summary.rejected, "rejected_by_code": summary.rejected_by_code,
                                 "rejections": rejections})
    return summary


def ingest_message(service: IngestionService, body: str, *, message_id: str) -> IngestSummary | None:
    """Ingest one queue message; None when its envelope is malformed (logged and dropped)."""
    try:
        envelope = CallsIn.model_validate_json(body)
    except ValidationError as error:
        problems = [{"field": ".".join(str(part) for part in e["loc"]) or "body", "problem": e["msg"]}
                    for e in error.errors(include_url=False, include_input=False)][:MAX_LOGGED_REJECTIONS]
        logger.error("malformed envelope dropped: it cannot succeed on a retry",
                     extra={"message_id": message_id, "problems": problems})
        return None
    return log_summary(service.ingest(envelope.calls), source=f"sqs:{message_id}")
