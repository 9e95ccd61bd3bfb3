"""The domain-event topic, for the builders of what publishes."""

from __future__ import annotations

from functions.wiring import Clients, own_or
from shared.aws import sns_client
from shared.config import Settings
from shared.store.events import EventPublisher


def domain_events(config: Settings, clients: Clients) -> EventPublisher:
    return EventPublisher(own_or(clients.sns, sns_client), config.domain_events_topic_arn)
