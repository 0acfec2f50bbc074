"""Reasons to doubt a unit that need no model: what ``filter`` computes for TMX files from other tools.

``unit_flags`` looks at the texts only, so it works on any memory; the aligner's own units carry the
same names in their ``x-flags`` prop. ``language`` is the small stopword test of ``languages``, and
``moved`` cannot be told from the texts (it comes from the ``x-moved`` prop).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import combinations

from .languages import WORD, language_mismatch

#: Every flag a unit can carry in ``x-flags``, in the order they are listed.
FLAGS: tuple[str, ...] = ("numbers", "length", "language", "identical", "long", "unpaired", "moved")

#: Longest segment, in characters, that every common CAT tool accepts.
MAX_SEGMENT_CHARS = 2000

# A thousands separator: one to three digits before it, exactly three after (and no more digits).
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})(?:[.,'’\u00a0\u202f\u2009 ]\d{3}(?!\d))+")
_GROUP_SEPARATOR = re.compile(r"[.,'’\u00a0\u202f\u2009 ]")
_DIGITS = re.compile(r"\d+")

# Characters per English character: scripts that write a word in fewer characters.
_DENSITY = {"zh": 0.3, "ja": 0.4, "ko": 0.45}
# A ratio of (density-corrected) lengths above this, for a side of at least _MIN_LONGER characters.
_MAX_RATIO = 2.2
_MIN_LONGER = 20
_NOT_WORD = re.compile(r"[\W_]+")


def unit_flags(variants: Mapping[str, str]) -> tuple[str, ...]:
    """The flags of a unit given its text in each language (2-letter codes), in the order of ``FLAGS``."""
    texts = {lang: text for lang, text in variants.items() if text.strip()}
    pairs = list(combinations(texts.items(), 2))
    found = {
        "numbers": any(_numbers(a) != _numbers(b) for (_, a), (_, b) in pairs),
        "length": any(_length_outlier(a, b) for a, b in pairs),
        "language": any(language_mismatch(text, lang) for lang, text in texts.items()),
        "identical": any(_same_words(a, b) for (_, a), (_, b) in pairs),
        "long": any(len(text) > MAX_SEGMENT_CHARS for text in texts.values()),
        "unpaired": len(texts) < 2,
    }
    return tuple(flag for flag in FLAGS if found.get(flag))


def _numbers(text: str) -> frozenset[int]:
    """The numbers of a text as the groups of digits they are written with, whatever the separators.

    Thousands separators are dropped first ("1,000" and "1.000" and "1 000" are 1000); what is left is
    split into its digit groups, so "3.5" and "3,5" agree, and so do "03/12/2024" and "12.03.2024".
    """
    joined = _THOUSANDS.sub(lambda m: _GROUP_SEPARATOR.sub("", m.group(0)), text)
    return frozenset(int(group) for group in _DIGITS.findall(joined))


def _length_outlier(a: tuple[str, str], b: tuple[str, str]) -> bool:
    (lang_a, text_a), (lang_b, text_b) = a, b
    len_a, len_b = len(text_a) / _DENSITY.get(lang_a, 1.0), len(text_b) / _DENSITY.get(lang_b, 1.0)
    shorter, longer = sorted((len_a, len_b))
    return longer >= _MIN_LONGER and longer > _MAX_RATIO * max(shorter, 1.0)


def _same_words(a: str, b: str) -> bool:
    """Same text, case, spaces and punctuation aside; a text without letters ("2024", "1.") may repeat."""
    return bool(WORD.search(a)) and _NOT_WORD.sub(" ", a).strip().casefold() == _NOT_WORD.sub(" ", b).strip().casefold()
