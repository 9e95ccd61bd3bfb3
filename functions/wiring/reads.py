"""What the api function's read routes use: bills, usage and entitlement, the in-site inbox, the
reconciliation's findings."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.services.bills import BillStores
from shared.services.inbox import InboxStores
from shared.services.usage import UsageStores
from shared.store.accounts import AccountRepository
from shared.store.bills import BillRepository
from shared.store.calls import CallRepository
from shared.store.inbox import InboxRepository
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository
from shared.store.reconciliations import ReconciliationResults
from shared.store.usage import UsageRepository


def build_bill_stores(config: Settings, clients: Clients) -> BillStores:
    dynamodb = clients.dynamodb
    return BillStores(
        accounts=AccountRepository(dynamodb, config.accounts_table),
        bills=BillRepository(dynamodb, config.bills_table),
        ledger=LedgerRepository(dynamodb, config.ledger_table),
        zone=config.zone,
    )


def build_usage_stores(config: Settings, clients: Clients) -> UsageStores:
    dynamodb = clients.dynamodb
    return UsageStores(
        accounts=AccountRepository(dynamodb, config.accounts_table),
        packs=PackRepository(dynamodb, config.packs_table),
        usage=UsageRepository(dynamodb, config.usage_table),
        calls=CallRepository(dynamodb, config.calls_table),
        zone=config.zone,
    )


def build_inbox_stores(config: Settings, clients: Clients) -> InboxStores:
    return InboxStores(AccountRepository(clients.dynamodb, config.accounts_table),
                       InboxRepository(clients.dynamodb, config.messages_table))


def build_reconciliation_results(config: Settings, clients: Clients) -> ReconciliationResults:
    return ReconciliationResults(clients.dynamodb, config.books_table)


bill_stores = per_deployment(build_bill_stores)
usage_stores = per_deployment(build_usage_stores)
inbox_stores = per_deployment(build_inbox_stores)
reconciliation_results = per_deployment(build_reconciliation_results)
