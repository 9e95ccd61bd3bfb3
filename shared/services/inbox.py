"""The in-site messages (站内信) of an account, for GET /v1/accounts/{account_id}/messages."""

from __future__ import annotations

from dataclasses import dataclass

from shared.delivery.models import InboxPage
from shared.store.accounts import AccountRepository
from shared.store.inbox import InboxRepository


@dataclass(frozen=True)
class InboxStores:
    accounts: AccountRepository
    inbox: InboxRepository


def list_messages(stores: InboxStores, account_id: str, *, limit: int, cursor: str | None) -> InboxPage:
    stores.accounts.require(account_id)
    return stores.inbox.page(account_id, limit=limit, cursor=cursor)
