"""The in-site messages (站内信) of an account, for GET /v1/accounts/{account_id}/messages."""

from __future__ import annotations

from dataclasses import dataclass

from shared.accounts.errors import AccountNotFound
from shared.store.accounts import AccountRepository
from shared.store.inbox import InboxPage, InboxRepository


@dataclass(frozen=True)
class InboxStores:
    accounts: AccountRepository
    inbox: InboxRepository

    @classmethod
    def from_settings(cls) -> InboxStores:
        from shared.aws import dynamodb_client
        from shared.config import settings

        config = settings()
        dynamodb = dynamodb_client()
        return cls(AccountRepository(dynamodb, config.accounts_table), InboxRepository(dynamodb, config.messages_table))


def list_messages(stores: InboxStores, account_id: str, *, limit: int, cursor: str | None) -> InboxPage:
    if stores.accounts.get(account_id) is None:
        raise AccountNotFound(account_id)
    return stores.inbox.page(account_id, limit=limit, cursor=cursor)
