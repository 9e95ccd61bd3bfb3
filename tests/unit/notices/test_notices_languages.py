"""Every event type has its facts, and every registered language a text for them."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import Locale
from shared.events import EventType
from shared.notices.detail import Detail
from shared.notices.facts import FACTS
from shared.notices.languages import DEFAULT, LANGUAGES, language_of

DETAILS = json.loads((Path(__file__).parents[2] / "events" / "domain_events.json").read_text(encoding="utf-8"))
EVERY_LANGUAGE = list(LANGUAGES.values())


def test_every_event_type_has_facts():
    assert set(FACTS) == set(EventType)


@pytest.mark.parametrize("event_type", list(EventType))
def test_the_facts_of_an_event_are_an_immutable_record(event_type):
    facts = FACTS[event_type](Detail(DETAILS[event_type]))

    assert isinstance(facts, tuple) and hasattr(type(facts), "_fields")  # a NamedTuple
    with pytest.raises(AttributeError):
        facts.__setattr__(facts._fields[0], None)


@pytest.mark.parametrize("language", EVERY_LANGUAGE, ids=lambda language: language.locale.value)
def test_every_registered_language_has_a_text_for_every_event_type(language):
    assert set(language.texts) == set(EventType)


@pytest.mark.parametrize("language", EVERY_LANGUAGE, ids=lambda language: language.locale.value)
@pytest.mark.parametrize("event_type", list(EventType))
def test_every_registered_language_writes_the_facts_of_every_event_type(language, event_type):
    facts = FACTS[event_type](Detail(DETAILS[event_type]))

    draft = language.texts[event_type](facts, language.formats(ZoneInfo("Asia/Shanghai")))

    assert draft.title and draft.text and draft.sms


def test_every_locale_has_its_language_and_chinese_is_the_default():
    assert {locale: language.locale for locale, language in LANGUAGES.items()} == {locale: locale for locale in Locale}
    assert DEFAULT.locale is Locale.ZH_CN and language_of(Locale.EN).locale is Locale.EN
