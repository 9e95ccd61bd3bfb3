"""The reconciliation dispatcher: the account list it reads, the run's header it writes, the queue it fills."""

from __future__ import annotations

from functions.wiring import Clients, own_or, per_deployment
from shared.aws import sqs_client
from shared.config import Settings
from shared.services.reconciliation_dispatch import ReconciliationDispatchStores
from shared.store.account_directory import AccountDirectory
from shared.store.reconciliations import ReconciliationQueue, ReconciliationResults


def build_dispatch_stores(config: Settings, clients: Clients) -> ReconciliationDispatchStores:
    return ReconciliationDispatchStores(
        accounts=AccountDirectory(clients.dynamodb, config.accounts_table),
        headers=ReconciliationResults(clients.dynamodb, config.books_table),
        queue=ReconciliationQueue(own_or(clients.sqs, sqs_client), config.reconciliation_queue_url),
    )


reconciliation_dispatch_stores = per_deployment(build_dispatch_stores)
