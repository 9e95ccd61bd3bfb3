"""The facts of the webhooks' notice: a webhook disabled after five days in which every delivery to it failed."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from shared.notices.detail import Detail


class WebhookDisabled(NamedTuple):
    webhook_id: str | None
    url: str | None
    failing_since: datetime | None  # the first failed attempt of the run that disabled it
    disabled_at: datetime | None


def webhook_disabled(detail: Detail) -> WebhookDisabled:
    return WebhookDisabled(webhook_id=detail.text("webhook_id"), url=detail.text("url"),
                           failing_since=detail.instant("failing_since"), disabled_at=detail.instant("disabled_at"))
