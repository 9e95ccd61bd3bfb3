"""Every custom metric an alarm of template.yaml reads is really emitted, by the path that should emit it, with
the alarm's namespace, name and dimensions: an alarm on a metric nobody emits would stay quiet forever.

The functions run here with the template's environment (tests/aws.py), so the namespace and the `service`
dimension they emit are the deployed ones. The AWS metrics the other alarms read (SQS, Lambda, API Gateway) are
AWS's to emit; tests/unit/deploy/test_alarms.py checks that their dimensions name resources of the stack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest

from tests.emitted_metrics import emitted, metrics_on
from tests.integration.reconciliation_support import reconcile
from tests.integration.test_settlement_runs import AFTER_D1, D1, at, funded_account
from tests.integration.test_settlement_support import Settlement, settlement_system
from tests.template_alarms import CUSTOM_NAMESPACE, alarms, metrics_read


def settle_a_night(system: Settlement) -> None:
    funded_account(system, "acme")
    system.add_billable("acme", D1, 3)
    system.run("daily-settlement", AFTER_D1)


def reconcile_a_night(system: Settlement) -> None:
    settle_a_night(system)
    reconcile(system, "2026-03-02T02:00:00+08:00")


# The path that emits each custom metric an alarm reads. A new alarm on a metric without one here fails below.
EMITTERS: dict[str, Callable[[Settlement], None]] = {
    "SettlementRunCompleted": settle_a_night,
    "ReconciliationDifferences": reconcile_a_night,
}

CUSTOM_METRICS = sorted({(alarm_id, metric["MetricName"], tuple(sorted(metric["Dimensions"].items())))
                         for alarm_id, alarm in alarms().items() for metric in metrics_read(alarm)
                         if metric["Namespace"] == CUSTOM_NAMESPACE})


def test_the_alarms_read_custom_metrics_at_all():
    assert {name for _, name, _ in CUSTOM_METRICS} == set(EMITTERS)


# Handlers whose Metrics() (namespace, service) is set at import: imported again under the template's
# environment, as Lambda imports them, so that what they emit is what the deployed function would.
METRICS_AT_IMPORT = ("functions.reconciliation_worker.app",)


@pytest.mark.parametrize("alarm_id, name, dimensions", CUSTOM_METRICS)
def test_each_custom_metric_an_alarm_reads_is_emitted_with_its_dimensions(alarm_id, name, dimensions, monkeypatch,
                                                                         capsys):
    metrics_on(monkeypatch)
    with settlement_system(at("2026-03-01T09:00:00+08:00")) as system:
        for module in METRICS_AT_IMPORT:
            importlib.reload(importlib.import_module(module))
        capsys.readouterr()
        EMITTERS[name](system)
        found = [(metric.namespace, metric.name, metric.dimensions) for metric in emitted(capsys.readouterr().out)]

    assert (CUSTOM_NAMESPACE, name, dict(dimensions)) in found, (
        f"{alarm_id} reads {name} {dict(dimensions)} in {CUSTOM_NAMESPACE}; emitted: {found}")
