"""AWS clients, built once per process. Handlers call these at module level (Lambda's init phase)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=50)


@cache
def dynamodb_client() -> Any:
    return boto3.client("dynamodb", config=_CONFIG)


@cache
def sns_client() -> Any:
    return boto3.client("sns", config=_CONFIG)
