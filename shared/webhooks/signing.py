"""Signatures as the Standard Webhooks specification gives them (standardwebhooks.com): the secret is `whsec_` and
the base64 of the key's bytes; each signature is `v1,` and the base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>");
several are space-separated while two secrets are valid."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

SECRET_PREFIX = "whsec_"
KEY_BYTES = 32  # the specification asks for 24 to 64


def secret_text(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def key_of(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def signature(key: bytes, message_id: str, timestamp: int, body: str) -> str:
    content = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode("ascii")


def signed_headers(keys: list[bytes], message_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three headers of a delivery attempt at `at`, signed with every key (the current one first)."""
    timestamp = int(at.timestamp())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(key, message_id, timestamp, body) for key in keys),
    }
