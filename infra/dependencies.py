"""requirements.lock: the exact versions the tests run on and the deployed functions are built with.

The lock holds every distribution that pyproject.toml's requirements (the dev extra included) pull in, at
the version installed in .venv. `make` installs .venv with it as pip constraints, and `make package` pins
the functions' runtime requirements (the closure of [project] dependencies, on Lambda's arm64 Linux) to it,
so what `sam build` bundles is what the tests ran against.

    python -m infra.dependencies lock     write requirements.lock from .venv (after changing pyproject.toml)
    python -m infra.dependencies check    exit 1 if .venv and the lock disagree
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCK = REPO_ROOT / "requirements.lock"
HEADER = "# Written by `make lock` (python -m infra.dependencies lock) from .venv; read by make and make package.\n"

# Markers as Lambda's python3.11 arm64 runtime evaluates them (template.yaml's Runtime and Architectures).
LAMBDA_MARKERS = {
    "implementation_name": "cpython", "platform_python_implementation": "CPython", "os_name": "posix",
    "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64",
    "python_version": "3.11", "python_full_version": "3.11.0",
}


def project_requirements(*, dev: bool) -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"]) + (list(project["optional-dependencies"]["dev"]) if dev else [])
    return [Requirement(name) for name in names]


def _applies(marker: Marker | None, extra: str, environment: Mapping[str, str] | None) -> bool:
    if marker is None:
        return True
    return marker.evaluate({**(environment or {}), "extra": extra})


def closure(roots: Iterable[Requirement], environment: Mapping[str, str] | None = None) -> dict[str, str]:
    """{canonical name: installed version} of `roots` and everything they need, read from installed metadata."""
    found: dict[str, str] = {}
    pending = [(requirement, "") for requirement in roots]
    expanded: set[tuple[str, str]] = set()
    while pending:
        requirement, extra_of_parent = pending.pop()
        if not _applies(requirement.marker, extra_of_parent, environment):
            continue
        name = canonicalize_name(requirement.name)
        distribution = metadata.distribution(name)
        found[name] = distribution.version
        for extra in ("", *sorted(requirement.extras)):
            if (name, extra) in expanded:
                continue
            expanded.add((name, extra))
            pending.extend((Requirement(line), extra) for line in distribution.requires or ())
    return found


def read_lock(path: Path = LOCK) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def installed_pins() -> dict[str, str]:
    return closure(project_requirements(dev=True))


def write_lock(path: Path = LOCK) -> None:
    pins = installed_pins()
    path.write_text(HEADER + "".join(f"{name}=={pins[name]}\n" for name in sorted(pins)))


def lock_differences(installed: Mapping[str, str], locked: Mapping[str, str]) -> list[str]:
    """What a fresh `make` install would get differently from this .venv, one line per distribution."""
    lines = []
    for name in sorted(set(installed) | set(locked)):
        if installed.get(name) != locked.get(name):
            lines.append(f"{name}: installed {installed.get(name, '-')}, locked {locked.get(name, '-')}")
    return lines


def runtime_requirements(locked: Mapping[str, str]) -> list[str]:
    """The functions' requirements.txt: the runtime closure on Lambda, each pinned to the lock."""
    needed = closure(project_requirements(dev=False), LAMBDA_MARKERS)
    missing = sorted(name for name in needed if name not in locked)
    if missing:
        raise SystemExit(f"requirements.lock lacks {', '.join(missing)}: run `make lock`")
    return [f"{name}=={locked[name]}" for name in sorted(needed)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "lock":
        write_lock()
        print(f"wrote {LOCK.name}: {len(read_lock())} pins")
        return 0
    if command == "check":
        differences = lock_differences(installed_pins(), read_lock())
        for line in differences:
            print(line)
        if differences:
            print("requirements.lock does not match .venv: `make lock` after a deliberate change, else reinstall")
        return 1 if differences else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
