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

from shared.aws import LazyClient, dynamodb_client
from shared.config import Settings, settings

Built = TypeVar("Built")


@dataclass(frozen=True, eq=False)
class Clients:
    """The clients the builders use. One left None is the deployment's own (shared.aws), which the builder that
    needs it makes a LazyClient of: built on first use, since each costs 10-40 ms of cold start and most runs
    publish, queue or send nothing. Only the builders that use a client name it, so a function's code names
    just the clients it uses (tests/iam.py checks its IAM policy against them)."""

    dynamodb: Any
    sns: Any = None  # the domain-event topic
    sqs: Any = None
    sms: Any = None  # SNS for customers' phones, with the sending retries of shared.aws
    ses: Any = None
    kms: Any = None  # webhook secrets


def own_or(client: Any, factory: Callable[[], Any]) -> Any:
    """`client` if one was given, else the deployment's own from `factory`, built on first use."""
    return LazyClient(factory) if client is None else client


@lru_cache(maxsize=1)
def _clients_around(dynamodb: Any) -> Clients:
    return Clients(dynamodb)


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
