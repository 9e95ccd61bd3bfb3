"""The reconciliation worker: the accounts' tables it reads, and the Books table its findings go to."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.services.reconciliation import ReconciliationStores
from shared.store.bills import BillRepository
from shared.store.calls import CallRepository
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository
from shared.store.reconciliations import ReconciliationResults
from shared.store.settlements import SettlementAccounts, SettlementRecords
from shared.store.usage import UsageRepository


def build_reconciliation_stores(config: Settings, clients: Clients) -> ReconciliationStores:
    dynamodb = clients.dynamodb
    return ReconciliationStores(
        accounts=SettlementAccounts(dynamodb, config.accounts_table),
        settlements=SettlementRecords(dynamodb, config.bills_table),
        ledger=LedgerRepository(dynamodb, config.ledger_table),
        packs=PackRepository(dynamodb, config.packs_table),
        bills=BillRepository(dynamodb, config.bills_table),
        calls=CallRepository(dynamodb, config.calls_table),
        usage=UsageRepository(dynamodb, config.usage_table),
        results=ReconciliationResults(dynamodb, config.books_table),
    )


reconciliation_stores = per_deployment(build_reconciliation_stores)
