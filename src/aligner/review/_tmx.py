"""From an alignment or a TMX file to a ``Review``, and from a ``Review`` back to TMX.

A TMX ``<seg>`` holds a unit's sentences joined by a space, so the boundaries between them are
lost. The review writes them in an ``x-sentences`` prop (lengths in characters, for languages with
two or more sentences); a TMX without it, such as ``aligner run`` writes, is segmented again.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..errors import TMXError
from ..segment import split_sentences
from ..tmx import (
    ALL_LANGUAGES,
    TranslationUnit,
    read_tmx,
    translation_units,
    write_tmx,
    xml_safe,
)
from ..types import MultiAlignment
from ._model import Review, ReviewUnit

#: Props the review writes; those of the input are replaced, not repeated.
REVIEW_PROPS = frozenset(
    {"x-sentences", "x-reviewed", "x-review-edits", "x-confidence", "x-confidence-reason", "x-bead"}
)
#: Props that mark a unit of the input as doubtful.
FLAG_PROPS = frozenset({"x-flag", "x-moved"})


def review_from_multi(multi: MultiAlignment) -> Review:
    """A review of a fresh alignment: its sentences exactly as segmented, ids and props as TMX gets them.

    A review holds each language's sentences in the order its units take them, which is the
    document's order except where a moved unit took a sentence from elsewhere."""
    langs = multi.langs
    held = [(unit, tu) for unit, tu in translation_units(multi) if tu.variants]
    sentences = {
        doc.lang: tuple(xml_safe(doc.sentences[i]) for unit, _ in held for i in unit.indices(doc.lang))
        for doc in multi.docs
    }
    units = tuple(_unit(tu, tuple(len(unit.indices(lang)) for lang in langs)) for unit, tu in held)
    return Review(langs=langs, sentences=sentences, units=units)


def review_from_tmx(path: str | Path) -> Review:
    """A review of a TMX file (aligner's, or any multilingual one with sentence segments)."""
    return review_from_units(read_tmx(path), name=str(path))


def review_from_units(tus: Iterable[TranslationUnit], *, name: str = "TMX") -> Review:
    split = [(tu, {lang: _sentences(tu, lang, text) for lang, text in tu.variants}) for tu in tus]
    langs = tuple(dict.fromkeys(lang for _, parts in split for lang in parts))
    if not langs:
        raise TMXError(f"{name}: no translation units to review")
    sentences: dict[str, list[str]] = {lang: [] for lang in langs}
    units = []
    for tu, parts in split:
        for lang, part in parts.items():
            sentences[lang].extend(part)
        units.append(_unit(tu, tuple(len(parts.get(lang, ())) for lang in langs)))
    return Review(langs=langs, sentences={k: tuple(v) for k, v in sentences.items()}, units=tuple(units))


def _unit(tu: TranslationUnit, counts: tuple[int, ...]) -> ReviewUnit:
    confidence = _number(tu.prop("x-confidence"))
    edits = tuple((tu.prop("x-review-edits") or "").split())
    return ReviewUnit(
        counts=counts,
        score=confidence if confidence is not None else tu.score,
        flagged=any(tu.prop(name) not in (None, "", "no") for name in FLAG_PROPS),
        confirmed=tu.prop("x-reviewed") is not None,
        edits=edits,
        reviewed_at=tu.prop("x-reviewed") or "",
        tuid=tu.tuid,
        props=tuple((k, v) for k, v in tu.props if k not in REVIEW_PROPS),
    )


def _sentences(tu: TranslationUnit, lang: str, text: str) -> list[str]:
    """The sentences of one variant: cut where ``x-sentences`` says, else segmented again."""
    lengths = dict(item.split(":", 1) for item in (tu.prop("x-sentences") or "").split(";") if ":" in item)
    if lang in lengths:
        try:
            parts, start = [], 0
            for n in map(int, lengths[lang].split(",")):
                parts.append(text[start : start + n])
                start += n + 1
            if start - 1 == len(text) and all(parts) and " ".join(parts) == text:
                return parts
        except ValueError:
            pass
    return split_sentences(text, lang) or [text]


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def save_review(review: Review, path: str | Path, *, now: datetime | None = None) -> int:
    """Write the reviewed alignment as TMX atomically; return how many units."""
    return write_tmx(path, review_units(review, now=now), srclang=ALL_LANGUAGES)


def review_units(review: Review, *, now: datetime | None = None) -> Iterator[TranslationUnit]:
    """The units as TMX: reviewed ones with x-reviewed, the edits, x-confidence 1.0 and why.

    An edited unit holds other sentences than any unit of the input, so it gets a new tuid (a hash
    of its texts) and loses the input's x-score, which measured other sentences.
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    seen: Counter[tuple[tuple[str, str], ...]] = Counter()
    for unit, texts in review.texts():
        variants = tuple((lang, " ".join(parts)) for lang, parts in texts.items() if parts)
        lengths = ";".join(
            f"{lang}:{','.join(str(len(s)) for s in parts)}" for lang, parts in texts.items() if len(parts) > 1
        )
        props = [*unit.props, ("x-bead", "-".join(map(str, unit.counts)))]
        tuid = unit.tuid
        if unit.edited:
            props = [(k, v) for k, v in props if k != "x-score"]
            tuid = _tuid(variants, seen[variants])
            seen[variants] += 1
        if unit.reviewed:
            why = "edited by a reviewer" if unit.edited else "confirmed by a reviewer"
            props += [
                ("x-reviewed", unit.reviewed_at or stamp),
                ("x-review-edits", " ".join(dict.fromkeys(unit.edits))),  # each kind once, first first
                ("x-confidence", "1.000"),
                ("x-confidence-reason", why),
            ]
        if lengths:
            props.append(("x-sentences", lengths))
        yield TranslationUnit(tuid=tuid, variants=variants, props=tuple(props))


def _tuid(variants: tuple[tuple[str, str], ...], occurrence: int) -> str:
    parts = [f"{lang}\x1f{text}" for lang, text in variants] + [str(occurrence), "review"]
    return hashlib.blake2b("\x1d".join(parts).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
