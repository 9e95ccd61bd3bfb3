"""Stage what `sam build` packages: the functions' code, their pinned requirements, and template.yaml.

template.yaml's Globals give every function `CodeUri: .` (the repository root, which the local stack and
the tests import from). Built from there, each function's zip would carry tests/, console/, benchmarks/ and
whatever else lies in the working tree, so `make package` builds from a staging directory instead:

    <stage>/template.yaml         template.yaml with the one CodeUri pointed at src
    <stage>/src/functions/, src/shared/    the handlers and everything they import
    <stage>/src/requirements.txt  the runtime closure of pyproject.toml's dependencies, pinned to requirements.lock

    python -m infra.package stage build/package
    python -m infra.package compile build/package/.aws-sam/build   bytecode for every module of every function
    python -m infra.package verify build/package/.aws-sam/build    each built function bundles the locked versions

`sam build` ships sources only, and Lambda's /var/task is read-only: without bytecode in the zip, every cold
start compiles boto3, botocore, pydantic, powertools and our own modules again before the handler runs
(hundreds of ms; README, Benchmarks). `compile` writes it with Lambda's Python, as unchecked-hash .pyc files,
which the import system trusts without comparing them with the sources' modification times (a zip keeps
those only to 2 s).
"""

from __future__ import annotations

import compileall
import py_compile
import shutil
import sys
from importlib.util import cache_from_source
from pathlib import Path

from packaging.utils import canonicalize_name

from infra.dependencies import read_lock, runtime_requirements
from infra.local.template import load_template

REPO_ROOT = Path(__file__).resolve().parents[1]
CODE_PACKAGES = ("functions", "shared")
GLOBAL_CODE_URI = "    CodeUri: .\n"


def staged_template(template: str) -> str:
    if template.count(GLOBAL_CODE_URI) != 1 or template.count("CodeUri:") != 1:
        raise SystemExit("template.yaml should have exactly one CodeUri, `CodeUri: .` in Globals.Function")
    return template.replace(GLOBAL_CODE_URI, "    CodeUri: src\n")


def stage(destination: Path) -> None:
    if destination.exists():
        shutil.rmtree(destination)
    source = destination / "src"
    for package in CODE_PACKAGES:
        shutil.copytree(REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    requirements = runtime_requirements(read_lock())
    (source / "requirements.txt").write_text("".join(f"{line}\n" for line in requirements))
    (destination / "template.yaml").write_text(staged_template((REPO_ROOT / "template.yaml").read_text()))
    print(f"staged {destination}: {', '.join(CODE_PACKAGES)} and {len(requirements)} pinned requirements")


def lambda_python(template_path: Path) -> tuple[int, int]:
    """The Python version of the functions' `Runtime: python3.X` (Globals; no function sets its own)."""
    template = load_template(template_path)
    runtime = template["Globals"]["Function"]["Runtime"]
    own = [name for name, resource in template["Resources"].items()
           if resource["Type"] == "AWS::Serverless::Function" and "Runtime" in resource.get("Properties", {})]
    if own or not runtime.startswith("python3."):
        raise SystemExit("template.yaml should give every function one Runtime: python3.X, in Globals")
    return 3, int(runtime.removeprefix("python3."))


def compile_bytecode(build_dir: Path) -> int:
    """Compiles every module of every built function; the number of modules compiled."""
    runtime = lambda_python(build_dir / "template.yaml")
    if sys.version_info[:2] != runtime:
        raise SystemExit(f"compile with Python {runtime[0]}.{runtime[1]}, Lambda's runtime: the bytecode of another "
                         f"version would be ignored")
    functions = sorted(path for path in build_dir.iterdir() if path.is_dir())
    for function_dir in functions:
        if not compileall.compile_dir(function_dir, quiet=1, workers=0,
                                      invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH):
            raise SystemExit(f"{function_dir.name}: some modules do not compile")
    return sum(1 for function_dir in functions for _ in function_dir.rglob("*.py"))


def modules_without_bytecode(function_dir: Path) -> list[Path]:
    return sorted(path for path in function_dir.rglob("*.py") if not Path(cache_from_source(path)).exists())


def bundled_versions(function_dir: Path) -> dict[str, str]:
    """{canonical name: version} of the distributions pip installed into one built function."""
    found = {}
    for info in function_dir.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[canonicalize_name(name)] = version
    return found


def verify(build_dir: Path) -> list[str]:
    """Each built function against requirements.lock: one line per function that differs (none when sound)."""
    expected = dict(line.split("==") for line in runtime_requirements(read_lock()))
    problems = []
    functions = sorted(path for path in build_dir.iterdir() if path.is_dir())
    if not functions:
        problems.append(f"{build_dir} holds no built function")
    for function_dir in functions:
        bundled = bundled_versions(function_dir)
        if bundled != expected:
            differing = sorted(name for name in set(bundled) | set(expected) if bundled.get(name) != expected.get(name))
            problems.append(f"{function_dir.name}: differs from requirements.lock in {', '.join(differing)}")
        stray = sorted(path.name for path in function_dir.iterdir() if path.name in ("tests", "console", "infra"))
        if stray:
            problems.append(f"{function_dir.name}: bundles {', '.join(stray)}")
        uncompiled = modules_without_bytecode(function_dir)
        if uncompiled:
            problems.append(f"{function_dir.name}: {len(uncompiled)} modules without bytecode, "
                            f"{uncompiled[0].relative_to(function_dir)} first")
    return problems


def main(argv: list[str]) -> int:
    command, directory = argv
    if command == "stage":
        stage(Path(directory).resolve())
        return 0
    if command == "compile":
        print(f"compiled the {compile_bytecode(Path(directory))} modules of {directory}")
        return 0
    problems = verify(Path(directory))
    for line in problems:
        print(line)
    if not problems:
        print(f"every function in {directory} bundles exactly the locked runtime requirements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
