"""Deployment settings: one validated model, read from the environment on first use.

Read lazily (not at import) so that importing a handler never fails for a setting it does not
need, and loudly: a bad or missing value is an error, never a silent default table name.
"""

from __future__ import annotations

import os
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator

DEFAULT_BILLING_TIME_ZONE = "Asia/Shanghai"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    billing_time_zone: str = DEFAULT_BILLING_TIME_ZONE

    @field_validator("billing_time_zone")
    @classmethod
    def _must_be_a_known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"BILLING_TIME_ZONE: unknown IANA time zone {value!r}") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.billing_time_zone)

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(billing_time_zone=os.environ.get("BILLING_TIME_ZONE") or DEFAULT_BILLING_TIME_ZONE)


@cache
def settings() -> Settings:
    return Settings.from_environment()
