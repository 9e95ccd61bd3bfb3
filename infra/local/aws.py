"""The embedded AWS emulator: moto's server on a loopback port, inside the local stack's process.

Functions reach it through AWS_ENDPOINT_URL, exactly as they reach AWS in Lambda: no code of theirs
knows it is local. A small WSGI layer records every SNS Publish and SES SendRawEmail the emulator
accepted, which is how the local stack shows what the system sent to customers (/_local/outbox), and
counts the requests that may give a poller work, so the stack drains its event sources only when
something was written.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from infra.local.moto_fixes import serialize_stream_appends
from shared.services.notice_senders import ACCOUNT_HEADER, NOTICE_TYPE_HEADER

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class Publication:
    """One SNS Publish (to a topic or a phone number) or SES e-mail (to an address) the emulator accepted."""

    at: datetime
    topic_arn: str | None
    phone_number: str | None
    subject: str | None
    message: str
    attributes: dict[str, str]
    email_address: str | None = None


# Requests that can put a record on a stream or a message on a queue. Deleting a received message
# (what the pollers themselves do) gives no one work, so it is not counted.
_WRITE_PREFIXES = ("Put", "Update", "Delete", "TransactWrite", "BatchWrite", "Send", "Publish")
_NOT_WORK = ("DeleteMessage", "DeleteMessageBatch")


def _is_write(action: str) -> bool:
    return action.startswith(_WRITE_PREFIXES) and action not in _NOT_WORK


def _publish_request(form: dict[str, list[str]]) -> dict[str, Any] | None:
    def first(name: str) -> str | None:
        values = form.get(name)
        return values[0] if values else None

    if first("Action") == "SendRawEmail":
        return _raw_email(first("RawMessage.Data") or "", first("Destinations.member.1"))
    if first("Action") != "Publish":
        return None
    attributes = {}
    index = 1
    while first(f"MessageAttributes.entry.{index}.Name") is not None:
        name = first(f"MessageAttributes.entry.{index}.Name")
        attributes[name] = first(f"MessageAttributes.entry.{index}.Value.StringValue") or ""
        index += 1
    return {
        "topic_arn": first("TopicArn") or first("TargetArn"),
        "phone_number": first("PhoneNumber"),
        "subject": first("Subject"),
        "message": first("Message") or "",
        "attributes": attributes,
    }


def _raw_email(data: str, destination: str | None) -> dict[str, Any]:
    """An e-mail as its reader sees it: subject, plain text, and the account and notice type of its headers."""
    message = email.message_from_bytes(base64.b64decode(data), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    headers = {"account_id": message.get(ACCOUNT_HEADER), "notice_type": message.get(NOTICE_TYPE_HEADER)}
    return {
        "topic_arn": None,
        "phone_number": None,
        "email_address": destination or str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "message": body.get_content() if body is not None else "",
        "attributes": {name: str(value) for name, value in headers.items() if value is not None},
    }


class _PublishRecorder:
    """WSGI middleware: passes every request to moto, records the SNS publishes and SES e-mails it
    accepted, and reports each request that may write (before moto applies it)."""

    def __init__(self, app: Callable, record: Callable[[dict[str, Any]], None], wrote: Callable[[], None]):
        self._app = app
        self._record = record
        self._wrote = wrote

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target and _is_write(target.rsplit(".", 1)[-1]):
            self._wrote()
        content_type = environ.get("CONTENT_TYPE", "")
        if environ.get("REQUEST_METHOD") != "POST" or "x-www-form-urlencoded" not in content_type:
            return self._app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        if _is_write((form.get("Action") or [""])[0]):
            self._wrote()
        publish = _publish_request(form)
        if publish is None:
            return self._app(environ, start_response)

        def start_and_record(status: str, headers: list, exc_info: Any = None) -> Callable:
            if status.startswith("200"):
                self._record(publish)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self._app(environ, start_and_record)


class EmbeddedAws:
    """moto's threaded server with the publish recorder, on 127.0.0.1."""

    def __init__(self, now: Callable[[], datetime], *, port: int = 0):
        self._now = now
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.publications: list[Publication] = []
        self.writes = 0  # requests that may have given an event source work, ever

    def _count_write(self) -> None:
        with self._lock:
            self.writes += 1

    def _record(self, publish: dict[str, Any]) -> None:
        with self._lock:
            self.publications.append(Publication(at=self._now(), **publish))

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        serialize_stream_appends()
        app = _PublishRecorder(DomainDispatcherApplication(create_backend_app), self._record, self._count_write)
        self._server = make_server("127.0.0.1", self._port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def endpoint_url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def client_environment(self) -> dict[str, str]:
        """What every function's process sees, so that boto3 talks to the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": LOCAL_REGION,
            "AWS_REGION": LOCAL_REGION,
        }

    def client(self, service: str) -> Any:
        env = self.client_environment()
        return boto3.client(
            service,
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=LOCAL_REGION,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
