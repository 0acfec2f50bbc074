"""Language codes as users type them, normalised to ISO 639-1."""

from __future__ import annotations

import pytest

from aligner.errors import LanguageError
from aligner.languages import (
    CORE_LANGUAGES,
    DEFAULT_LOCALES,
    locale_for,
    normalize_lang,
    parse_lang_list,
)


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("en", "en"),
        ("EN", "en"),
        (" de ", "de"),
        ("en_GB", "en"),
        ("en-gb", "en"),
        ("fr-FR", "fr"),
        ("eng", "en"),
        ("ger", "de"),
        ("fre", "fr"),
        ("rus", "ru"),
        ("zh-Hant", "zh"),
        ("es-419", "es"),
        ("sw", "sw"),  # any ISO 639-1 code is accepted, even without tuned segmentation
    ],
)
def test_normalize_lang(code: str, lang: str) -> None:
    assert normalize_lang(code) == lang


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "not a language code"),
        ("english", "not a language code"),
        ("e", "not a language code"),
        ("en-GB-oxendict", "not a language code"),
        ("de,en", "not a language code"),
        ("xx", "unknown language code: 'xx'"),
        ("zz-ZZ", "unknown language code: 'zz-ZZ'"),
        ("xyz", "unknown language code"),
    ],
)
def test_normalize_lang_rejects_what_is_not_a_language(code: str, message: str) -> None:
    with pytest.raises(LanguageError, match=message) as caught:
        normalize_lang(code)
    assert "\n" not in str(caught.value)


def test_unknown_code_message_suggests_the_core_languages() -> None:
    with pytest.raises(LanguageError) as caught:
        normalize_lang("qq")
    assert all(lang in str(caught.value) for lang in CORE_LANGUAGES)


def test_parse_lang_list_keeps_order_and_drops_duplicates() -> None:
    assert parse_lang_list("de,en, ru") == ("de", "en", "ru")
    assert parse_lang_list("RU,ru-RU,rus,fr,") == ("ru", "fr")
    assert parse_lang_list("es") == ("es",)


@pytest.mark.parametrize("text", ["", " , ,", ","])
def test_parse_lang_list_needs_at_least_one_code(text: str) -> None:
    with pytest.raises(LanguageError, match="no language codes"):
        parse_lang_list(text)


def test_parse_lang_list_names_the_bad_code() -> None:
    with pytest.raises(LanguageError, match="'zz'"):
        parse_lang_list("de,zz")


def test_locale_for_prefers_override_then_default_then_bare_code() -> None:
    assert locale_for("en") == "en-GB"
    assert locale_for("en", {"en": "en-US"}) == "en-US"
    assert locale_for("de", {"en": "en-US"}) == "de-DE"
    assert locale_for("sw") == "sw"
    assert all(locale_for(lang).startswith(lang + "-") for lang in CORE_LANGUAGES)
    assert set(CORE_LANGUAGES) <= set(DEFAULT_LOCALES)
