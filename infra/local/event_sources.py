"""Event source mappings, locally: what Lambda's pollers do for SQS queues and DynamoDB streams.

After every request and job the stack drains them, so what a function wrote is visible to the next
request (usage counters right after POST /v1/calls); a background ticker drains them too. A drain
returns at once when nothing was written since the last one found every source empty: a clock moved
across a day fires hundreds of jobs that mostly write nothing. Semantics
kept from AWS: batches in order per stream shard, a checkpoint only after success, partial batch
failures (ReportBatchItemFailures) retried from the first failed record, SQS messages deleted only
when processed (a failed one comes back after its visibility timeout and ends in its dead-letter
queue after maxReceiveCount, as moto implements the redrive policy).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from infra.local.aws import LOCAL_REGION
from infra.local.functions import LocalFunction
from infra.local.intrinsics import PhysicalResources
from infra.local.template import EventSourceSpec

logger = logging.getLogger(__name__)

MAX_ROUNDS = 1000


def _failed_ids(answer: Any) -> list[str] | None:
    if not isinstance(answer, dict) or "batchItemFailures" not in answer:
        return None
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


class SqsPoller:
    def __init__(self, spec: EventSourceSpec, function: LocalFunction, sqs: Any, queue_arn: str, queue_url: str):
        self._spec = spec
        self._function = function
        self._sqs = sqs
        self._queue_arn = queue_arn
        self._queue_url = queue_url
        self.failed = False  # the last poll left work that will come back (a failed batch or records)

    def poll_once(self) -> bool:
        self.failed = False
        received = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=min(self._spec.batch_size, 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not received:
            return False
        records = [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": self._queue_arn,
                "awsRegion": LOCAL_REGION,
            }
            for message in received
        ]
        try:
            failed = set(_failed_ids(self._function.invoke({"Records": records})) or [])
        except Exception:
            logger.exception("%s failed on a batch from %s; the messages will be retried", self._function.name,
                             self._queue_arn)
            self.failed = True
            return True
        if not self._spec.reports_item_failures:
            failed = set()
        self.failed = bool(failed)
        done = [record for record in records if record["messageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=[
                {"Id": str(index), "ReceiptHandle": record["receiptHandle"]} for index, record in enumerate(done)])
        return bool(done)


class StreamPoller:
    def __init__(self, spec: EventSourceSpec, function: LocalFunction, streams: Any, stream_arn: str):
        self._spec = spec
        self._function = function
        self._streams = streams
        self._stream_arn = stream_arn
        self._checkpoints: dict[str, str | None] = {}  # shard -> last sequence number processed
        self.failed = False

    def _iterator(self, shard_id: str) -> str:
        checkpoint = self._checkpoints.get(shard_id)
        if checkpoint is None:
            return self._streams.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=shard_id,
                ShardIteratorType=self._spec.starting_position or "TRIM_HORIZON",
            )["ShardIterator"]
        return self._streams.get_shard_iterator(
            StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            SequenceNumber=checkpoint,
        )["ShardIterator"]

    def poll_once(self) -> bool:
        self.failed = False
        progressed = False
        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            self._checkpoints.setdefault(shard_id, None)
            records = self._streams.get_records(ShardIterator=self._iterator(shard_id),
                                                Limit=self._spec.batch_size)["Records"]
            if not records:
                continue
            for record in records:
                record["eventSourceARN"] = self._stream_arn
            try:
                failed = _failed_ids(self._function.invoke({"Records": records}))
            except Exception:
                logger.exception("%s failed on a stream batch; it will be retried", self._function.name)
                self.failed = True
                continue
            sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
            if failed and self._spec.reports_item_failures:
                self.failed = True
                first_failed = sequence_numbers.index(failed[0]) if failed[0] in sequence_numbers else 0
                if first_failed == 0:
                    continue
                self._checkpoints[shard_id] = sequence_numbers[first_failed - 1]
            else:
                self._checkpoints[shard_id] = sequence_numbers[-1]
            progressed = True
        return progressed


class EventSources:
    def __init__(self, pollers: list[SqsPoller | StreamPoller], writes: Callable[[], int] | None = None):
        """`writes` counts the emulator's write requests; without it every drain polls every source."""
        self._pollers = pollers
        self._writes = writes
        self._quiet_at: int | None = None  # the write count when a drain last found every source empty
        self._lock = threading.Lock()

    @classmethod
    def from_template(cls, specs: list[EventSourceSpec], functions: dict[str, LocalFunction],
                      physical: PhysicalResources, client: Callable[[str], Any],
                      writes: Callable[[], int] | None = None) -> EventSources:
        pollers: list[SqsPoller | StreamPoller] = []
        for spec in specs:
            function = functions[spec.function_id]
            arn = physical.resolve(spec.source)
            if spec.kind == "SQS":
                url = next(physical.refs[logical_id] for (logical_id, attribute), value in physical.attributes.items()
                           if attribute == "Arn" and value == arn)
                pollers.append(SqsPoller(spec, function, client("sqs"), arn, url))
            else:
                pollers.append(StreamPoller(spec, function, client("dynamodbstreams"), arn))
        return cls(pollers, writes)

    def drain(self, *, force: bool = False) -> None:
        """Deliver until every queue and stream is empty (or only holds what keeps failing).

        Without `force`, a drain when nothing was written since the sources were last found empty
        returns at once. A failed message comes back only after its visibility timeout, unseen by the
        write count: the background ticker drains with `force` and picks it up.
        """
        with self._lock:
            if not force and self._writes is not None and self._quiet_at == self._writes():
                return
            self._quiet_at = None
            failed = False
            for _ in range(MAX_ROUNDS):
                # Counted before polling: a write made while this round polls makes the next drain look.
                writes_before = self._writes() if self._writes is not None else None
                progressed = False
                for poller in self._pollers:
                    progressed = poller.poll_once() or progressed
                    failed = failed or poller.failed
                if not progressed:
                    if not failed:
                        self._quiet_at = writes_before
                    return
            logger.warning("event sources still busy after %s rounds", MAX_ROUNDS)
