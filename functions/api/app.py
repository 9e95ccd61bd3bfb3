"""The public API function: catalog, quote, accounts, keys, packs, usage, bills, and the API's own documents."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.api import accounts, bills, catalog, documents, messages, packs, reconciliation, reports, usage
from shared.web.resolver import api_resolver

logger = Logger()
metrics = Metrics()

app = api_resolver()
for router in (catalog.router, accounts.router, packs.router, usage.router, bills.router, messages.router,
               reports.router, reconciliation.router, documents.router):
    app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


init_done()
