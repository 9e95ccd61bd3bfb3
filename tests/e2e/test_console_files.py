"""The local stack serves the console's files at /console/, as the template's distribution does, beside the API."""

from __future__ import annotations

import re

from tests.support import REPO_ROOT, HttpClient

CONSOLE = REPO_ROOT / "console"


def imported_modules(path: str = "app.js", seen: set[str] | None = None) -> set[str]:
    """Every module of the console that app.js imports, directly or through another module, relative to console/."""
    seen = set() if seen is None else seen
    seen.add(path)
    folder = (CONSOLE / path).parent
    for target in re.findall(r'\bfrom "(\.\.?/[^"]+)"', (CONSOLE / path).read_text(encoding="utf-8")):
        module = (folder / target).resolve().relative_to(CONSOLE.resolve()).as_posix()
        if module not in seen:
            imported_modules(module, seen)
    return seen


def test_the_console_is_served_at_console_with_its_modules_as_javascript(api: HttpClient):
    index = api.get("/console/")
    module = api.get("/console/views/packs.js")
    chart = api.get("/console/vendor/chart.js/chart.umd.min.js")

    assert index.status == 200 and index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<script type="module" src="app.js">' in index.body
    assert module.status == 200 and module.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert chart.status == 200 and chart.body.startswith(b"/*!\n * Chart.js v4.5.1")


def test_every_module_the_console_imports_is_served_as_javascript(api: HttpClient):
    modules = imported_modules()

    assert {"views/revenue.js", "views/reconciliation.js", "dates.js", "i18n/en.js"} <= modules
    for module in sorted(modules):
        answer = api.get(f"/console/{module}")
        assert answer.status == 200, module
        assert answer.headers["Content-Type"] == "text/javascript; charset=utf-8", module


def test_a_missing_file_or_a_path_out_of_the_console_is_a_404_in_the_error_shape(api: HttpClient):
    for path in ("/console/nothing.js", "/console/%2e%2e/template.yaml", "/console/../pyproject.toml"):
        answer = api.get(path)

        assert answer.status == 404, path
        assert answer.json()["error"]["code"] == "NOT_FOUND"


def test_the_api_is_still_served_beside_the_console(api: HttpClient):
    assert api.get("/v1/catalog").status == 200
