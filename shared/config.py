"""Deployment settings: one validated record, read from the environment on first use.

Read lazily (not at import) so that importing a handler never fails for a setting it does not
need, and loudly: a bad or missing value is an error, never a silent default table name.
A dataclass, not a pydantic model: the authorizer and the usage aggregator read settings and have
no other use for pydantic, whose import would lengthen their cold starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_BILLING_TIME_ZONE = "Asia/Shanghai"
DEFAULT_ARREARS_RELEASE_DAYS = 15  # DESIGN.md: accounts suspended this long are released

# Setting name -> environment variable, as template.yaml's Globals set them.
ENVIRONMENT_NAMES = {
    "billing_time_zone": "BILLING_TIME_ZONE",
    "arrears_release_days": "ARREARS_RELEASE_DAYS",
    "accounts_table": "ACCOUNTS_TABLE",
    "api_keys_table": "API_KEYS_TABLE",
    "packs_table": "PACKS_TABLE",
    "ledger_table": "LEDGER_TABLE",
    "books_table": "BOOKS_TABLE",
    "bills_table": "BILLS_TABLE",
    "calls_table": "CALLS_TABLE",
    "usage_table": "USAGE_TABLE",
    "messages_table": "MESSAGES_TABLE",
    "idempotency_table": "IDEMPOTENCY_TABLE",
    "domain_events_topic_arn": "DOMAIN_EVENTS_TOPIC_ARN",
    "notice_email_sender": "NOTICE_EMAIL_SENDER",
    "settlement_queue_url": "SETTLEMENT_QUEUE_URL",
    "reconciliation_queue_url": "RECONCILIATION_QUEUE_URL",
    "webhooks_table": "WEBHOOKS_TABLE",
    "webhook_queue_url": "WEBHOOK_QUEUE_URL",
    "webhook_secrets_key_id": "WEBHOOK_SECRETS_KEY_ID",
    "webhook_targets": "WEBHOOK_TARGETS",
}
WEBHOOK_TARGET_POLICIES = ("public", "loopback")  # shared.webhooks.targets.TargetPolicy


class SettingsError(RuntimeError):
    """The deployment's environment is incomplete or wrong."""


@dataclass(frozen=True)
class Settings:
    accounts_table: str
    api_keys_table: str
    packs_table: str
    ledger_table: str
    books_table: str
    bills_table: str
    calls_table: str
    usage_table: str
    messages_table: str
    idempotency_table: str
    domain_events_topic_arn: str
    notice_email_sender: str  # the From address of customer e-mail, on the template's SES identity
    settlement_queue_url: str
    reconciliation_queue_url: str
    webhooks_table: str
    webhook_queue_url: str
    webhook_secrets_key_id: str  # the KMS key webhook secrets are encrypted with
    webhook_targets: str = "public"  # "loopback" on the local stack: webhooks may reach this machine alone
    billing_time_zone: str = DEFAULT_BILLING_TIME_ZONE
    arrears_release_days: int = DEFAULT_ARREARS_RELEASE_DAYS

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.billing_time_zone)

    @classmethod
    def from_environment(cls) -> Settings:
        values = {name: os.environ[name_in_env] for name, name_in_env in ENVIRONMENT_NAMES.items()
                  if os.environ.get(name_in_env)}
        values.setdefault("billing_time_zone", DEFAULT_BILLING_TIME_ZONE)
        values.setdefault("arrears_release_days", str(DEFAULT_ARREARS_RELEASE_DAYS))
        values.setdefault("webhook_targets", "public")
        problems = [f"{name_in_env} is missing or empty" for name, name_in_env in ENVIRONMENT_NAMES.items()
                    if name not in values]
        try:
            ZoneInfo(values["billing_time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"BILLING_TIME_ZONE {values['billing_time_zone']!r} is not a known IANA time zone")
        release_days = values["arrears_release_days"]
        if not release_days.isdigit() or int(release_days) < 1:
            problems.append(f"ARREARS_RELEASE_DAYS {release_days!r} is not a whole number of days, at least 1")
        if values["webhook_targets"] not in WEBHOOK_TARGET_POLICIES:
            problems.append(f"WEBHOOK_TARGETS {values['webhook_targets']!r} is not one of "
                            f"{', '.join(WEBHOOK_TARGET_POLICIES)}")
        if problems:
            raise SettingsError(f"bad or missing settings: {'; '.join(problems)}")
        return cls(**{**values, "arrears_release_days": int(release_days)})


@cache
def settings() -> Settings:
    return Settings.from_environment()
