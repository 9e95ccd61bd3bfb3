"""Cold start: how long a fresh interpreter takes to import each handler module, against a floor.

results.json: {"cold_import": {"<function folder>": {"import_s": median, "floor_s": median}}}
import_s is the median over fresh interpreters of importing functions/<folder>/app.py (which creates
its AWS clients at module level, as Lambda advises); floor_s, measured in the same run and
interleaved with it, is `import boto3` plus creating one DynamoDB client: what any DynamoDB-backed
function pays. The goal is import_s <= 1.3 x floor_s for every handler.

In Lambda a handler imports with the garbage collector paused (functions/__init__.py); the floor does not,
as the goal defines it (plain `import boto3` and one client): 7-9 % of the floor is collections during
boto3's own import, which a handler no longer pays.

Handlers that answer HTTP through powertools' event handler (its OpenAPI validation is the API contract's
check) also get "http_floor_s": the floor plus Logger, Metrics, the resolver with validation and pydantic's
BaseModel, imported as a handler imports them (collector paused), which such a handler cannot do without;
import_s - http_floor_s is what its own code costs.

Our modules are compiled first, as the deployed functions run them (bytecode; see benchmarks/bytecode.py for
what a zip without it costs).

run(quick=True) (`make bench QUICK=1`) times one interpreter of each instead of the median of 7.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
from pathlib import Path

SECTION = "cold_import"
RUNS = 7
QUICK_RUNS = 1
GOAL_RATIO = 1.3
REPO_ROOT = Path(__file__).resolve().parents[1]

FLOOR = "import boto3\nboto3.client('dynamodb')"
HTTP_FLOOR = "import gc\ngc.disable()\n" + FLOOR + """
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel
Logger()
Metrics()
APIGatewayRestResolver(enable_validation=True)
gc.enable()
"""

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


def http_handlers() -> set[str]:
    return {folder for folder in handler_modules()
            if "api_resolver" in (REPO_ROOT / "functions" / folder / "app.py").read_text()}


def _compile_our_modules() -> None:
    # The deployed functions run bytecode (make package compiles them). Without this, whether our modules were
    # compiled on each import depended on the machine: PYTHONDONTWRITEBYTECODE, or a tree nothing had imported
    # yet, made every figure carry the compilation of 40-95 of our modules, which the floor never pays.
    for package in ("functions", "shared"):
        compileall.compile_dir(REPO_ROOT / package, quiet=1)


def run(quick: bool = False) -> dict[str, dict[str, float]]:
    _compile_our_modules()
    folders = handler_modules()
    imports: dict[str, list[float]] = {folder: [] for folder in folders}
    floors: list[float] = []
    http_floors: list[float] = []
    for _ in range(QUICK_RUNS if quick else RUNS):
        floors.append(_time_in_fresh_interpreter(FLOOR))
        http_floors.append(_time_in_fresh_interpreter(HTTP_FLOOR))
        for folder in folders:
            imports[folder].append(_time_in_fresh_interpreter(f"import functions.{folder}.app"))
    floor = round(statistics.median(floors), 4)
    http_floor = round(statistics.median(http_floors), 4)
    section = {folder: {"import_s": round(statistics.median(times), 4), "floor_s": floor}
               for folder, times in imports.items()}
    for folder in http_handlers():
        section[folder]["http_floor_s"] = http_floor
    return section


def table(section: dict[str, dict[str, float]]) -> str:
    lines = [f"{'function':<22}{'import_s':>10}{'floor_s':>10}{'ratio':>8}  goal <= {GOAL_RATIO}"]
    for folder, figures in sorted(section.items()):
        ratio = figures["import_s"] / figures["floor_s"]
        verdict = "ok" if ratio <= GOAL_RATIO else "OVER"
        if "http_floor_s" in figures:
            verdict += f" (http floor {figures['http_floor_s'] / figures['floor_s']:.2f})"
        lines.append(f"{folder:<22}{figures['import_s']:>10.3f}{figures['floor_s']:>10.3f}{ratio:>8.2f}  {verdict}")
    return "\n".join(lines)
