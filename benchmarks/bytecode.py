"""Cold start of the deployed zip with and without bytecode (`make package` compiles it: infra/package.py).

results.json: {"bytecode": {"<function folder>" or "floor": {"without_bytecode_s": median, "with_bytecode_s": median}}}

Lambda's /var/task is read-only, so a zip without .pyc files is compiled again on every cold start. Each figure
imports one handler (or the floor of benchmarks/cold_import: boto3 and one DynamoDB client) in a fresh
interpreter from a copy of what `make package` bundles: functions/, shared/ and the files of the runtime
requirements as .venv holds them (the x86 build of the locked versions; the deployed zip holds their arm64
wheels). without_bytecode_s: no .pyc anywhere in the copy, none written (-B), as Lambda runs a zip of sources;
with_bytecode_s: after compiling it as `make package` does. The standard library has its bytecode either way,
as it has in Lambda's runtime. cold_import's figures are the same copy's, with bytecode.

run(quick=True) (`make bench QUICK=1`) times one interpreter of each instead of the median of 3.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.cold_import import FLOOR, copy_of_the_package, handler_modules, time_import
from infra.package import compile_bytecode

SECTION = "bytecode"
RUNS = 3
QUICK_RUNS = 1


def _medians(function_dir: Path, programs: dict[str, str], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(runs):
        for name, code in programs.items():
            times[name].append(time_import(function_dir, code))
    return {name: round(statistics.median(values), 4) for name, values in times.items()}


def run(quick: bool = False) -> dict[str, dict[str, float]]:
    runs = QUICK_RUNS if quick else RUNS
    programs = {"floor": FLOOR, **{folder: f"import functions.{folder}.app" for folder in handler_modules()}}
    with tempfile.TemporaryDirectory(prefix="bytecode-bench-") as directory:
        build_dir = Path(directory) / "package"
        function_dir = copy_of_the_package(build_dir)
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
