"""The CloudWatch alarms of template.yaml and the metrics each reads, for the tests that hold them to the code."""

from __future__ import annotations

from functools import cache
from typing import Any

from infra.local.template import load_template
from tests.support import REPO_ROOT

ALARM = "AWS::CloudWatch::Alarm"


@cache
def template() -> dict[str, Any]:
    return load_template(REPO_ROOT / "template.yaml")


def _environment() -> dict[str, Any]:
    return template()["Globals"]["Function"]["Environment"]["Variables"]


CUSTOM_NAMESPACE = _environment()["POWERTOOLS_METRICS_NAMESPACE"]
SERVICE = _environment()["POWERTOOLS_SERVICE_NAME"]


def alarms() -> dict[str, dict[str, Any]]:
    return {logical_id: resource["Properties"] for logical_id, resource in template()["Resources"].items()
            if resource["Type"] == ALARM}


def metrics_read(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """Each metric the alarm reads, directly or in its metric math: Namespace, MetricName, Dimensions as a dict
    (values as the template writes them: a string, or an intrinsic function)."""
    stats = [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]
    if "MetricName" in alarm:
        stats.append(alarm)
    return [{"Namespace": stat["Namespace"], "MetricName": stat["MetricName"],
             "Dimensions": {entry["Name"]: _hashable(entry["Value"]) for entry in stat.get("Dimensions", [])}}
            for stat in stats]


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str) else repr(value)
