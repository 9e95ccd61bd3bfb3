"""A customer's webhook endpoint on loopback, for the tests and the benchmark: it verifies each delivery with the
Standard Webhooks specification's own library (`standardwebhooks`), as a receiver would, and answers as told.

The library checks a delivery's timestamp against the receiver's clock (within 5 minutes); on a local stack whose
clock was moved, the receiver's clock is that one (`clock=`), as if it lived in the same simulated time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import standardwebhooks.webhooks as standard
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

_library_clock = threading.Lock()  # the library reads datetime.now(): one verification at a time moves it


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    error: str | None
    status: int  # what the receiver answered

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def timestamp(self) -> datetime:
        return datetime.fromtimestamp(int(self.headers["webhook-timestamp"]), UTC)


def _account_of(item: Received) -> str | None:
    try:
        return item.payload.get("account_id")
    except ValueError:
        return None


@dataclass
class Answer:
    """How the receiver answers one delivery: a status, after `delay_s`, with a Location for a redirect."""

    status: int = 204
    delay_s: float = 0.0
    location: str | None = None


class WebhookReceiver:
    def __init__(self, secrets: list[str] | None = None, *, clock: Callable[[], datetime] | None = None,
                 answers: list[Answer] | None = None, default: Answer | None = None):
        self.secrets = list(secrets or [])
        self._clock = clock
        self._answers = list(answers or [])
        self.default = default or Answer()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/billing"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer_next(self, *answers: Answer) -> None:
        with self._lock:
            self._answers.extend(answers)

    def wait_for(self, count: int, timeout_s: float = 10.0, *, account_id: str | None = None) -> list[Received]:
        """What was received once there are `count` deliveries (of the account's events, if given), or the timeout
        passed. On a shared stack, a port this receiver reuses may still be some old webhook's URL: filter."""
        deadline = time.monotonic() + timeout_s
        while len(found := self._of(account_id)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return found

    def _of(self, account_id: str | None) -> list[Received]:
        return [item for item in list(self.received)
                if account_id is None or _account_of(item) == account_id]

    def verify(self, headers: dict[str, str], body: bytes) -> str | None:
        """Why the delivery does not verify against any of the receiver's secrets (None: it does)."""
        if not self.secrets:
            return "the receiver holds no secret"
        errors = []
        with self._receiver_time():
            for secret in self.secrets:
                try:
                    Webhook(secret).verify(body, headers)
                    return None
                except WebhookVerificationError as error:
                    errors.append(str(error))
        return "; ".join(errors)

    @contextmanager
    def _receiver_time(self) -> Iterator[None]:
        if self._clock is None:
            yield
            return
        clock = self._clock

        class ReceiverTime(datetime):
            @classmethod
            def now(cls, tz=None):  # type: ignore[override]
                return clock().astimezone(tz)

        with _library_clock:
            original, standard.datetime = standard.datetime, ReceiverTime
            try:
                yield
            finally:
                standard.datetime = original

    def _next_answer(self) -> Answer:
        with self._lock:
            return self._answers.pop(0) if self._answers else self.default

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                error = receiver.verify(headers, body)
                answer = receiver._next_answer()
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                with receiver._lock:
                    receiver.received.append(Received(headers, body, error is None, error, answer.status))
                self.send_response(answer.status)
                if answer.location:
                    self.send_header("Location", answer.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler
