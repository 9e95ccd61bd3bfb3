"""Call ingestion (the ingest function, for POST /v1/calls and the ingest queue alike)."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.services.ingestion import IngestionService
from shared.store.account_directory import AccountDirectory
from shared.store.calls import CallRepository


def build_ingestion_service(config: Settings, clients: Clients) -> IngestionService:
    return IngestionService(CallRepository(clients.dynamodb, config.calls_table),
                            AccountDirectory(clients.dynamodb, config.accounts_table), config.zone)


ingestion_service = per_deployment(build_ingestion_service)
