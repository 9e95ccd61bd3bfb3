"""The refusals of auto-renewal (自动续费), each with API.md's code."""

from __future__ import annotations

from shared.refusals import Conflict


class NotRenewableOrigin(Conflict):
    code = "NOT_RENEWABLE_ORIGIN"

    def __init__(self, pack_id: str, origin: str):
        super().__init__(f"The pack {pack_id!r} is a {origin} pack: only bought packs renew.")


class PackEnded(Conflict):
    code = "PACK_ENDED"

    def __init__(self, pack_id: str, status: str):
        super().__init__(f"The pack {pack_id!r} is {status}: it can no longer be renewed.")
