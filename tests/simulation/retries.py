"""The local stack under injected faults, with AWS's retries made immediate.

Every function's invocation goes through the fault injector. The event sources retry what failed as
Lambda's pollers do, but a failed SQS message would come back only after its visibility timeout in real
time: the queues' timeout on the emulator is set to 0, so the poller retries at once, and the clock jumps
by the template's timeout instead, so that what the retry sees of time (a notice's lease) is what it would
see in AWS. The simulation drives the stack alone (no background ticker): one invocation at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from infra.local.stack import LocalStack
from tests.simulation.faults import FaultInjector

MAX_DRAINS = 10


def _visibility_by_function(stack: LocalStack) -> dict[str, timedelta]:
    """Each SQS-fed function's queue visibility timeout, as template.yaml declares it."""
    queues = stack.template.resources_of_type("AWS::SQS::Queue")
    visibility = {}
    for source in stack.template.event_sources():
        if source.kind == "SQS":
            queue_id = source.source["Fn::GetAtt"][0]
            visibility[source.function_id] = timedelta(seconds=int(queues[queue_id]["VisibilityTimeout"]))
    return visibility


def _from_sqs(event: Any) -> bool:
    records = event.get("Records") if isinstance(event, dict) else None
    return bool(records) and records[0].get("eventSource") == "aws:sqs"


class FaultyStack:
    def __init__(self, stack: LocalStack, injector: FaultInjector):
        self.stack = stack
        self.injector = injector
        self._visibility = _visibility_by_function(stack)
        self._sqs = stack.aws.client("sqs")
        self.clock_jumps = 0

    def install(self, dynamodb: Any) -> None:
        """Crash through `dynamodb`, the client every function writes with; retry SQS messages at once."""
        events = dynamodb.meta.events
        events.register("before-call.dynamodb", lambda model, **_: self.injector.before_write(model))
        events.register("after-call.dynamodb", lambda model, **_: self.injector.after_write(model))
        for queue_id in self.stack.template.resources_of_type("AWS::SQS::Queue"):
            self._sqs.set_queue_attributes(QueueUrl=self.stack.physical.refs[queue_id],
                                           Attributes={"VisibilityTimeout": "0"})
        for name, function in self.stack.functions.items():
            function.invoke = self._with_faults(name, function.invoke)

    def _with_faults(self, name: str, invoke: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def invoke_with_faults(event: Any) -> Any:
            with self.injector.invocation(name) as current:
                try:
                    return invoke(event)
                finally:
                    if current.crashed and name in self._visibility and _from_sqs(event):
                        self.clock_jumps += 1
                        self.clock_to(self.now() + self._visibility[name])

        return invoke_with_faults

    def now(self) -> datetime:
        return self.stack.clock.now()

    def clock_to(self, target: datetime) -> None:
        """Move the clock to `target` without firing schedules (the ScheduleRunner fires them); never back."""
        if target > self.now():
            self.stack.scheduler.move_to(target, fire=False)

    def drain(self) -> None:
        """Deliver until the queues and streams are empty: a drain that met a crash is followed by another.

        When nothing was written since a drain found every source empty with nothing failing, there is nothing to
        deliver (the queues' visibility timeout is 0, so no failed message waits unseen) and it returns at once:
        the hundreds of idle runs of `arrears-check` a simulated day cost no polls."""
        for _ in range(MAX_DRAINS):
            crashes = self.injector.total_crashes
            self.stack.event_sources.drain()
            if self.injector.total_crashes == crashes:
                return
        raise AssertionError(f"the event sources still crashed after {MAX_DRAINS} drains")

    def drain_after_crashes(self, crashes_before: int) -> None:
        """After a request: drain again only if something crashed (the request's own drain did the rest)."""
        if self.injector.total_crashes != crashes_before:
            self.drain()

    def queue_depths(self) -> dict[str, int]:
        """Messages left in each queue (dead-letter queues included): all zero once everything is delivered."""
        depths = {}
        for queue_id in self.stack.template.resources_of_type("AWS::SQS::Queue"):
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=self.stack.physical.refs[queue_id],
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            depths[queue_id] = sum(int(value) for value in attributes.values())
        return depths
