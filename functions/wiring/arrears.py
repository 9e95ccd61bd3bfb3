"""The arrears check: suspensions and releases as they fall due."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from functions.wiring.events import domain_events
from shared.config import Settings
from shared.services.arrears import ArrearsStores
from shared.store.deadlines import AccountDeadlines


def build_arrears_stores(config: Settings, clients: Clients) -> ArrearsStores:
    return ArrearsStores(
        deadlines=AccountDeadlines(clients.dynamodb, config.accounts_table),
        events=domain_events(config, clients),
        zone=config.zone,
        release_after_days=config.arrears_release_days,
    )


arrears_stores = per_deployment(build_arrears_stores)
