"""The settlement dispatcher: the Unsettled index it reads and the queue it fans the run out to."""

from __future__ import annotations

from functions.wiring import Clients, own_or, per_deployment
from shared.aws import sqs_client
from shared.config import Settings
from shared.store.settled_counters import SettledCounters
from shared.store.settlement_queue import SettlementQueue


def build_unsettled_index(config: Settings, clients: Clients) -> SettledCounters:
    return SettledCounters(clients.dynamodb, config.usage_table)


def build_settlement_queue(config: Settings, clients: Clients) -> SettlementQueue:
    return SettlementQueue(own_or(clients.sqs, sqs_client), config.settlement_queue_url)


unsettled_index = per_deployment(build_unsettled_index)
settlement_queue = per_deployment(build_settlement_queue)
