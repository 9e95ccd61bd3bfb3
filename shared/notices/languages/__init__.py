"""The languages the notices are written in, by the account's locale; Chinese for any other locale."""

from __future__ import annotations

from collections.abc import Mapping

from shared.accounts.models import Locale
from shared.notices.language import Language
from shared.notices.languages import en, zh

DEFAULT = zh.LANGUAGE
LANGUAGES: Mapping[Locale, Language] = {language.locale: language for language in (zh.LANGUAGE, en.LANGUAGE)}


def language_of(locale: Locale) -> Language:
    return LANGUAGES.get(locale, DEFAULT)
