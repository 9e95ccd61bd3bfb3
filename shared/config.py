"""Deployment settings: one validated model, read from the environment on first use.

Read lazily (not at import) so that importing a handler never fails for a setting it does not
need, and loudly: a bad or missing value is an error, never a silent default table name.
"""

from __future__ import annotations

import os
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_BILLING_TIME_ZONE = "Asia/Shanghai"

# Setting name -> environment variable, as template.yaml's Globals set them.
ENVIRONMENT_NAMES = {
    "billing_time_zone": "BILLING_TIME_ZONE",
    "accounts_table": "ACCOUNTS_TABLE",
    "api_keys_table": "API_KEYS_TABLE",
    "packs_table": "PACKS_TABLE",
    "ledger_table": "LEDGER_TABLE",
    "bills_table": "BILLS_TABLE",
    "calls_table": "CALLS_TABLE",
    "usage_table": "USAGE_TABLE",
    "messages_table": "MESSAGES_TABLE",
    "idempotency_table": "IDEMPOTENCY_TABLE",
    "domain_events_topic_arn": "DOMAIN_EVENTS_TOPIC_ARN",
}


class SettingsError(RuntimeError):
    """The deployment's environment is incomplete or wrong."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    billing_time_zone: str = DEFAULT_BILLING_TIME_ZONE
    accounts_table: str = Field(min_length=1)
    api_keys_table: str = Field(min_length=1)
    packs_table: str = Field(min_length=1)
    ledger_table: str = Field(min_length=1)
    bills_table: str = Field(min_length=1)
    calls_table: str = Field(min_length=1)
    usage_table: str = Field(min_length=1)
    messages_table: str = Field(min_length=1)
    idempotency_table: str = Field(min_length=1)
    domain_events_topic_arn: str = Field(min_length=1)

    @field_validator("billing_time_zone")
    @classmethod
    def _must_be_a_known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.billing_time_zone)

    @classmethod
    def from_environment(cls) -> Settings:
        values = {name: os.environ[name_in_env] for name, name_in_env in ENVIRONMENT_NAMES.items()
                  if os.environ.get(name_in_env)}
        try:
            return cls(**values)
        except ValidationError as error:
            missing = [ENVIRONMENT_NAMES[str(e["loc"][0])] for e in error.errors() if e["loc"]]
            raise SettingsError(f"bad or missing settings: {', '.join(missing)}: {error}") from error


@cache
def settings() -> Settings:
    return Settings.from_environment()


def billing_zone() -> ZoneInfo:
    """The billing time zone alone, for code that needs no table (BILLING_TIME_ZONE or Asia/Shanghai)."""
    return ZoneInfo(os.environ.get("BILLING_TIME_ZONE") or DEFAULT_BILLING_TIME_ZONE)
