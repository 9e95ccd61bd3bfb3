"""The template's static sites (a bucket behind CloudFront), served locally from this repository's files:
`/console/` answers `console/index.html`, every other file of the directory its own path, with its type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from infra.local.gateway import HttpRequest, HttpResponse, api_error, method_not_allowed

# An explicit table rather than the mimetypes module, whose answers depend on the machine's /etc/mime.types:
# a browser refuses an ES module served with any type but JavaScript's.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}
INDEX = "index.html"


@dataclass(frozen=True)
class StaticSite:
    url_path: str  # "/console/": the site's files are under it
    directory: Path

    def covers(self, path: str) -> bool:
        return path == self.url_path.rstrip("/") or path.startswith(self.url_path)

    def serve(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed(request.method, request.path, ["GET", "HEAD"])
        if request.path == self.url_path.rstrip("/"):
            # Relative URLs of index.html resolve against the directory only with its trailing slash.
            return HttpResponse(301, [("Location", self.url_path)], b"")
        found = self._file(unquote(request.path.removeprefix(self.url_path)))
        if found is None:
            return api_error(404, "NOT_FOUND", f"No file {request.path}.")
        content_type = CONTENT_TYPES.get(found.suffix.lower(), "application/octet-stream")
        headers = [("Content-Type", content_type), ("Cache-Control", "no-cache"),
                   ("X-Content-Type-Options", "nosniff")]
        return HttpResponse(200, headers, found.read_bytes())

    def _file(self, relative: str) -> Path | None:
        """The file a path names inside the directory; None for anything outside it, hidden, or absent."""
        if relative == "" or relative.endswith("/"):
            relative += INDEX
        parts = relative.split("/")
        if "\\" in relative or "\x00" in relative or any(part.startswith(".") or part == "" for part in parts):
            return None
        root = self.directory.resolve()
        candidate = root.joinpath(*parts).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate
