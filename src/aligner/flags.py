"""Reasons to doubt a unit, named so that a translator (or ``aligner filter``) can act on them.

    numbers    a number, date or percentage differs between two languages (each read in its own format)
    length     one language's text is far longer or shorter than the others', for this document
    language   a segment does not read as its declared language (py3langid; see benchmarks/language_id.py)
    identical  two languages carry the same text: it was left untranslated
    long       a segment is over 2,000 characters, which several CAT tools reject
    unpaired   the unit has text in only one language (1-0, 0-1)
    moved      the unit is out of document order in some language (``Unit.moved``)

Each check looks at one unit's texts only, plus the document's length ratios; none needs a model.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from itertools import combinations

from .types import MultiAlignment, Unit

#: Every flag, in the order they are listed in ``x-flags``.
FLAGS = ("numbers", "length", "language", "identical", "long", "unpaired", "moved")

#: Characters above which a segment is ``long`` (OmegaT, Trados and memoQ imports choke on longer ones).
LONG_CHARS = 2000

#: A pair's log length ratio further than this from the document's is ``length`` (x1.75 or /1.75); set
#: so that about 1% of clean UD PUD units are flagged.
LENGTH_OUTLIER = math.log(1.75)

#: Segments shorter than this are not language-checked: on a few words every identifier guesses.
LANGUAGE_MIN_CHARS = 20

#: py3langid must give another language at least this probability, and the declared one at most
#: ``LANGUAGE_MAX_DECLARED``, before a segment is said not to be in its language.
LANGUAGE_MIN_OTHER = 0.9
LANGUAGE_MAX_DECLARED = 0.05

# A number as printed: digits grouped by spaces or apostrophes (1 000, 1'000), or digits joined by dots
# and commas (1,000.5; 12.03.2020), never across a separator followed by a space ("12, 2020").
_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:[ \u00a0\u202f'’]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)*)")
_GROUPING = re.compile(r"[ \u00a0\u202f'’]")
# Languages that group thousands with a comma and write decimals with a point (1,500.5).
_COMMA_THOUSANDS = frozenset({"en", "zh", "ja", "ko", "he", "th", "hi"})
_NOT_WORD = re.compile(r"[\W_]+")


def unit_flags(multi: MultiAlignment) -> tuple[tuple[str, ...], ...]:
    """The flags of every unit of ``multi``, in unit order (an empty tuple: no reason for doubt)."""
    ratios = _document_log_lengths(multi)
    texts = [{lang: multi.text(unit, lang) for lang, ix in unit.members if ix} for unit in multi.units]
    return tuple(flags_for(unit, unit_texts, ratios) for unit, unit_texts in zip(multi.units, texts, strict=True))


def flags_for(unit: Unit, texts: Mapping[str, str], log_lengths: dict[str, float] | None = None) -> tuple[str, ...]:
    """The flags of one unit, given its text per language; ``log_lengths`` as from ``_document_log_lengths``."""
    return text_flags(texts, log_lengths, moved=unit.moved)


def text_flags(
    texts: Mapping[str, str], log_lengths: dict[str, float] | None = None, *, moved: bool = False
) -> tuple[str, ...]:
    """The flags of a unit known only by its texts (a TMX from another tool: ``aligner filter``).

    Keys are language codes or locales (``en-GB``); empty texts count as absent. Without
    ``log_lengths`` a pair's texts are expected to be about as long as each other.
    """
    texts = {lang.split("-")[0].lower(): text for lang, text in texts.items() if text.strip()}
    found = {
        "numbers": numbers_differ(texts),
        "length": length_outlier(texts, log_lengths or {}),
        "language": any(segment_language_mismatch(text, lang) for lang, text in texts.items()),
        "identical": identical(texts),
        "long": any(len(text) > LONG_CHARS for text in texts.values()),
        "unpaired": len(texts) < 2,
        "moved": moved,
    }
    return tuple(flag for flag in FLAGS if found[flag])


# --- numbers -----------------------------------------------------------------------------------


def numbers(text: str, lang: str) -> frozenset[str]:
    """The numbers of ``text`` as canonical decimals, read with ``lang``'s separators.

    ``"1 000,5"`` (fr), ``"1.000,5"`` (de) and ``"1,000.5"`` (en) all give ``"1000.5"``; a run of
    dotted groups that is no grouped number (a date, 12.03.2020) gives each part.
    """
    found: set[str] = set()
    for token in _NUMBER.findall(text):
        found.update(_canonical(_GROUPING.sub("", token), lang))
    return frozenset(found)


def _canonical(token: str, lang: str) -> list[str]:
    separators = re.findall(r"[.,]", token)
    if not separators:
        return [_strip(token, "")]
    if len(set(separators)) == 2:  # both: the last one is the decimal mark
        decimal = token[max(token.rfind("."), token.rfind(","))]
        whole, fraction = token.rsplit(decimal, 1)
        return [_strip(re.sub(r"[.,]", "", whole), fraction)]
    mark = separators[0]
    groups = token.split(mark)
    if len(groups) > 2:  # 1.000.000 is grouped; 12.03.2020 is a date: its parts
        grouped = all(len(g) == 3 for g in groups[1:])
        return [_strip("".join(groups), "")] if grouped else [_strip(g, "") for g in groups]
    whole, fraction = groups
    thousands = len(fraction) == 3 and (mark == ",") == (lang in _COMMA_THOUSANDS)
    return [_strip(whole + fraction, "")] if thousands else [_strip(whole, fraction)]


def _strip(whole: str, fraction: str) -> str:
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def numbers_differ(texts: dict[str, str]) -> bool:
    """Whether two languages each have a number the other lacks.

    One-sided differences are let through: a translation may spell a number out ("two", "zwei") or
    leave a date's month as a word, but a changed figure leaves one unmatched on both sides.
    """
    sets = [numbers(text, lang) for lang, text in texts.items()]
    return any(_unmatched(a, b) and _unmatched(b, a) for a, b in combinations(sets, 2))


def _unmatched(these: frozenset[str], others: frozenset[str]) -> set[str]:
    """Numbers of ``these`` not in ``others``, a decade's year matching its two digits ("1970s", "años 70")."""
    decades = {_decade(n) for n in others} | {n for n in others if len(n) == 2}
    return {n for n in these - others if n not in decades and _decade(n) not in others}


