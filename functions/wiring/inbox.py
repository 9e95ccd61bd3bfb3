"""The in-site messages route of the api function."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.services.inbox import InboxStores
from shared.store.accounts import AccountRepository
from shared.store.inbox import InboxRepository


def build_inbox_stores(config: Settings, clients: Clients) -> InboxStores:
    return InboxStores(AccountRepository(clients.dynamodb, config.accounts_table),
                       InboxRepository(clients.dynamodb, config.messages_table))


inbox_stores = per_deployment(build_inbox_stores)
