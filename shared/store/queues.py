"""The fan-out queues (settlement, reconciliation): messages sent to SQS as their JSON, 10 a request."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

ENTRIES_PER_SEND = 10  # SendMessageBatch's limit
_SEND_ATTEMPTS = 5


class MessagesNotSent(RuntimeError):
    """SQS kept refusing some messages of a run."""


class QueueMessage(Protocol):
    def to_json(self) -> str: ...


class JsonMessageQueue:
    kind = "queue"  # what the messages are, for the error

    def __init__(self, sqs: Any, queue_url: str):
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, messages: Sequence[QueueMessage], *, delays: Sequence[int] | None = None) -> None:
        """Send every message, 10 a request, each after its delay in seconds if given (SQS DelaySeconds); entries SQS
        refuses are sent again (raises if they keep failing)."""
        for start in range(0, len(messages), ENTRIES_PER_SEND):
            pending = {str(index): {"MessageBody": message.to_json(),
                                    **({"DelaySeconds": delays[start + index]} if delays else {})}
                       for index, message in enumerate(messages[start:start + ENTRIES_PER_SEND])}
            for attempt in range(_SEND_ATTEMPTS):
                answer = self._sqs.send_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[{"Id": entry_id, **entry} for entry_id, entry in pending.items()],
                )
                pending = {failure["Id"]: pending[failure["Id"]] for failure in answer.get("Failed", [])}
                if not pending:
                    break
                time.sleep(min(0.1 * 2**attempt, 2.0))
            else:
                raise MessagesNotSent(f"{len(pending)} {self.kind} messages refused {_SEND_ATTEMPTS} times")
