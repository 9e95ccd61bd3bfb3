"""A delivery over https connects to the address it checked, yet verifies the certificate of the name and sends it
as SNI: a receiver on loopback with a certificate for `localhost` (trusted here alone) gets the delivery, and one
whose certificate names another host fails the attempt without a body being sent."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.services.webhook_sender import WebhookSender
from shared.webhooks.targets import TargetPolicy


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TlsReceiver:
    def __init__(self, cert_path: Path, key_path: Path):
        self.bodies: list[bytes] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        context.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]


@pytest.fixture
def localhost_certificate(tmp_path: Path) -> tuple[Path, Path]:
    return _certificate(tmp_path, "localhost")


@pytest.fixture
def receiver(localhost_certificate) -> Iterator[TlsReceiver]:
    receiver = TlsReceiver(*localhost_certificate)
    yield receiver
    receiver.server.shutdown()


def test_https_to_a_name_connects_to_its_checked_address_with_the_names_certificate_and_sni(receiver,
                                                                                            localhost_certificate):
    sender = WebhookSender(TargetPolicy.LOOPBACK, ca_certs=str(localhost_certificate[0]))

    outcome = sender.post(f"https://localhost:{receiver.port}/hook", '{"event_id": "e1"}', {"webhook-id": "e1"})

    assert (outcome.delivered, outcome.status_code) == (True, 204)
    assert receiver.bodies == [b'{"event_id": "e1"}'] and receiver.server_names == ["localhost"]


def test_a_certificate_for_another_name_fails_the_attempt_unsent(tmp_path):
    other_certificate = _certificate(tmp_path, "other.example")
    other = TlsReceiver(*other_certificate)
    try:  # trusted, but for another name than the URL's
        sender = WebhookSender(TargetPolicy.LOOPBACK, ca_certs=str(other_certificate[0]))
        outcome = sender.post(f"https://localhost:{other.port}/hook", "{}", {})
    finally:
        other.server.shutdown()
    assert not outcome.delivered and outcome.status_code is None and "SSLError" in (outcome.error or "")
    assert other.bodies == []
