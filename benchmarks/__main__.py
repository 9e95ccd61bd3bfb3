"""Run every benchmark of this folder, print a table of each, and write benchmarks/results.json.

Sections of benchmarks that were not run keep their last figures, so a partial run (names given on
the command line) never erases another benchmark's results.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import benchmarks

RESULTS = Path(__file__).resolve().parent / "results.json"


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
    arguments = parser.parse_args(argv)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name, module in benchmark_modules():
        if arguments.names and name not in arguments.names:
            continue
        print(f"== {name}", flush=True)
        section = module.run()
        results[module.SECTION] = section
        print(module.table(section), flush=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
