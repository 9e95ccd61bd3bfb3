"""API keys: random, shown once, stored only as their SHA-256 (a key has 256 bits of entropy, so a
plain hash is as safe as a slow one and lets the authorizer look a key up in one read)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

KEY_PREFIX = "fbk_"


class Scope(StrEnum):
    OPERATOR = "operator"
    ACCOUNT = "account"


@dataclass(frozen=True)
class KeyGrant:
    scope: Scope
    account_id: str | None  # the account an account key acts for; None for an operator key


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def bearer_key(authorization: str | None) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, or None when there is none."""
    if not authorization:
        return None
    scheme, _, key = authorization.strip().partition(" ")
    key = key.strip()
    return key if scheme.lower() == "bearer" and key else None
