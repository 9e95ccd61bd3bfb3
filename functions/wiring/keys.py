"""The authorizer: the API keys' hashes."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.store.api_keys import ApiKeyRepository


def build_api_keys(config: Settings, clients: Clients) -> ApiKeyRepository:
    return ApiKeyRepository(clients.dynamodb, config.api_keys_table)


api_keys = per_deployment(build_api_keys)
