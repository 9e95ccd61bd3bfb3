"""A language of the notices: its sentences for each event type's facts, and the words around them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from shared.accounts.models import Locale
from shared.events import EventType
from shared.notices.formats import Formats
from shared.notices.notice import Draft

# A text takes the facts of its event type (shared.notices.facts) and the language's formats.
Text = Callable[[Any, Formats], Draft]


@dataclass(frozen=True)
class Language:
    locale: Locale
    formats: Callable[[ZoneInfo], Formats]
    texts: Mapping[EventType, Text]
    sms_signature: str
    greeting: str  # the e-mail's first lines; {account_id} names the account
    sign_off: str
