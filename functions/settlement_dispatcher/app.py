"""The settlement run (daily-settlement, monthly-settlement schedules): fan the accounts due out to the queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.settlement_metrics import emit_run_completed
from functions.wiring import billing_zone, open_clients
from functions.wiring.dispatch import dispatch_stores
from shared.services.settlement_dispatch import dispatch, run_from_schedule

logger = Logger()
open_clients()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    summary = dispatch(dispatch_stores(), run_from_schedule(event, billing_zone()))
    if summary.completed:
        emit_run_completed(summary.cycle)
    return summary.__dict__


init_done()
