"""The webhook sweep, every minute (EventBridge Scheduler): queues an attempt of each delivery whose retry is due,
and disables the webhooks whose deliveries all failed for 5 days, with their webhook_disabled notice. The local stack
fires it at each instant something falls due instead (template.yaml: the schedule's Metadata)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.wiring import open_clients
from functions.wiring.webhook_sweep import webhook_sweep_stores
from shared.services.webhook_sweep import sweep

logger = Logger()
open_clients()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    report = sweep(webhook_sweep_stores())
    return {"attempts_queued": report.attempts_queued, "webhooks_disabled": report.webhooks_disabled}

init_done()
