"""Identifiers that sort by creation time (so "oldest first" is the key order) and never collide."""

from __future__ import annotations

import secrets
from datetime import datetime


def time_ordered_id(prefix: str, at: datetime) -> str:
    milliseconds = int(at.timestamp() * 1000)
    return f"{prefix}_{milliseconds:013d}{secrets.token_hex(5)}"
