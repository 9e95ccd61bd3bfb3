"""The reconciliation worker: checks the accounts of each reconciliation-queue message (partial batch failures)
and emits ReconciliationDifferences, the differences its messages found (0 on a healthy night)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.batch_response import each_message
from functions.wiring import open_clients
from functions.wiring.reconciliation import reconciliation_stores
from shared.services.reconciliation import check_message

logger = Logger()
metrics = Metrics()
open_clients()


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    stores, found = reconciliation_stores(), []

    def check(record: dict) -> None:
        batch = check_message(stores, record["body"], message_id=record["messageId"])
        if batch is not None:
            found.append(len(batch.differences))

    answer = each_message(event["Records"], check)
    metrics.add_metric(name="ReconciliationDifferences", unit=MetricUnit.Count, value=sum(found))
    return answer


init_done()
