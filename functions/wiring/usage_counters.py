"""The usage aggregator: the usage counters the Calls stream is counted into."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.store.usage import UsageRepository


def build_usage_counters(config: Settings, clients: Clients) -> UsageRepository:
    return UsageRepository(clients.dynamodb, config.usage_table)


usage_counters = per_deployment(build_usage_counters)
