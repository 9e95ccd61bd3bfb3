"""The pack lifecycle at 00:00: expiry warnings, expiries with their breakage, renewals, daily reports."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from functions.wiring.accounts import build_account_stores
from functions.wiring.events import domain_events
from shared.config import Settings
from shared.services.lifecycle import LifecycleStores
from shared.store.accounts import AccountRepository
from shared.store.bills import BillRepository
from shared.store.books import RevenueBooks
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository
from shared.store.transactions import TransactionWriter
from shared.store.usage import UsageRepository


def build_lifecycle_stores(config: Settings, clients: Clients) -> LifecycleStores:
    dynamodb = clients.dynamodb
    return LifecycleStores(
        packs=PackRepository(dynamodb, config.packs_table),
        ledger=LedgerRepository(dynamodb, config.ledger_table),
        books=RevenueBooks(dynamodb, config.books_table),
        accounts=AccountRepository(dynamodb, config.accounts_table),
        usage=UsageRepository(dynamodb, config.usage_table),
        bills=BillRepository(dynamodb, config.bills_table),
        writer=TransactionWriter(dynamodb),
        events=domain_events(config, clients),
        zone=config.zone,
        purchases=build_account_stores(config, clients),
    )


lifecycle_stores = per_deployment(build_lifecycle_stores)
