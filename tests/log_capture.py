"""Every log record of the functions, as powertools formats it, into a buffer a test can read."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

# template.yaml's POWERTOOLS_SERVICE_NAME: every function's Logger is named so, and shared modules' Logger(child=True)
# are its children. Tests name their service "faceid-billing-tests", which starts the same.
SERVICE_PREFIX = "faceid-billing"


@contextmanager
def function_logs(buffer: io.StringIO) -> Iterator[None]:
    """Inside: every function logger at DEBUG, its records also written to `buffer` by powertools' formatter."""
    loggers = [logger for name, logger in logging.Logger.manager.loggerDict.items()
               if name.startswith(SERVICE_PREFIX) and isinstance(logger, logging.Logger)]
    formatter = next(handler.formatter for logger in loggers for handler in logger.handlers if handler.formatter)
    capture = logging.StreamHandler(buffer)
    capture.setFormatter(formatter)
    # On each service logger (they do not propagate) and on the root, which a child logger created before its
    # service logger reaches instead.
    targets = [logger for logger in loggers if logger.handlers or not logger.propagate] + [logging.getLogger()]
    levels = {logger: logger.level for logger in loggers}
    for target in targets:
        target.addHandler(capture)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for target in targets:
            target.removeHandler(capture)
        for logger, level in levels.items():
            logger.setLevel(level)
