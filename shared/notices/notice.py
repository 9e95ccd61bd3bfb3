"""A customer's notice of one event, as each channel shows it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    """What a language writes of an event: the title, the full text (what happened and what to do) and the SMS."""

    title: str
    text: str
    sms: str


@dataclass(frozen=True)
class Notice:
    notice_type: str
    title: str  # the in-site message's title and the e-mail's subject
    text: str  # the in-site message's text
    sms: str  # short, signed
    email_body: str  # the text with a greeting and a sign-off
