"""Cold start: how long a fresh interpreter takes to import each handler module, against a floor.

results.json: {"cold_import": {"<function folder>": {"import_s": median, "floor_s": median}}}
import_s is the median over fresh interpreters of importing functions/<folder>/app.py (which creates
its AWS clients at module level, as Lambda advises); floor_s, measured in the same run and
interleaved with it, is `import boto3` plus creating one DynamoDB client: what any DynamoDB-backed
function pays. The goal is import_s <= 1.3 x floor_s for every handler that answers no HTTP.

In Lambda a handler imports with the garbage collector paused (functions/__init__.py); the floor does not,
as the goal defines it (plain `import boto3` and one client): 7-9 % of the floor is collections during
boto3's own import, which a handler no longer pays.

Handlers that answer HTTP through powertools' event handler (its OpenAPI validation is the API contract's
check) also get "http_floor_s": the floor plus Logger, Metrics, the resolver with validation and pydantic's
BaseModel, imported as a handler imports them (collector paused), which such a handler cannot do without;
import_s - http_floor_s is what its own code costs. Their goal is import_s <= 1.2 x http_floor_s. Two of them
leave work to their first request, which these figures do not see: `api` imports a route group when a request
first needs it (functions/api/app.py), so its import_s is the resolver's and its client's, each group's import
(0.1-0.2 x http_floor_s) falling on the group's first request; `refunds` builds its DynamoDB client on its
first request, which the floor counts (a third of floor_s).

Every figure, the floors' included, imports from one copy of what `make package` ships, compiled as it
compiles it: make package's own staging (functions/ and shared/ only) with the files of the runtime
requirements as .venv holds them, then `infra.package`'s unchecked-hash bytecode for every module, imported
with no site-packages of .venv on the path (-S) and no bytecode written (-B). So no figure depends on the
working tree's __pycache__ (whether anything compiled it yet, with which invalidation mode, under
PYTHONDONTWRITEBYTECODE): a clean clone measures what a used checkout does. benchmarks/bytecode.py times the
same copy before it is compiled, which is what a zip without bytecode costs.

run(quick=True) (`make bench QUICK=1`) times one interpreter of each instead of the median of 7.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from infra.dependencies import read_lock, runtime_requirements
from infra.package import compile_bytecode, stage

SECTION = "cold_import"
RUNS = 7
QUICK_RUNS = 1
GOAL_RATIO = 1.3
HTTP_GOAL_RATIO = 1.2
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


def http_handlers() -> set[str]:
    return {folder for folder in handler_modules()
            if "api_resolver" in (REPO_ROOT / "functions" / folder / "app.py").read_text()}


def copy_of_the_package(destination: Path) -> Path:
    """`make package`'s staging, with the runtime requirements' files from .venv where sam build installs them
    (the x86 build of the locked versions; the deployed zip holds their arm64 wheels); no bytecode yet. The
    directory of the functions' code, which Lambda puts first on sys.path."""
    stage(destination)
    function_dir = destination / "src"
    for pin in runtime_requirements(read_lock()):
        distribution = metadata.distribution(pin.split("==")[0])
        for file in distribution.files or ():
            if "__pycache__" in file.parts or file.suffix == ".pyc" or str(file).startswith(".."):
                continue
            target = function_dir / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(distribution.locate_file(file), target)
    return function_dir


def time_import(function_dir: Path, code: str) -> float:
    """Seconds `code` takes in a fresh interpreter that imports only from `function_dir` and the standard
    library, with Lambda's environment, writing no bytecode."""
    program = (f"import sys\nsys.path.insert(0, {str(function_dir)!r})\nimport time\nstarted = time.perf_counter()\n"
               f"{code}\nprint(time.perf_counter() - started)")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("POWERTOOLS_", "AWS_", "PYTHON"))}
    env.update(LAMBDA_ENVIRONMENT, LAMBDA_TASK_ROOT=str(function_dir))
    output = subprocess.run([sys.executable, "-S", "-B", "-c", program], cwd=function_dir, env=env, check=True,
                            capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def run(quick: bool = False) -> dict[str, dict[str, float]]:
    folders = handler_modules()
    imports: dict[str, list[float]] = {folder: [] for folder in folders}
    floors: list[float] = []
    http_floors: list[float] = []
    with tempfile.TemporaryDirectory(prefix="cold-import-") as directory:
        build_dir = Path(directory) / "package"
        function_dir = copy_of_the_package(build_dir)
        compile_bytecode(build_dir)
        for _ in range(QUICK_RUNS if quick else RUNS):
            floors.append(time_import(function_dir, FLOOR))
            http_floors.append(time_import(function_dir, HTTP_FLOOR))
            for folder in folders:
                imports[folder].append(time_import(function_dir, f"import functions.{folder}.app"))
    floor = round(statistics.median(floors), 4)
    http_floor = round(statistics.median(http_floors), 4)
    section = {folder: {"import_s": round(statistics.median(times), 4), "floor_s": floor}
               for folder, times in imports.items()}
    for folder in http_handlers():
        section[folder]["http_floor_s"] = http_floor
    return section


def table(section: dict[str, dict[str, float]]) -> str:
    lines = [f"{'function':<26}{'import_s':>9}{'floor_s':>9}{'ratio':>7}{'http_floor_s':>14}{'ratio':>7}  "
             f"goal: <= {GOAL_RATIO} x floor, HTTP <= {HTTP_GOAL_RATIO} x http floor"]
    for folder, figures in sorted(section.items()):
        ratio = figures["import_s"] / figures["floor_s"]
        row = f"{folder:<26}{figures['import_s']:>9.3f}{figures['floor_s']:>9.3f}{ratio:>7.2f}"
        if "http_floor_s" in figures:
            http_ratio = figures["import_s"] / figures["http_floor_s"]
            verdict = "ok" if http_ratio <= HTTP_GOAL_RATIO else "OVER"
            row += f"{figures['http_floor_s']:>14.3f}{http_ratio:>7.2f}  {verdict}"
        else:
            row += f"{'':>14}{'':>7}  {'ok' if ratio <= GOAL_RATIO else 'OVER'}"
        lines.append(row)
    return "\n".join(lines)
