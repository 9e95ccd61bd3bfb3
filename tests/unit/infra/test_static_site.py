"""The template's static sites served locally: index documents, content types, 404s, no way out of the directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local.gateway import HttpRequest
from infra.local.static import StaticSite
from infra.local.template import StackTemplate, TemplateError, load_template

REPO_ROOT = Path(__file__).resolve().parents[3]


def request(path: str, method: str = "GET") -> HttpRequest:
    return HttpRequest(method=method, path=path, query=[], headers=[], body=b"", client_ip="127.0.0.1")


@pytest.fixture
def site(tmp_path: Path) -> StaticSite:
    root = tmp_path / "console"
    (root / "views").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html>")
    (root / "app.js").write_text("export {};")
    (root / "views" / "packs.js").write_text("export {};")
    (root / "styles.css").write_text("body {}")
    (root / ".secret").write_text("hidden")
    (tmp_path / "template.yaml").write_text("outside")
    return StaticSite("/console/", root)


def content_type(answer) -> str:
    return dict(answer.headers)["Content-Type"]


def test_the_site_path_answers_its_index_document(site):
    answer = site.serve(request("/console/"))

    assert answer.status == 200 and answer.body == b"<!doctype html>"
    assert content_type(answer) == "text/html; charset=utf-8"


def test_the_path_without_its_slash_is_redirected_so_relative_urls_resolve(site):
    answer = site.serve(request("/console"))

    assert answer.status == 301 and dict(answer.headers)["Location"] == "/console/"


@pytest.mark.parametrize(("path", "expected"), [
    ("/console/app.js", "text/javascript; charset=utf-8"),
    ("/console/views/packs.js", "text/javascript; charset=utf-8"),
    ("/console/styles.css", "text/css; charset=utf-8"),
])
def test_files_are_served_with_their_content_type(site, path, expected):
    answer = site.serve(request(path))

    assert answer.status == 200 and content_type(answer) == expected
    assert dict(answer.headers)["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/console/missing.js", "/console/../template.yaml", "/console/%2e%2e/template.yaml",
    "/console/views/../../template.yaml", "/console/.secret", "/console//app.js", "/console/views",
    "/console/views/", "/console/..%5ctemplate.yaml",
])
def test_anything_but_a_file_inside_the_directory_is_a_404_in_the_error_shape(site, path):
    answer = site.serve(request(path))

    assert answer.status == 404
    assert json.loads(answer.body)["error"]["code"] == "NOT_FOUND"


def test_only_reads_are_served(site):
    answer = site.serve(request("/console/app.js", "POST"))

    assert answer.status == 405 and json.loads(answer.body)["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_a_site_covers_its_path_and_nothing_beside_it(site):
    assert site.covers("/console") and site.covers("/console/") and site.covers("/console/app.js")
    assert not site.covers("/consoles") and not site.covers("/v1/console/")


def test_the_template_declares_the_console_as_a_static_site_of_this_repository():
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))

    (console,) = template.static_sites()

    assert (console.logical_id, console.url_path) == ("ConsoleBucket", "/console/")
    assert console.directory == REPO_ROOT / "console" and (console.directory / "index.html").is_file()


def test_a_static_site_without_a_path_is_refused(tmp_path):
    document = {"Resources": {"Files": {"Type": "AWS::S3::Bucket", "Metadata": {"StaticSite": {"Source": "x"}}}}}

    with pytest.raises(TemplateError):
        StackTemplate(tmp_path / "template.yaml", document).static_sites()
