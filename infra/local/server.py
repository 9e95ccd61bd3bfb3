"""The local stack's HTTP server on 127.0.0.1: every request goes to LocalStack.handle."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from infra.local.gateway import HttpRequest, HttpResponse, api_error

# API Gateway refuses payloads over 10 MB before any function sees them.
MAX_BODY_BYTES = 10 * 1024 * 1024


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LocalHttpServer

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        declared = self.headers.get("Content-Length") or "0"
        if not (declared.isascii() and declared.isdigit()):
            self._send(api_error(400, "VALIDATION_ERROR", "Content-Length must be a number of bytes."))
            self.close_connection = True
            return
        length = int(declared)
        if length > MAX_BODY_BYTES:
            self._send(api_error(413, "PAYLOAD_TOO_LARGE", f"The body is over {MAX_BODY_BYTES} bytes."))
            self.close_connection = True
            return
        request = HttpRequest(
            method=self.command,
            path=url.path,
            query=parse_qsl(url.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=self.rfile.read(length) if length else b"",
            client_ip=self.client_address[0],
        )
        self._send(self.server.dispatch_request(request))

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        sent = {key.lower() for key, _ in response.headers}
        for key, value in response.headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        if "content-type" not in sent:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str):
        # BaseHTTPRequestHandler answers 501 for a method it finds no do_<METHOD> for: every method (TRACE, PROPFIND,
        # any token) goes to the stack instead, which answers 405 with Allow on a path that something answers and 404
        # on any other.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, handle: Callable[[HttpRequest], HttpResponse], verbose: bool):
        super().__init__((host, port), _RequestHandler)
        self.dispatch_request = handle
        self.verbose = verbose
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="local-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
