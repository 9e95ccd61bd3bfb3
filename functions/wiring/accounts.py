"""Accounts, keys, recharges, grants, purchases and refunds (the api and refunds functions)."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from functions.wiring.events import domain_events
from shared.config import Settings
from shared.services.accounts import AccountStores
from shared.store.accounts import AccountRepository
from shared.store.api_keys import ApiKeyRepository
from shared.store.books import RevenueBooks
from shared.store.client_ids import ClientIdRepository
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository
from shared.store.transactions import TransactionWriter


def build_account_stores(config: Settings, clients: Clients) -> AccountStores:
    dynamodb = clients.dynamodb
    return AccountStores(
        accounts=AccountRepository(dynamodb, config.accounts_table),
        packs=PackRepository(dynamodb, config.packs_table),
        ledger=LedgerRepository(dynamodb, config.ledger_table),
        client_ids=ClientIdRepository(dynamodb, config.idempotency_table),
        api_keys=ApiKeyRepository(dynamodb, config.api_keys_table),
        books=RevenueBooks(dynamodb, config.books_table),
        writer=TransactionWriter(dynamodb),
        events=domain_events(config, clients),
        zone=config.zone,
    )


account_stores = per_deployment(build_account_stores)
