"""The domain-event topic: publishes each event (shared.events) to SNS, after the change it describes has
committed."""

from __future__ import annotations

from typing import Any

from shared.events import DomainEvent


class EventPublisher:
    def __init__(self, sns: Any, topic_arn: str):
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, events: list[DomainEvent]) -> None:
        for event in events:
            self._sns.publish(
                TopicArn=self._topic_arn,
                Message=event.to_json(),
                MessageAttributes={
                    "event_type": {"DataType": "String", "StringValue": event.event_type.value},
                    "account_id": {"DataType": "String", "StringValue": event.account_id},
                },
            )
