"""SettlementRunCompleted (dimension `cycle`): emitted once when a settlement run has settled every account it
found due, by the dispatcher when there were none, else by the worker that settled the run's last message.
The alarm "daily settlement not finished by 01:00" (template.yaml) watches for it."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

SETTLEMENT_RUN_COMPLETED = "SettlementRunCompleted"


def emit_run_completed(cycle: str) -> None:
    with single_metric(name=SETTLEMENT_RUN_COMPLETED, unit=MetricUnit.Count, value=1) as metric:
        metric.add_dimension(name="cycle", value=cycle)
