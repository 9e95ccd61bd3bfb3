"""The bill routes of the api function: bills, the 资源 ID 账单 and the 明细账单."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.services.bills import BillStores
from shared.store.accounts import AccountRepository
from shared.store.bills import BillRepository
from shared.store.ledger import LedgerRepository


def build_bill_stores(config: Settings, clients: Clients) -> BillStores:
    dynamodb = clients.dynamodb
    return BillStores(
        accounts=AccountRepository(dynamodb, config.accounts_table),
        bills=BillRepository(dynamodb, config.bills_table),
        ledger=LedgerRepository(dynamodb, config.ledger_table),
        zone=config.zone,
    )


bill_stores = per_deployment(build_bill_stores)
