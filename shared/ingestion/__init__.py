"""Call ingestion: POST /v1/calls and the ingest queue share one core; the usage counters follow the
Calls table's stream.

- `shared.services.ingestion.ingestion_service(dynamodb).ingest(raw_calls)` -> one `CallOutcome` per call;
- `functions.ingest.queue.ingest_message(...)` for a message of the ingest queue;
- `shared.services.usage_aggregation.aggregate_usage(records, UsageRepository(...))` for a stream batch.

Nothing is imported here, so that a function needing one part does not load the others.
"""
