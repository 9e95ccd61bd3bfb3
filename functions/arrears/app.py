"""The arrears-check job, every 5 minutes in the billing time zone (EventBridge Scheduler).

The event is the schedule's Input: {"job": "arrears-check", "scheduled_at": "<RFC 3339>"}. The run decides at
the scheduled time, not at the wall clock, so a retried or late invocation decides as the scheduled one would.
"""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.wiring.arrears import arrears_stores
from shared.instants import parse_instant
from shared.services.arrears import run_arrears_check

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    summary = run_arrears_check(
        arrears_stores(), parse_instant(event["scheduled_at"]),
        time_left=lambda: timedelta(milliseconds=context.get_remaining_time_in_millis()),
    )
    return summary.as_json()


init_done()
