"""The settlement worker: what settling an account reads and writes in its one transaction per period."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from functions.wiring.events import domain_events
from shared.config import Settings
from shared.services.settlement import SettlementStores
from shared.store.books import RevenueBooks
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository
from shared.store.settled_counters import SettledCounters
from shared.store.settlement_runs import SettlementRuns
from shared.store.settlements import PackDraws, SettlementAccounts, SettlementRecords
from shared.store.transactions import TransactionWriter
from shared.store.usage import UsageRepository


def build_settlement_stores(config: Settings, clients: Clients) -> SettlementStores:
    dynamodb = clients.dynamodb
    return SettlementStores(
        accounts=SettlementAccounts(dynamodb, config.accounts_table),
        packs=PackRepository(dynamodb, config.packs_table),
        draws=PackDraws(dynamodb, config.packs_table),
        usage=UsageRepository(dynamodb, config.usage_table),
        counters=SettledCounters(dynamodb, config.usage_table),
        records=SettlementRecords(dynamodb, config.bills_table),
        ledger=LedgerRepository(dynamodb, config.ledger_table),
        books=RevenueBooks(dynamodb, config.books_table),
        writer=TransactionWriter(dynamodb),
        events=domain_events(config, clients),
        runs=SettlementRuns(dynamodb, config.books_table),
        zone=config.zone,
    )


settlement_stores = per_deployment(build_settlement_stores)
