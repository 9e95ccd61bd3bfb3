"""Render an event into the customer's notice, in the account's language. Pure: no I/O."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from shared.accounts.models import Locale
from shared.notices.detail import Detail
from shared.notices.facts import FACTS
from shared.notices.languages import language_of
from shared.notices.notice import Notice


def render_notice(event_type: str, detail: Any, *, account_id: str, locale: Locale, zone: ZoneInfo) -> Notice | None:
    """The notice of an event, or None for an event type no notice knows (the caller logs and skips it)."""
    facts_of = FACTS.get(event_type)
    if facts_of is None:
        return None
    language = language_of(locale)
    draft = language.texts[event_type](facts_of(Detail(detail)), language.formats(zone))
    return Notice(
        notice_type=event_type,
        title=draft.title,
        text=draft.text,
        sms=language.sms_signature + draft.sms,
        email_body=language.greeting.format(account_id=account_id) + draft.text + language.sign_off,
    )
