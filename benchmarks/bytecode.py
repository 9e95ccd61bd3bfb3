"""Cold start of the deployed zip with and without bytecode (`make package` compiles it: infra/package.py).

results.json: {"bytecode": {"<function folder>" or "floor": {"without_bytecode_s": median, "with_bytecode_s": median}}}

Lambda's /var/task is read-only, so a zip without .pyc files is compiled again on every cold start. Each figure
imports one handler (or the floor of benchmarks/cold_import: boto3 and one DynamoDB client) in a fresh
interpreter from a copy of what `make package` bundles: functions/, shared/ and the files of the runtime
requirements as .venv holds them (the x86 build of the locked versions; the deployed zip holds their arm64
wheels). without_bytecode_s: no .pyc anywhere in the copy, none written (-B), as Lambda runs a zip of sources;
with_bytecode_s: after compiling it as `make package` does. The standard library has its bytecode either way,
as it has in Lambda's runtime. cold_import's own figures are with bytecode.

run(quick=True) (`make bench QUICK=1`) times one interpreter of each instead of the median of 3.
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

from benchmarks.cold_import import FLOOR, LAMBDA_ENVIRONMENT, handler_modules
from infra.dependencies import read_lock, runtime_requirements
from infra.package import compile_bytecode, stage

SECTION = "bytecode"
RUNS = 3
QUICK_RUNS = 1


def _copy_of_the_package(destination: Path) -> Path:
    """`make package`'s staging, with the runtime requirements' files from .venv where sam build installs them."""
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


def _time_import(function_dir: Path, code: str) -> float:
    program = (f"import sys\nsys.path.insert(0, {str(function_dir)!r})\nimport time\nstarted = time.perf_counter()\n"
               f"{code}\nprint(time.perf_counter() - started)")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("POWERTOOLS_", "AWS_", "PYTHON"))}
    env.update(LAMBDA_ENVIRONMENT, LAMBDA_TASK_ROOT=str(function_dir))
    output = subprocess.run([sys.executable, "-S", "-B", "-c", program], cwd=function_dir, env=env, check=True,
                            capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def _medians(function_dir: Path, programs: dict[str, str], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(runs):
        for name, code in programs.items():
            times[name].append(_time_import(function_dir, code))
    return {name: round(statistics.median(values), 4) for name, values in times.items()}


def run(quick: bool = False) -> dict[str, dict[str, float]]:
    runs = QUICK_RUNS if quick else RUNS
    programs = {"floor": FLOOR, **{folder: f"import functions.{folder}.app" for folder in handler_modules()}}
    with tempfile.TemporaryDirectory(prefix="bytecode-bench-") as directory:
        build_dir = Path(directory) / "package"
        function_dir = _copy_of_the_package(build_dir)
        without = _medians(function_dir, programs, runs)
        compile_bytecode(build_dir)
        with_bytecode = _medians(function_dir, programs, runs)
    return {name: {"without_bytecode_s": without[name], "with_bytecode_s": with_bytecode[name]} for name in programs}


def table(section: dict[str, dict[str, float]]) -> str:
    lines = [f"{'function':<22}{'without':>10}{'with':>10}{'saved':>8}"]
    for name, figures in sorted(section.items(), key=lambda item: (item[0] != "floor", item[0])):
        without, with_bytecode = figures["without_bytecode_s"], figures["with_bytecode_s"]
        lines.append(f"{name:<22}{without:>10.3f}{with_bytecode:>10.3f}{without - with_bytecode:>8.3f}")
    return "\n".join(lines)
