"""The usage routes of the api function: live usage, the daily series, entitlement and the call lookup."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.services.usage import UsageStores
from shared.store.accounts import AccountRepository
from shared.store.calls import CallRepository
from shared.store.packs import PackRepository
from shared.store.usage import UsageRepository


def build_usage_stores(config: Settings, clients: Clients) -> UsageStores:
    dynamodb = clients.dynamodb
    return UsageStores(
        accounts=AccountRepository(dynamodb, config.accounts_table),
        packs=PackRepository(dynamodb, config.packs_table),
        usage=UsageRepository(dynamodb, config.usage_table),
        calls=CallRepository(dynamodb, config.calls_table),
        zone=config.zone,
    )


usage_stores = per_deployment(build_usage_stores)
