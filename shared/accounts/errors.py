"""The refusals of the accounts domain, each with API.md's code.

They are shared.refusals types, so the one error handler of every resolver answers them; no route
builds an error body. Repositories raise them when a transaction's condition fails.
"""

from __future__ import annotations

from decimal import Decimal

from shared.pricing import format_money
from shared.refusals import Conflict, NotFound


class AccountNotFound(NotFound):
    def __init__(self, account_id: str):
        super().__init__(f"No account {account_id!r}.")


class AccountExists(Conflict):
    code = "ACCOUNT_EXISTS"

    def __init__(self, account_id: str):
        super().__init__(f"The account {account_id!r} exists already.")


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, field: str, client_id: str):
        super().__init__(f"{field} {client_id!r} was used before with another request; choose a new one.")


class AlreadyGranted(Conflict):
    code = "ALREADY_GRANTED"

    def __init__(self, account_id: str):
        super().__init__(f"The account {account_id!r} got its E证通 free pack already.")


class NotSuspendedForViolation(Conflict):
    code = "NOT_SUSPENDED_FOR_VIOLATION"

    def __init__(self, account_id: str):
        super().__init__(f"The account {account_id!r} is not suspended for a violation.")


class NoPacksForTag(Conflict):
    code = "NO_PACKS_FOR_TAG"

    def __init__(self, billing_tag: str):
        super().__init__(f"{billing_tag} is postpaid only: it has no packs.")


class AccountSuspended(Conflict):
    code = "ACCOUNT_SUSPENDED"

    def __init__(self, account_id: str, status: str):
        super().__init__(f"The account {account_id!r} is {status}: it cannot buy packs.")


class InsufficientBalance(Conflict):
    code = "INSUFFICIENT_BALANCE"

    def __init__(self, short_by: Decimal | None = None):
        suffix = f" ({format_money(short_by)} yuan short)" if short_by is not None else ""
        super().__init__(f"The wallets do not hold enough to pay{suffix}; recharge first.")


class ConcurrentUpdate(Conflict):
    code = "CONCURRENT_UPDATE"

    def __init__(self, account_id: str):
        super().__init__(f"The account {account_id!r} kept changing under this request; retrying it is safe.")


class PackNotFound(NotFound):
    def __init__(self, account_id: str, pack_id: str):
        super().__init__(f"The account {account_id!r} has no pack {pack_id!r}.")


class StaleAccount(Exception):
    """The account changed between its read and a write conditioned on that read: read again and retry."""


class StalePack(Exception):
    """The pack changed between its read and a write conditioned on that read: read again and decide again."""


class ClientIdTaken(Exception):
    """A transaction lost the race for its client id: the first request's answer is now stored."""

    def __init__(self, record_id: str):
        super().__init__(record_id)
        self.record_id = record_id
