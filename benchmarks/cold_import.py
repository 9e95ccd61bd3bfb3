"""Cold start: how long a fresh interpreter takes to import each handler module, against a floor.

results.json: {"cold_import": {"<function folder>": {"import_s": median, "floor_s": median}}}
import_s is the median over fresh interpreters of importing functions/<folder>/app.py (which creates
its AWS clients at module level, as Lambda advises); floor_s, measured in the same run and
interleaved with it, is `import boto3` plus creating one DynamoDB client: what any DynamoDB-backed
function pays. The goal is import_s <= 1.3 x floor_s for every handler.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

SECTION = "cold_import"
RUNS = 7
GOAL_RATIO = 1.3
REPO_ROOT = Path(__file__).resolve().parents[1]

FLOOR = "import boto3\nboto3.client('dynamodb')"

# What Lambda gives a function: its name (powertools then behaves as in Lambda, tracer included),
# a region, credentials, and the template's environment (values do not matter for an import).
LAMBDA_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME": "benchmark",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    "LAMBDA_TASK_ROOT": str(REPO_ROOT),
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "benchmark",
    "AWS_SECRET_ACCESS_KEY": "benchmark",
    "POWERTOOLS_SERVICE_NAME": "faceid-billing",
    "POWERTOOLS_METRICS_NAMESPACE": "FaceIdBilling",
    "BILLING_TIME_ZONE": "Asia/Shanghai",
}


def handler_modules() -> list[str]:
    return sorted(path.parent.name for path in (REPO_ROOT / "functions").glob("*/app.py"))


def _time_in_fresh_interpreter(code: str) -> float:
    program = f"import time\nstarted = time.perf_counter()\n{code}\nprint(time.perf_counter() - started)"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("POWERTOOLS_", "AWS_"))}
    env.update(LAMBDA_ENVIRONMENT)
    output = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return float(output.strip().splitlines()[-1])


def run() -> dict[str, dict[str, float]]:
    folders = handler_modules()
    imports: dict[str, list[float]] = {folder: [] for folder in folders}
    floors: list[float] = []
    for _ in range(RUNS):
        floors.append(_time_in_fresh_interpreter(FLOOR))
        for folder in folders:
            imports[folder].append(_time_in_fresh_interpreter(f"import functions.{folder}.app"))
    floor = round(statistics.median(floors), 4)
    return {folder: {"import_s": round(statistics.median(times), 4), "floor_s": floor} for folder, times in
            imports.items()}


def table(section: dict[str, dict[str, float]]) -> str:
    lines = [f"{'function':<16}{'import_s':>10}{'floor_s':>10}{'ratio':>8}  goal <= {GOAL_RATIO}"]
    for folder, figures in sorted(section.items()):
        ratio = figures["import_s"] / figures["floor_s"]
        verdict = "ok" if ratio <= GOAL_RATIO else "OVER"
        lines.append(f"{folder:<16}{figures['import_s']:>10.3f}{figures['floor_s']:>10.3f}{ratio:>8.2f}  {verdict}")
    return "\n".join(lines)
