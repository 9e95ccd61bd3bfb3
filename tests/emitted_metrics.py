"""The CloudWatch metrics the functions emitted, read back from powertools' EMF lines on stdout.

The test suite disables metrics (tests/conftest.py); `metrics_on(monkeypatch)` turns them on for one test, and
`emitted(capsys.readouterr().out)` parses what was printed: one EmittedMetric per metric of each EMF record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EmittedMetric:
    namespace: str
    name: str
    dimensions: dict[str, str]
    value: Any


def metrics_on(monkeypatch: Any) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")


def emitted(stdout: str) -> list[EmittedMetric]:
    found = []
    for line in stdout.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            dimensions = {name: record[name] for names in directive["Dimensions"] for name in names}
            found.extend(EmittedMetric(directive["Namespace"], metric["Name"], dimensions, record[metric["Name"]])
                         for metric in directive["Metrics"])
    return found
