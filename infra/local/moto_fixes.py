"""Where moto is not AWS in a way that would break the system's guarantees, and the smallest fix.

moto numbers a stream record by the length of the shard's record list at the moment it appends. Two
threads writing at once (the ingest function writes a batch's calls from a thread pool) can read the
same length: two records get one sequence number, a reader resuming after it sees a record again
forever, and the usage aggregator, which skips what it has applied, drops one. DynamoDB never does
this; appends are made one at a time here.
"""

from __future__ import annotations

import threading
from functools import wraps

_applied = False


def serialize_stream_appends() -> None:
    """Make moto's DynamoDB stream appends atomic (idempotent; process-wide, like moto's backends)."""
    global _applied
    if _applied:
        return
    from moto.dynamodb.models.table import StreamShard

    lock = threading.Lock()
    append = StreamShard.add

    @wraps(append)
    def add_one_at_a_time(self, old, new) -> None:
        with lock:
            append(self, old, new)

    StreamShard.add = add_one_at_a_time
    _applied = True
