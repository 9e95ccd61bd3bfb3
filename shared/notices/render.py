"""Render an event into the customer's notice, in the account's language. Pure: no I/O."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from shared.accounts.models import Locale
from shared.notices import en, zh
from shared.notices.detail import Detail
from shared.notices.formats import Formats
from shared.notices.notice import Notice


def render_notice(event_type: str, detail: Any, *, account_id: str, locale: Locale, zone: ZoneInfo) -> Notice | None:
    """The notice of an event, or None for an event type no template knows (the caller logs and skips it)."""
    language = en if locale is Locale.EN else zh
    template = language.TEMPLATES.get(event_type)
    if template is None:
        return None
    draft = template(Detail(detail), Formats("en" if language is en else "zh", zone))
    return Notice(
        notice_type=event_type,
        title=draft.title,
        text=draft.text,
        sms=language.SMS_SIGNATURE + draft.sms,
        email_body=language.GREETING.format(account_id=account_id) + draft.text + language.SIGN_OFF,
    )
