"""Language codes: what aligner knows, and how user input is normalised.

Users write ``en``, ``EN``, ``en-GB``, ``en_GB`` or ``eng``; inside aligner a language is always its
lower-case ISO 639-1 code. Full locales (for TMX ``xml:lang``) come from ``DEFAULT_LOCALES``.
"""

from __future__ import annotations

import re

from .errors import LanguageError

#: Languages with tuned sentence segmentation and site profiles, in mid.ru's switcher order.
CORE_LANGUAGES: tuple[str, ...] = ("de", "en", "es", "ru", "fr")

#: Locale written to TMX ``xml:lang`` for each language (override with ``--locale ll=ll-CC``).
DEFAULT_LOCALES: dict[str, str] = {
    "de": "de-DE",
    "en": "en-GB",
    "es": "es-ES",
    "ru": "ru-RU",
    "fr": "fr-FR",
    "it": "it-IT",
    "pt": "pt-PT",
    "nl": "nl-NL",
    "pl": "pl-PL",
    "uk": "uk-UA",
    "zh": "zh-CN",
    "ja": "ja-JP",
    "ar": "ar-SA",
}

_THREE_LETTER = {
    "deu": "de", "ger": "de", "eng": "en", "spa": "es", "rus": "ru", "fra": "fr", "fre": "fr",
    "ita": "it", "por": "pt", "nld": "nl", "dut": "nl", "pol": "pl", "ukr": "uk", "zho": "zh",
    "chi": "zh", "jpn": "ja", "ara": "ar",
}

# Every ISO 639-1 code: accepted anywhere, even without tuned segmentation.
_ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)

_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}|[A-Za-z]{4}))?$")


def normalize_lang(code: str) -> str:
    """``"en_GB"`` -> ``"en"``; raise LanguageError for anything that is not a language code."""
    match = _CODE.match(code.strip())
    if not match:
        raise LanguageError(f"not a language code: {code!r} (expected e.g. en, de, fr-FR)")
    lang = match.group(1).lower()
    lang = _THREE_LETTER.get(lang, lang)
    if lang not in _ISO_639_1:
        raise LanguageError(
            f"unknown language code: {code!r} (expected an ISO 639-1 code such as "
            f"{', '.join(CORE_LANGUAGES)})"
        )
    return lang


def parse_lang_list(text: str) -> tuple[str, ...]:
    """``"de,en, ru"`` -> ``("de", "en", "ru")``, without duplicates, in the given order."""
    langs: list[str] = []
    for part in text.split(","):
        if part.strip():
            lang = normalize_lang(part)
            if lang not in langs:
                langs.append(lang)
    if not langs:
        raise LanguageError(f"no language codes in {text!r}")
    return tuple(langs)


def locale_for(lang: str, overrides: dict[str, str] | None = None) -> str:
    """Full locale for TMX: the override if given, else the default, else the bare code."""
    if overrides and lang in overrides:
        return overrides[lang]
    return DEFAULT_LOCALES.get(lang, lang)
