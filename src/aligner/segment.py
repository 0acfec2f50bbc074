"""Sentence segmentation: fast, rule-based, tuned for de, en, es, ru and fr.

A candidate boundary is terminal punctuation (``. ! ? …``) with any closing quotes or brackets,
then whitespace, then something that can open a sentence: a capital letter or digit, possibly after
opening quotes, brackets or a dash, or an enumeration marker such as ``b)``. Every candidate after
``!`` or ``?`` is a boundary, and so is one after an ellipsis unless it marks an omission ``[…]``,
and one where a quotation closes right after a period (``«… 2020 г.» Then``).
Otherwise the word before the period decides (word lists in ``_abbreviations``):

1. a list marker (``1.``, ``IV.``, ``a.``) at the start of a sentence or after a colon opens an item;
2. a period right after a closing bracket or quote (``(1990).``, ``«…».``) ends the sentence;
3. a unit after a number (``2020 г.``, ``5 Mio.``, ``2,5 млрд. долл.``) is ambiguous (see 8);
4. a list closer (``etc.``, ``usw.``, ``и т. д.``) ends the sentence;
5. so does an era marker (``B.C.``, ``до н. э.``), unless it closes a fronted date (``In 44 B.C. Caesar``);
6. a title or non-final abbreviation (``Mr.``, ``S.E.``, ``z. B.``, ``т. е.``) does not;
7. an abbreviation used before numbers (``Nov. 2020``, ``Nr. 5``) does not before a digit;
8. ambiguous tokens - listed ones (``Inc.``, ``U.S.``), initials and dotted acronyms (``S.``,
   ``S.V.``), German ordinals (``9. November``, ``Wilhelm II.``) - end the sentence only when the next
   word is a common sentence opener (``The``, ``Der``, ``В``...), never when it is a name or a noun;
9. any other word ends the sentence.

A "sentence" longer than ``MAX_SENTENCE_CHARS`` (a line without punctuation, a table flattened into
text) is cut after the last clause mark (``; : ,``) or space that keeps each piece within the limit,
with a warning: an encoder's memory grows with the length of what it embeds in one piece.

Sentences are returned stripped, with runs of whitespace collapsed to one space (a single no-break
space, as French puts before ``?`` or ``»``, is kept), so ``" ".join(sentences)`` is the paragraph
with its whitespace normalised the same way.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from ._abbreviations import GENERIC, RULES
from .languages import WORD, normalize_lang
from .types import Document, SegmentedDocument

__all__ = ["MAX_SENTENCE_CHARS", "segment", "split_sentences"]

logger = logging.getLogger("aligner.segment")

_OPENERS = "\"'“„«»‹›‘‚([{¿¡"
_DASHES = "—–-"
_QUOTES = "\"'“”„«»‹›‘’‚"
_BRACKETS = _QUOTES + "()[]{}¿¡"

# Terminal punctuation, closing quotes/brackets (attached, or French-style after a space), then
# whitespace that is not just a no-break space (which glues words: "г.\u00a0Москва").
_CANDIDATE = re.compile(r"""([.!?…]+)((?:[)\]}"'”“’‘»«›‹]|\s+[»›](?=\s))*)(?=\s*[^\S\u00a0\u2007\u202f])\s+""")
# Whitespace to collapse: any run of two or more, or one character that is not a plain or no-break space.
_SPACES = re.compile(r"\s{2,}|[^\S \u00a0\u2007\u202f]")
# An elided article or preposition in front of an abbreviation: "l’art." -> "art.".
_ELISION = re.compile(r"^[^\W\d_]{1,2}['’]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Initials and dotted acronyms: S, S.V, U.S, J.-C, Ph.D, т.е (one letter, or parts of one or two).
_DOTTED = re.compile(r"[^\W\d_]|[^\W\d_]{1,2}(?:\.-?[^\W\d_]{1,2})+")
_ROMAN = re.compile(r"(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
# What may stand first in a numbered list: 1, 2.1, IV, a.
_LIST_MARKER = re.compile(r"\d{1,3}(?:\.\d{1,3})*|[^\W\d_]|" + _ROMAN.pattern)
# German ordinal numbers are written with a period: "am 9. November", "im 19. Jahrhundert".
_ORDINAL = re.compile(r"\d{1,3}|" + _ROMAN.pattern)
# Short abbreviation parts that join with a following one: "z. B." -> z.B, "EE. UU." -> EE.UU.
_SHORT_PART = re.compile(r"[^\W\d_]{1,3}\.")


#: Longest sentence passed on whole; real ones stay far below (legal texts rarely pass 1,500).
MAX_SENTENCE_CHARS = 2000
# Where an overlong sentence may be cut: after a clause mark and its space, else at any space.
_CLAUSE_END = re.compile(r"[;:,)\]»”]\s")
_SPACE = re.compile(r"\s")

#: List names from ``_abbreviations``, strongest first: a word in two lists gets the first.
_KINDS = ("terminal", "eras", "nonterminal", "before_number", "ambiguous")


@dataclass(frozen=True)
class _Rules:
    """One language's word lists (see ``_abbreviations``), ready for lookup."""

    kinds: dict[str, str]  # abbreviation -> the name of the first list in _KINDS that holds it
    units: frozenset[str]
    starters: frozenset[str]
    ordinals: bool  # "9." before a word is an ordinal number (German)


def split_sentences(text: str, lang: str) -> list[str]:
    """Split one paragraph into sentences (stripped, non-empty, whitespace-normalised)."""
    sentences = _split(text, _rules_for(normalize_lang(lang)))
    _warn_if_overlong(sentences, "text")
    return _cap_lengths(sentences)


def segment(document: Document) -> SegmentedDocument:
    """Split every block of ``document.text_blocks()`` separately: sentences never cross blocks."""
    lang = normalize_lang(document.lang)
    rules = _rules_for(lang)
    paragraphs = [_split(block, rules) for block in document.text_blocks()]
    _warn_if_overlong([s for sentences in paragraphs for s in sentences], document.source or lang)
    return SegmentedDocument(
        lang=lang,
        paragraphs=tuple(tuple(_cap_lengths(sentences)) for sentences in paragraphs),
        source=document.source,
        doc_id=document.doc_id,
        date=document.date,
    )


@functools.cache
def _rules_for(lang: str) -> _Rules:
    """Word lists for ``lang``; other languages get generic rules, with one warning each."""
    spec = RULES.get(lang)
    if spec is None:
        logger.warning("no sentence rules for %r: using generic rules (tuned: %s)", lang, ", ".join(RULES))
        spec = GENERIC
    kinds = {word: kind for kind in reversed(_KINDS) for word in spec[kind].split()}
    return _Rules(
        kinds=kinds,
        units=frozenset(spec["units"].split()),
        starters=frozenset(spec["starters"].split()),
        ordinals=lang == "de",
    )


def _split(text: str, rules: _Rules) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        first = _sentence_opening(text, match.end())
        if first >= 0 and _is_boundary(text, match, start, first, rules):
            pieces.append(text[start : match.end(2)])
            start = match.end()
    pieces.append(text[start:])
    return [sentence for sentence in map(_normalize_spaces, pieces) if sentence]


def _cap_lengths(sentences: list[str]) -> list[str]:
    """Sentences longer than ``MAX_SENTENCE_CHARS`` cut into pieces that are not."""
    if all(len(sentence) <= MAX_SENTENCE_CHARS for sentence in sentences):
        return sentences
    return [piece for sentence in sentences for piece in _cut(sentence)]


def _cut(sentence: str) -> list[str]:
    """Cut after the last clause mark in the second half of the window, else the last space, else hard."""
    pieces, start = [], 0
    while len(sentence) - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        end = (
            _last_end(_CLAUSE_END, sentence, start + MAX_SENTENCE_CHARS // 2, limit)
            or _last_end(_SPACE, sentence, start + 1, limit)
            or limit
        )
        pieces.append(sentence[start:end].rstrip())
        start = end
        while start < len(sentence) and sentence[start].isspace():
            start += 1
    return [*pieces, sentence[start:]] if start < len(sentence) else pieces


def _last_end(pattern: re.Pattern[str], text: str, earliest: int, limit: int) -> int:
    """Just past the first character of the last match in ``text[earliest:limit + 1]``, or 0 (none)."""
    ends = [match.start() + 1 for match in pattern.finditer(text, earliest, limit + 1)]
    return ends[-1] if ends else 0


def _warn_if_overlong(sentences: list[str], name: str) -> None:
    if count := sum(len(sentence) > MAX_SENTENCE_CHARS for sentence in sentences):
        logger.warning(
            "%s: %d sentence(s) longer than %d characters cut at clause or word boundaries",
            name,
            count,
            MAX_SENTENCE_CHARS,
        )


def _normalize_spaces(piece: str) -> str:
    return _SPACES.sub(" ", piece.strip())


def _sentence_opening(text: str, pos: int) -> int:
    """Index of the first letter or digit of a possible sentence at ``pos``, or -1 if none starts there.

    Opening quotes, brackets and dashes are skipped; the letter must not be lower case, except in
    a list marker like ``b)``.
    """
    end = min(len(text), pos + 4)
    while pos < end and (text[pos] in _OPENERS or text[pos] in _DASHES or text[pos].isspace()):
        pos += 1
    if pos >= len(text):
        return -1
    char = text[pos]
    if char.isalnum() and not char.islower():
        return pos
    if char.islower() and text.startswith(")", pos + 1):
        return pos
    return -1


def _is_boundary(text: str, match: re.Match[str], start: int, first: int, rules: _Rules) -> bool:
    """Decide a candidate whose terminal punctuation is ``match.group(1)``."""
    terminal = match.group(1)
    if "!" in terminal or "?" in terminal:
        return True
    if terminal != ".":  # an ellipsis; "(…)" and "[…]" mark omitted words inside a sentence
        return text[match.start() - 1 : match.start()] not in ("(", "[")
    if any(char in _QUOTES for char in match.group(2)):  # a quotation closes after an abbreviation
        return True
    return _period_ends_sentence(text, match.start(), start, first, rules)


def _period_ends_sentence(text: str, dot: int, start: int, first: int, rules: _Rules) -> bool:
    """Rules 1-9 of the module docstring for the word before the period at ``dot``."""
    word_start = _token_start(text, dot)
    word = _ELISION.sub("", text[word_start:dot].strip(_BRACKETS))
    if not word or text[dot - 1] in _BRACKETS:  # "(1990)." or "». ": no abbreviation stands there
        return True
    if _LIST_MARKER.fullmatch(word):
        lead = text[start:word_start].strip().strip(_OPENERS)
        if not lead or lead.endswith(":"):
            return False
    if word in rules.units and _counts(_previous_token(text, word_start)[1], rules):
        return _opener_follows(text, first, rules)
    key_start, key = _joined(text, word_start, word)
    kind = _lookup(key, rules) or _lookup(word, rules)
    if kind == "terminal":
        return True
    if kind == "eras" and not _fronted_date(text[start:key_start].split()):
        return True
    if kind == "nonterminal":
        return False
    if kind == "before_number" and text[first].isdigit():
        return False
    if kind or _DOTTED.fullmatch(word) or (rules.ordinals and _ORDINAL.fullmatch(word)):
        return _opener_follows(text, first, rules)
    return True


def _counts(token: str, rules: _Rules) -> bool:
    """Is ``token`` a number, or a unit that follows one ("2,5 млрд. долл.")?"""
    return bool(_NUMBER.fullmatch(token)) or token.rstrip(".") in rules.units


def _fronted_date(words: list[str]) -> bool:
    """Do ``words`` look like a date opening a sentence ("In 44", "1 января 49 года до")?

    Such a phrase is short and has its number among the first two words; a sentence that merely
    ends with a date ("Rome was founded in 753 B.C.") does not.
    """
    return len(words) <= 6 and any(char.isdigit() for word in words[:2] for char in word)


def _token_start(text: str, end: int) -> int:
    """Start of the whitespace-delimited token that ends at ``end``."""
    pos = end
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _previous_token(text: str, start: int) -> tuple[int, str]:
    """The token before the one starting at ``start``, as (start, text without brackets)."""
    end = start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end == 0:
        return 0, ""
    token_start = _token_start(text, end)
    return token_start, text[token_start:end].strip(_BRACKETS)


def _joined(text: str, word_start: int, word: str) -> tuple[int, str]:
    """``word`` with the short abbreviation parts before it, and where they start.

    ``z. B`` -> ``z.B``, ``и т. д`` -> ``т.д``, ``v. Chr`` -> ``v.Chr``; numbers are left alone.
    """
    if any(char.isdigit() for char in word):
        return word_start, word
    for _ in range(3):
        part_start, part = _previous_token(text, word_start)
        if not _SHORT_PART.fullmatch(part):
            break
        word, word_start = part + word, part_start
    return word_start, word


def _lookup(key: str, rules: _Rules) -> str:
    """Which list ``key`` is in (a capitalised key also matches a lower-case entry), or ``""``."""
    kind = rules.kinds.get(key, "")
    if not kind and key[0].isupper() and key[1:].islower():
        kind = rules.kinds.get(key[0].lower() + key[1:], "")
    return kind


def _opener_follows(text: str, first: int, rules: _Rules) -> bool:
    """Is the next word a common sentence opener (and not itself an initial like ``В.``)?"""
    match = WORD.match(text, first)
    if match is None or text.startswith(".", match.end()):
        return False
    return match.group().lower() in rules.starters
