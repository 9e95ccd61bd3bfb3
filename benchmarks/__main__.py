"""Run every benchmark of this folder, print a table of each, and write benchmarks/results.json.

Sections of benchmarks that were not run keep their last figures, so a partial run (names given on
the command line) never erases another benchmark's results. A benchmark that fails is reported, the others
still run, and the exit status is 1.

--quick (`make bench QUICK=1`, as CI runs it) runs each benchmark with its small sizes (each module's
docstring says which): a check that every one still runs, whose figures are not to be compared. They go to
build/bench-quick.json, never to results.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import traceback
from pathlib import Path

import benchmarks

RESULTS = Path(__file__).resolve().parent / "results.json"
QUICK_RESULTS = Path(__file__).resolve().parents[1] / "build" / "bench-quick.json"


def benchmark_modules():
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda info: info.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        if hasattr(module, "SECTION") and hasattr(module, "run"):
            yield info.name, module


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, written to build/bench-quick.json")
    arguments = parser.parse_args(argv)
    modules = dict(benchmark_modules())
    unknown = sorted(set(arguments.names) - modules.keys())
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)} (there are {', '.join(modules)})")
    if arguments.quick:
        output, results = QUICK_RESULTS, {}
    else:
        output, results = RESULTS, json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    failed = []
    for name, module in modules.items():
        if arguments.names and name not in arguments.names:
            continue
        print(f"== {name}", flush=True)
        try:
            section = module.run(quick=arguments.quick)
            print(module.table(section), flush=True)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        else:
            results[module.SECTION] = section
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {output}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
