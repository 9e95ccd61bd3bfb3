"""AWS clients, built once per process. Handlers call these at module level (Lambda's init phase).

A handler builds its main client (DynamoDB) at import; a client it needs only for some of its work (a topic
to publish to, a queue to send to, SES) is a LazyClient, built on first use: each client costs 10-40 ms of
cold start (its service model is read and its class generated), which benchmarks/cold_import's goal has no
room for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import boto3
from botocore.config import Config


class LazyClient:
    """Stands in for the client `factory` returns, built on the first call through it (factory is cached)."""

    def __init__(self, factory: Callable[[], Any]):
        self._factory = factory

    def __getattr__(self, name: str) -> Any:
        return getattr(self._factory(), name)


_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=50)


@cache
def dynamodb_client() -> Any:
    return boto3.client("dynamodb", config=_CONFIG)


@cache
def sns_client() -> Any:
    return boto3.client("sns", config=_CONFIG)


@cache
def sqs_client() -> Any:
    return boto3.client("sqs", config=_CONFIG)


# Customer notices go out in bursts (the 00:00 run) against SES's and SMS's per-second quotas: adaptive
# retries slow the sender down when it is throttled, instead of failing messages into the dead-letter queue.
_SENDING_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=10)


@cache
def ses_client() -> Any:
    return boto3.client("ses", config=_SENDING_CONFIG)


@cache
def sms_client() -> Any:
    """SNS, for SMS to customers' phone numbers (domain events go through sns_client)."""
    return boto3.client("sns", config=_SENDING_CONFIG)


@cache
def kms_client() -> Any:
    return boto3.client("kms", config=_CONFIG)
