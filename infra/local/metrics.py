"""CloudWatch metrics, locally: every embedded-metric-format (EMF) document that a function of the stack emits, kept
for `GET /_local/metrics`.

In Lambda, powertools' `Metrics` prints one JSON document per flush to stdout, and CloudWatch Logs files its values
as metrics. Here every function of the template shares one process and runs in threads, which powertools does not
expect, so the stack adapts it in two ways and changes no handler:

- The documents are taken where powertools prints them: the `print` of its metrics modules is shadowed by one that
  prints exactly as before (to whatever `sys.stdout` is then) and also hands the document to the recorder. It runs
  in the thread of the invocation that emits, which names the function. A tee of `sys.stdout` would not do: the
  stream is one for the whole process, so redirecting it per invocation is not thread-safe (two invocations swap it
  under each other and output is lost), and anything that swaps it (pytest's capture does, between test phases)
  silently unhooks a tee installed once.
- powertools keeps the metric set of every `Metrics()` in class attributes, and whether the next invocation is a
  cold start in a module global: one of each per process, in Lambda one function's. Here one function's flush
  would carry another's metrics and dimensions whenever two run at once (a request and the background ticker, say),
  and only the first function invoked would emit ColdStart, so each function gets its own (each function runs one
  invocation at a time, as one warm Lambda instance does: functions.py).
"""

from __future__ import annotations

import builtins
import importlib
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from shared.instants import format_instant

logger = logging.getLogger(__name__)

# How many metric values GET /_local/metrics keeps, the oldest dropped first.
CAPACITY = 10_000
# Where powertools 3 prints EMF documents: a flush (log_metrics), the flush of a full metric set, single_metric
# (the ColdStart metric).
POWERTOOLS_PRINTING_MODULES = (
    "aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch",
    "aws_lambda_powertools.metrics.base",
)
# The class attributes in which powertools' Metrics keeps the state every instance shares.
POWERTOOLS_SHARED_STATE = ("_metrics", "_dimensions", "_metadata", "_default_dimensions")
# The module whose `cold_start.is_cold_start` decides whether log_metrics emits ColdStart.
POWERTOOLS_COLD_START_READER = "aws_lambda_powertools.metrics.provider.base"

_working_for = threading.local()


@contextmanager
def working_for(function_id: str) -> Iterator[None]:
    """Inside, this thread works for the function `function_id`: its invocation, or the import of its module."""
    previous = getattr(_working_for, "function_id", None)
    _working_for.function_id = function_id
    try:
        yield
    finally:
        _working_for.function_id = previous


def current_function() -> str | None:
    return getattr(_working_for, "function_id", None)


def emf_values(document: Any) -> Iterator[dict[str, Any]]:
    """Each metric value of an EMF document, with the namespace, unit and dimensions CloudWatch files it under (a
    metric given several values gives one each); nothing for anything that is not EMF."""
    if not isinstance(document, dict) or not isinstance(document.get("_aws"), dict):
        return
    for directive in document["_aws"].get("CloudWatchMetrics") or []:
        if not isinstance(directive, dict):
            continue
        dimensions = {key: document[key] for keys in directive.get("Dimensions") or [] for key in keys
                      if isinstance(key, str) and key in document}
        for definition in directive.get("Metrics") or []:
            name = definition.get("Name") if isinstance(definition, dict) else None
            if not isinstance(name, str):
                continue
            values = document.get(name)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    yield {"namespace": directive.get("Namespace"), "name": name,
                           "unit": definition.get("Unit", "None"), "value": value, "dimensions": dict(dimensions)}


class MetricsRecorder:
    """The metric values the functions emitted, oldest first, at most `capacity` of them."""

    def __init__(self, now: Callable[[], datetime], capacity: int = CAPACITY):
        self._now = now
        self._values: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def record(self, function_id: str, document: Any) -> None:
        values = list(emf_values(document))
        with self._lock:  # the instant read inside, so that the values stay in the order of their instants
            at = format_instant(self._now())
            self._values.extend({"function": function_id, **value, "at": at} for value in values)

    def values(self, names: Collection[str] = ()) -> list[dict[str, Any]]:
        with self._lock:
            values = list(self._values)
        return [value for value in values if not names or value["name"] in names]


_recorder: MetricsRecorder | None = None


def _print(*args: Any, **kwargs: Any) -> None:
    builtins.print(*args, **kwargs)
    recorder, function_id = _recorder, current_function()
    if recorder is None or function_id is None or len(args) != 1 or not isinstance(args[0], str):
        return
    try:
        recorder.record(function_id, json.loads(args[0]))
    except Exception:  # what was printed stays printed; a document the recorder cannot read is only logged
        logger.exception("could not record a metric document of %s", function_id)


class _PerFunction(MutableMapping):
    """A dict per function of the stack: the one of the function the calling thread works for."""

    def __init__(self) -> None:
        self._dicts: dict[str | None, dict[Any, Any]] = {}

    def _own(self) -> dict[Any, Any]:
        return self._dicts.setdefault(current_function(), {})

    def __getitem__(self, key: Any) -> Any:
        return self._own()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._own()[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._own()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._own()))

    def __len__(self) -> int:
        return len(self._own())

    def clear(self) -> None:
        self._own().clear()

    def __repr__(self) -> str:
        return repr(self._own())


class _ColdStarts:
    """powertools' `cold_start` module as its metrics provider reads it, with a flag per function."""

    def __init__(self) -> None:
        self._warm: set[str | None] = set()

    @property
    def is_cold_start(self) -> bool:
        return current_function() not in self._warm

    @is_cold_start.setter
    def is_cold_start(self, cold: bool) -> None:
        if cold:
            self._warm.discard(current_function())
        else:
            self._warm.add(current_function())


def capture(recorder: MetricsRecorder) -> None:
    """From now on, what the functions emit goes to `recorder` too. Call it before the handlers are imported: a
    `Metrics()` created earlier keeps sharing its set with every other one."""
    global _recorder
    from aws_lambda_powertools.metrics import Metrics

    for name in POWERTOOLS_SHARED_STATE:
        if not isinstance(getattr(Metrics, name), _PerFunction):
            setattr(Metrics, name, _PerFunction())
    reader = importlib.import_module(POWERTOOLS_COLD_START_READER)
    if not isinstance(reader.cold_start, _ColdStarts):
        reader.cold_start = _ColdStarts()
    for module_name in POWERTOOLS_PRINTING_MODULES:
        # Shadows the builtin in that module only: nothing else in the process prints through it.
        importlib.import_module(module_name).print = _print
    _recorder = recorder


def release(recorder: MetricsRecorder) -> None:
    global _recorder
    if _recorder is recorder:
        _recorder = None
