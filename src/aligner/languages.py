"""Languages: the codes aligner knows, how user input is normalised, and what a text reads as.

Users write ``en``, ``EN``, ``en-GB``, ``en_GB`` or ``eng``; inside aligner a language is always its
lower-case ISO 639-1 code. Full locales (for TMX ``xml:lang``) come from ``DEFAULT_LOCALES``.
``detect_language`` and ``language_mismatch`` confirm or refute the language a text is given as.
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
    "deu": "de",
    "ger": "de",
    "eng": "en",
    "spa": "es",
    "rus": "ru",
    "fra": "fr",
    "fre": "fr",
    "ita": "it",
    "por": "pt",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "ukr": "uk",
    "zho": "zh",
    "chi": "zh",
    "jpn": "ja",
    "ara": "ar",
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
            f"unknown language code: {code!r} (expected an ISO 639-1 code such as {', '.join(CORE_LANGUAGES)})"
        )
    return lang


def looks_like_lang(text: str) -> bool:
    """Whether ``text`` has the shape of a language code (``de``, ``en_GB``), known or not."""
    return bool(_CODE.match(text.strip()))


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


# --- names -------------------------------------------------------------------------------------

#: A core language's name, in each core language, as language switchers print it (case-folded).
_NAMES = {
    "deutsch": "de",
    "german": "de",
    "allemand": "de",
    "alemán": "de",
    "немецкий": "de",
    "english": "en",
    "englisch": "en",
    "anglais": "en",
    "inglés": "en",
    "английский": "en",
    "español": "es",
    "espanol": "es",
    "spanish": "es",
    "spanisch": "es",
    "espagnol": "es",
    "испанский": "es",
    "русский": "ru",
    "russian": "ru",
    "russisch": "ru",
    "ruso": "ru",
    "russe": "ru",
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "französisch": "fr",
    "francés": "fr",
    "французский": "fr",
}


def language_from_name(name: str) -> str | None:
    """``"Deutsch"`` or ``"allemand"`` -> ``"de"``; None for anything that is not a core language's name."""
    return _NAMES.get(name.casefold())


# --- detection ---------------------------------------------------------------------------------

#: A word: a run of letters in any script (no digits, no underscores).
WORD = re.compile(r"[^\W\d_]+")


def script(char: str) -> str:
    """The script of a letter, as far as the core languages need it: cyrillic, latin or other."""
    return "cyrillic" if "\u0400" <= char <= "\u04ff" else "latin" if char < "\u0250" else "other"


#: Frequent function words of the Latin-script core languages (Russian is told by its script).
_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the of and to in is that for on with as by this are was be it from at an which have has not will "
        "we our their its been were would also",
        "de": "der die das und ist nicht mit den von zu dem des auf für sich ein eine im auch werden wird wir "
        "unsere haben bei aus nach über wie oder",
        "es": "el la los las de que y en del por con para una es se no al lo como más su sus ha han este esta "
        "entre sobre nuestro",
        "fr": "le la les de des et est que une dans du pour qui en sur au aux avec par pas ce nous sont cette "
        "ont été notre leur",
    }.items()
}


def language_mismatch(text: str, lang: str) -> str | None:
    """Why ``text`` is not in ``lang`` (it clearly reads as another language we detect), or None.

    Only checked for the languages ``detect_language`` knows: it cannot vouch for any other.
    """
    if lang not in CORE_LANGUAGES:
        return None
    detected = detect_language(text)
    return f"the text reads as {detected!r}, expected {lang!r}" if detected and detected != lang else None


def detect_language(text: str) -> str | None:
    """de/en/es/ru/fr by script and stopwords; None when the text is too short or unclear.

    Deliberately small: it only has to confirm or refute the language a page was expected in.
    """
    words = [w.casefold() for w in WORD.findall(text)]
    if len(words) < 5:
        return None
    cyrillic = sum(1 for w in words if script(w[0]) == "cyrillic")
    if cyrillic > len(words) / 2:
        return "ru"
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 3 or top < 1.25 * second or top < len(words) * 0.08:
        return None
    return best
