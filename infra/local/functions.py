"""Lambda functions of the template, imported and invoked in this process.

Each function runs one invocation at a time, like one warm Lambda instance: powertools resolvers
keep the current event on the instance, so two threads must never share one invocation.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.local.metrics import working_for
from infra.local.template import FunctionSpec


@dataclass
class LocalLambdaContext:
    """The attributes of Lambda's context object that handlers and powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.log_group_name = f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self._started)) * 1000))


class LocalFunction:
    def __init__(self, spec: FunctionSpec, arn: str):
        self.spec = spec
        self.arn = arn
        self._lock = threading.Lock()
        self._handler: Callable[[Any, Any], Any] | None = None

    @property
    def name(self) -> str:
        return self.spec.logical_id

    def _load(self) -> Callable[[Any, Any], Any]:
        if self._handler is None:
            code_dir = str(self.spec.code_dir)
            if code_dir not in sys.path:
                sys.path.insert(0, code_dir)
            module_name, _, attribute = self.spec.handler.replace("/", ".").rpartition(".")
            self._handler = getattr(importlib.import_module(module_name), attribute)
        return self._handler

    def load(self) -> None:
        """Import the handler now (a cold start), so that a broken function fails the stack's start."""
        with self._lock, working_for(self.name):
            self._load()

    def invoke(self, event: Any) -> Any:
        with self._lock, working_for(self.name):
            handler = self._load()
            context = LocalLambdaContext(
                function_name=self.name,
                invoked_function_arn=self.arn,
                memory_limit_in_mb=self.spec.memory_mb,
                timeout_s=self.spec.timeout_s,
            )
            return handler(event, context)
