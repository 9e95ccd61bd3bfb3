"""The public API function: catalog, quote, accounts, keys, packs, usage, bills, messages, webhooks, the revenue
report, the reconciliation's findings, and the API's own documents.

Each route group (one module of this package: its routes, their models, the services they call) is included
when a request first needs it (shared.web.resolver.JsonApiResolver.add_route_group), so a cold start imports
the resolver and the one group of the request it was started for, however many groups the API has: the import
of every group was most of this function's cold start beyond powertools and pydantic (benchmarks/cold_import.py).
The OpenAPI document (GET /v1/openapi.json, /v1/docs) includes every group. ROUTE_GROUPS lists each group's
paths as its module declares them (tests/unit/web/test_api_route_groups.py checks that they are the same).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.wiring import open_clients
from shared.web.resolver import api_resolver

logger = Logger()
metrics = Metrics()
open_clients()  # most routes read a table: boto3 and the DynamoDB client are built in the init phase, as Lambda advises


# Each group's router, its module imported on the group's first request. The imports are explicit (not by name)
# so that the layer contracts (.importlinter) and the IAM check (tests/iam.py) see what this function runs.
def _catalog() -> APIGatewayRouter:
    from functions.api import catalog

    return catalog.router


def _accounts() -> APIGatewayRouter:
    from functions.api import accounts

    return accounts.router


def _packs() -> APIGatewayRouter:
    from functions.api import packs

    return packs.router


def _usage() -> APIGatewayRouter:
    from functions.api import usage

    return usage.router


def _bills() -> APIGatewayRouter:
    from functions.api import bills

    return bills.router


def _messages() -> APIGatewayRouter:
    from functions.api import messages

    return messages.router


def _webhooks() -> APIGatewayRouter:
    from functions.api import webhooks

    return webhooks.router


def _reports() -> APIGatewayRouter:
    from functions.api import reports

    return reports.router


def _reconciliation() -> APIGatewayRouter:
    from functions.api import reconciliation

    return reconciliation.router


def _documents() -> APIGatewayRouter:
    from functions.api import documents

    return documents.router


ROUTE_GROUPS = (
    (_catalog, ("/v1/catalog", "/v1/quote")),
    (_accounts, ("/v1/accounts", "/v1/accounts/<account_id>", "/v1/accounts/<account_id>/recharges",
                 "/v1/accounts/<account_id>/eid-merchant", "/v1/accounts/<account_id>/violations",
                 "/v1/accounts/<account_id>/keys", "/v1/accounts/<account_id>/grants")),
    (_packs, ("/v1/accounts/<account_id>/packs", "/v1/accounts/<account_id>/packs/<pack_id>")),
    (_usage, ("/v1/accounts/<account_id>/usage", "/v1/accounts/<account_id>/usage/daily",
              "/v1/accounts/<account_id>/entitlement", "/v1/accounts/<account_id>/calls/<request_id>")),
    (_bills, ("/v1/accounts/<account_id>/bills", "/v1/accounts/<account_id>/bills/resources",
              "/v1/accounts/<account_id>/bills/details")),
    (_messages, ("/v1/accounts/<account_id>/messages",)),
    (_webhooks, ("/v1/accounts/<account_id>/webhooks", "/v1/accounts/<account_id>/webhooks/<webhook_id>",
                 "/v1/accounts/<account_id>/webhooks/<webhook_id>/secret",
                 "/v1/accounts/<account_id>/webhooks/<webhook_id>/deliveries",
                 "/v1/accounts/<account_id>/webhooks/<webhook_id>/deliveries/<delivery_id>/retry")),
    (_reports, ("/v1/reports/revenue",)),
    (_reconciliation, ("/v1/reconciliation",)),
    (_documents, ("/v1/openapi.json", "/v1/docs")),
)

app = api_resolver()
for router, paths in ROUTE_GROUPS:
    app.add_route_group(paths, router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


init_done()
