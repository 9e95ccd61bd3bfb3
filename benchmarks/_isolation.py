"""A section leaves nothing behind in the process for the next one to meet.

What an emulator leaves there otherwise:
- moto keeps every emulated resource in process-wide backends, whether it is reached through mock_aws or
  served by a thread (moto's ThreadedMotoServer, the local stack's EmbeddedAws), and only mock_aws empties them
  when it ends: the next emulator would meet the template's tables already there.
- The handlers build their AWS clients when imported, against the emulator of the section that imported them
  (a second import is no import at all), and shared.config and shared.aws cache the settings and clients they
  build from the environment.
- The environment the section gave the template's functions, and the local stack's clock (shared.clock).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def isolated() -> Iterator[None]:
    """On the way out: the environment as it was, the system clock, moto's backends empty, the cached settings
    and clients dropped, and the handler modules imported meanwhile forgotten."""
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    from shared import aws, clock, config

    environment = dict(os.environ)
    modules = set(sys.modules)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(environment)
        clock.use_clock(clock.SystemClock())
        BackendDict.reset()  # what mock_aws does when it ends
        reset_model_data()
        config.settings.cache_clear()
        for cached in vars(aws).values():
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()
        for name in set(sys.modules) - modules:
            if name == "functions" or name.startswith("functions."):
                del sys.modules[name]