def _decade(number: str) -> str:
    return number[2:] if len(number) == 4 and number[:2] in ("19", "20") and number.endswith("0") else ""


# --- length, identity, language ----------------------------------------------------------------


def _document_log_lengths(multi: MultiAlignment) -> dict[str, float]:
    """Log of each language's total characters: what a unit's length ratio is compared against."""
    return {doc.lang: math.log(sum(len(s) for s in doc.sentences) + 1.0) for doc in multi.docs}


def length_outlier(texts: dict[str, str], log_lengths: dict[str, float]) -> bool:
    """Whether some pair's log length ratio is further than ``LENGTH_OUTLIER`` from the document's."""
    expected = {pair: log_lengths.get(pair[0], 0.0) - log_lengths.get(pair[1], 0.0) for pair in combinations(texts, 2)}
    return any(
        abs(math.log((len(texts[a]) + 10.0) / (len(texts[b]) + 10.0)) - expected[a, b]) > LENGTH_OUTLIER
        for a, b in combinations(texts, 2)
    )


def identical(texts: dict[str, str]) -> bool:
    """Whether two languages have the same words (case, spaces and punctuation aside) with a letter among them."""
    keys = [_NOT_WORD.sub(" ", text.casefold()).strip() for text in texts.values()]
    return any(a == b and any(c.isalpha() for c in a) for a, b in combinations(keys, 2))


def segment_language_mismatch(text: str, lang: str) -> bool:
    """Whether ``text`` clearly reads as another language than ``lang`` (too short to tell: False)."""
    if len(text) < LANGUAGE_MIN_CHARS:
        return False
    ranked = _identifier().rank(text)
    probability = dict(ranked)
    best, best_probability = ranked[0]
    if lang not in probability:  # a language the identifier does not know: it cannot vouch either way
        return False
    return best != lang and best_probability >= LANGUAGE_MIN_OTHER and probability[lang] <= LANGUAGE_MAX_DECLARED


@functools.cache
def _identifier():  # type: ignore[no-untyped-def]
    """py3langid's model with probabilities, loaded on first use (about 0.3 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def flag_list(flags: Sequence[str]) -> str:
    """The ``x-flags`` value: comma-separated, no spaces."""
    return ",".join(flags)
