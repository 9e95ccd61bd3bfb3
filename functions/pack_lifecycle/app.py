"""The pack-lifecycle job, daily at 00:00 in the billing time zone (EventBridge Scheduler).

The event is the schedule's Input: {"job": "pack-lifecycle", "scheduled_at": "<RFC 3339>"}. The run
decides at the scheduled time, not at the wall clock, so a retried or late invocation decides as the
scheduled one would have; an operator reruns a day by invoking it with that day's 00:00.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.wiring.lifecycle import lifecycle_stores
from shared.instants import format_instant, parse_instant
from shared.services.lifecycle import run_pack_lifecycle

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    run = run_pack_lifecycle(lifecycle_stores(), parse_instant(event["scheduled_at"]))
    summary = {"run_at": format_instant(run.run_at), "expired": run.expired, "warned": run.warned,
               "daily_reports": run.daily_reports}
    logger.info("pack lifecycle run", extra={**summary, "renewed": run.renewed, "renewals_failed": run.renewals_failed})
    return summary


init_done()
