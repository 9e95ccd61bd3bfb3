"""The refusals of a refund (退费说明), each with API.md's code."""

from __future__ import annotations

from shared.refusals import Conflict


class RefundWindowClosed(Conflict):
    code = "REFUND_WINDOW_CLOSED"

    def __init__(self, pack_id: str, deadline: str):
        super().__init__(f"The pack {pack_id!r} was refundable until {deadline}.")


class PackUsed(Conflict):
    code = "PACK_USED"

    def __init__(self, pack_id: str, used: int):
        super().__init__(f"{used} calls were taken from the pack {pack_id!r}: only an unused pack is refunded.")


class NotRefundableOrigin(Conflict):
    code = "NOT_REFUNDABLE_ORIGIN"

    def __init__(self, pack_id: str, origin: str):
        super().__init__(f"The pack {pack_id!r} is a {origin} pack: only purchased packs are refunded.")


class AccountSuspendedForViolation(Conflict):
    code = "ACCOUNT_SUSPENDED_FOR_VIOLATION"

    def __init__(self, account_id: str):
        super().__init__(f"The account {account_id!r} is suspended for a violation: its packs are not refunded.")


class AlreadyRefunded(Conflict):
    code = "ALREADY_REFUNDED"

    def __init__(self, pack_id: str):
        super().__init__(f"The pack {pack_id!r} was refunded already.")
