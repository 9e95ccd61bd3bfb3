"""When the local stack's drain polls its event sources, and when it may skip them."""

from __future__ import annotations

from infra.local.event_sources import EventSources


class FakePoller:
    """A source holding `pending` batches; `fail_next` makes the next batch fail (it comes back later)."""

    def __init__(self, pending: int = 0):
        self.pending = pending
        self.polls = 0
        self.failed = False
        self.fail_next = False

    def poll_once(self) -> bool:
        self.polls += 1
        self.failed = self.fail_next
        self.fail_next = False
        if self.failed:
            return True
        if self.pending:
            self.pending -= 1
            return True
        return False


class WriteCounter:
    def __init__(self):
        self.count = 0

    def __call__(self) -> int:
        return self.count


def test_a_drain_delivers_until_every_source_is_empty():
    poller = FakePoller(pending=3)
    EventSources([poller], WriteCounter()).drain()

    assert poller.pending == 0
    assert poller.polls == 4


def test_with_nothing_written_since_the_sources_were_found_empty_a_drain_polls_nothing():
    poller, writes = FakePoller(), WriteCounter()
    sources = EventSources([poller], writes)
    sources.drain()

    sources.drain()
    sources.drain()

    assert poller.polls == 1


def test_a_write_makes_the_next_drain_look_again():
    poller, writes = FakePoller(), WriteCounter()
    sources = EventSources([poller], writes)
    sources.drain()

    writes.count += 1
    poller.pending = 1
    sources.drain()

    assert poller.pending == 0


def test_a_write_made_while_a_drain_polls_is_not_taken_as_quiet():
    writes = WriteCounter()

    class WritesWhilePolled(FakePoller):
        def poll_once(self) -> bool:
            if self.polls == 0:
                writes.count += 1  # another request writes while the first round is under way
            return super().poll_once()

    poller = WritesWhilePolled()
    sources = EventSources([poller], writes)
    sources.drain()
    sources.drain()

    assert poller.polls == 2


def test_after_a_failed_batch_drains_keep_looking_and_a_forced_drain_always_does():
    poller, writes = FakePoller(), WriteCounter()
    sources = EventSources([poller], writes)
    poller.fail_next = True
    sources.drain()
    polls_after_failure = poller.polls

    sources.drain()
    assert poller.polls > polls_after_failure
    quiet_polls = poller.polls
    sources.drain()
    assert poller.polls == quiet_polls
    sources.drain(force=True)
    assert poller.polls == quiet_polls + 1


def test_without_a_write_count_every_drain_polls():
    poller = FakePoller()
    sources = EventSources([poller])
    sources.drain()
    sources.drain()

    assert poller.polls == 2
