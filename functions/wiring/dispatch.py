"""The settlement dispatcher: the Unsettled index it reads, the run's progress and the queue it fans out to."""

from __future__ import annotations

from functions.wiring import Clients, own_or, per_deployment
from shared.aws import sqs_client
from shared.config import Settings
from shared.services.settlement_dispatch import DispatchStores
from shared.store.settled_counters import SettledCounters
from shared.store.settlement_queue import SettlementQueue
from shared.store.settlement_runs import SettlementRuns


def build_dispatch_stores(config: Settings, clients: Clients) -> DispatchStores:
    return DispatchStores(
        index=SettledCounters(clients.dynamodb, config.usage_table),
        queue=SettlementQueue(own_or(clients.sqs, sqs_client), config.settlement_queue_url),
        runs=SettlementRuns(clients.dynamodb, config.books_table),
    )


dispatch_stores = per_deployment(build_dispatch_stores)
