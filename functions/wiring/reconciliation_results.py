"""The reconciliation route of the api function: what the nightly reconciliation found, read from the Books table."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.store.reconciliations import ReconciliationResults


def build_reconciliation_results(config: Settings, clients: Clients) -> ReconciliationResults:
    return ReconciliationResults(clients.dynamodb, config.books_table)


reconciliation_results = per_deployment(build_reconciliation_results)
