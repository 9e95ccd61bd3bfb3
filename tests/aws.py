"""moto (`mock_aws`) with the tables, topics and queues of template.yaml, for integration tests."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import boto3
from moto import mock_aws

from infra.local import provision
from infra.local.intrinsics import PhysicalResources
from infra.local.template import StackTemplate, load_template
from shared import config
from tests.support import REPO_ROOT


@cache
def _parsed_template() -> dict[str, Any]:
    return load_template(REPO_ROOT / "template.yaml")


@cache
def aws_client(service: str) -> Any:
    """One client per service for the whole run: moto intercepts every botocore client, whenever it was made."""
    return boto3.client(service, region_name="us-east-1")


@contextmanager
def template_resources(parameters: dict[str, str] | None = None) -> Iterator[PhysicalResources]:
    """Inside: moto is on, every resource of template.yaml exists, and the environment holds what
    the template gives its functions (table names, topic ARN), as in Lambda."""
    saved = dict(os.environ)
    os.environ.update({"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    template = StackTemplate(REPO_ROOT / "template.yaml", copy.deepcopy(_parsed_template()))
    physical = PhysicalResources(region="us-east-1", account_id="123456789012", stack_name="test")
    physical.parameters = template.parameter_values(parameters or {})
    try:
        with mock_aws():
            provision.provision(aws_client, template, physical)
            os.environ.update(provision.function_environment(template, physical))
            config.settings.cache_clear()
            yield physical
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.settings.cache_clear()
