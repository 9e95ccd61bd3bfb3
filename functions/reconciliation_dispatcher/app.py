"""The nightly reconciliation run (the reconciliation schedule, 02:00): fan every account out to the queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.wiring import billing_zone, open_clients
from functions.wiring.reconciliation_dispatch import reconciliation_dispatch_stores
from shared.services.reconciliation_dispatch import dispatch, run_from_schedule

logger = Logger()
open_clients()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    summary = dispatch(reconciliation_dispatch_stores(), run_from_schedule(event, billing_zone()))
    return summary.__dict__


init_done()
