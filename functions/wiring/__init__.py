"""The composition root: every function's repositories, publishers and senders, built in this one place from
the deployment's settings (shared.config) and AWS clients (shared.aws). Services take what they use as
arguments; handlers ask this package for it; unit tests pass fakes to the services instead.

Each builder runs once per deployment: in Lambda once per cold start. A test that points the process at
other tables or another emulator clears shared.config.settings or shared.aws's client caches, and the next
call builds again for the new deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache, wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from shared.aws import LazyClient, dynamodb_client, ses_client, sms_client, sns_client, sqs_client
from shared.config import Settings, settings
from shared.store.events import EventPublisher

Built = TypeVar("Built")


@dataclass(frozen=True, eq=False)
class Clients:
    dynamodb: Any
    sns: Any  # the domain-event topic
    sqs: Any
    sms: Any  # SNS for customers' phones, with the sending retries of shared.aws
    ses: Any


@lru_cache(maxsize=1)
def _clients_around(dynamodb: Any) -> Clients:
    # Every client but DynamoDB is built on first use: each costs 10-40 ms of cold start, and most runs
    # publish, queue or send nothing.
    return Clients(dynamodb, LazyClient(sns_client), LazyClient(sqs_client), LazyClient(sms_client),
                   LazyClient(ses_client))


def deployment_clients() -> Clients:
    return _clients_around(dynamodb_client())


def open_clients() -> None:
    """Build the DynamoDB client now: handlers call this at import, in Lambda's init phase."""
    deployment_clients()


def per_deployment(build: Callable[[Settings, Clients], Built]) -> Callable[[], Built]:
    """`build(settings, clients)` once per deployment (see the module's docstring)."""
    cached = lru_cache(maxsize=1)(build)

    @wraps(build)
    def current() -> Built:
        return cached(settings(), deployment_clients())

    return current


def with_clients(build: Callable[[Settings, Clients], Built], **replaced: Any) -> Callable[[], Built]:
    """`build` with some of the deployment's clients replaced, for a test or benchmark that wraps one (a
    DynamoDB client that crashes or counts): `monkeypatch.setattr(app, "usage_counters",
    with_clients(build_usage_counters, dynamodb=wrapped))`, built anew on each call."""
    return lambda: build(settings(), replace(deployment_clients(), **replaced))


def billing_zone() -> ZoneInfo:
    return settings().zone


def domain_events(config: Settings, clients: Clients) -> EventPublisher:
    return EventPublisher(clients.sns, config.domain_events_topic_arn)
