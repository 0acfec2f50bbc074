"""Plain data passed between the pipeline stages.

fetch/read -> Document -> segment -> SegmentedDocument -> align -> Alignment
(two languages) or MultiAlignment (all languages) -> write.
Everything here is frozen so a stage can never change what an earlier one produced.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One language version of a statement, as extracted: title and body paragraphs."""

    lang: str
    paragraphs: tuple[str, ...]
    title: str = ""
    source: str = ""  # URL or file path the text came from
    date: str = ""  # publication date as printed on the page, if any
    doc_id: str = ""  # identifier shared by all language versions (e.g. a site's numeric id)
    meta: tuple[tuple[str, str], ...] = ()  # other metadata, as sorted (key, value) pairs

    def text_blocks(self) -> tuple[str, ...]:
        """The title (when present) followed by the body paragraphs: what gets aligned."""
        return ((self.title,) if self.title else ()) + self.paragraphs


@dataclass(frozen=True)
class SegmentedDocument:
    """A document split into sentences; ``paragraphs[k]`` holds the sentences of block k."""

    lang: str
    paragraphs: tuple[tuple[str, ...], ...]
    source: str = ""
    doc_id: str = ""
    date: str = ""

    @functools.cached_property
    def sentences(self) -> tuple[str, ...]:
        """All sentences in order; computed once, as callers index it per unit (``MultiAlignment.text``)."""
        return tuple(s for p in self.paragraphs for s in p)

    @property
    def paragraph_starts(self) -> tuple[int, ...]:
        """Index of the first sentence of each non-empty paragraph (sentence numbering is global)."""
        starts, n = [], 0
        for p in self.paragraphs:
            if p:
                starts.append(n)
            n += len(p)
        return tuple(starts)


def runs(indices: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Consecutive stretches of ascending sentence indices: ``(1, 2, 5)`` -> ``[(1, 2), (5,)]``."""
    cuts = [k for k in range(1, len(indices)) if indices[k] != indices[k - 1] + 1]
    return [indices[a:b] for a, b in zip([0, *cuts], [*cuts, len(indices)], strict=True)] if indices else []


@dataclass(frozen=True)
class Bead:
    """One link of a pairwise alignment: source and target sentence indices (0-based, ascending).

    ``src=()`` or ``tgt=()`` marks a sentence with no counterpart (0:1 or 1:0). A ``moved`` bead
    links sentences that one side puts elsewhere: it is listed at its source position and is the
    one place where target order is not kept. Indices are consecutive, except in a bead that gave a
    sentence from its middle to a moved bead (``runs`` splits them).
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0
    moved: bool = False

    @property
    def kind(self) -> str:
        """Bead type as translators write it, e.g. ``"1-2"`` or ``"1-0"``."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True)
class Alignment:
    """A monotonic pairwise alignment of two segmented documents."""

    src: SegmentedDocument
    tgt: SegmentedDocument
    beads: tuple[Bead, ...]
    model: str = ""


@dataclass(frozen=True)
class Unit:
    """One multilingual translation unit: for each language, the indices of its sentences."""

    members: tuple[tuple[str, tuple[int, ...]], ...]  # (lang, sentence indices), in language order
    score: float = 0.0
    moved: bool = False  # some language puts these sentences elsewhere: out of its document order

    def indices(self, lang: str) -> tuple[int, ...]:
        return dict(self.members).get(lang, ())

    @property
    def kind(self) -> str:
        """Sentences per language, e.g. ``"1-1-2-1-0"`` in the alignment's language order."""
        return "-".join(str(len(ix)) for _, ix in self.members)

    @property
    def is_linked(self) -> bool:
        """True when the unit joins sentences of two or more languages; only then is its score a similarity."""
        return sum(1 for _, ix in self.members if ix) > 1


@dataclass(frozen=True)
class MultiAlignment:
    """All language versions of one statement aligned into units (document order in every language,
    except in ``moved`` units)."""

    docs: tuple[SegmentedDocument, ...]
    units: tuple[Unit, ...]
    model: str = ""

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(d.lang for d in self.docs)

    @property
    def linked_scores(self) -> tuple[float, ...]:
        """Scores of the linked units (``Unit.is_linked``): what says how well the languages match."""
        return tuple(u.score for u in self.units if u.is_linked)

    @property
    def mean_score(self) -> float | None:
        """Mean score of the linked units; None when no unit links two languages."""
        linked = self.linked_scores
        return sum(linked) / len(linked) if linked else None

    @property
    def bead_types(self) -> tuple[tuple[str, int], ...]:
        """(unit kind, count), most frequent first: the shape of the alignment at a glance."""
        return tuple(Counter(u.kind for u in self.units).most_common())

    def doc(self, lang: str) -> SegmentedDocument:
        for d in self.docs:
            if d.lang == lang:
                return d
        raise KeyError(lang)

    def text(self, unit: Unit, lang: str) -> str:
        """The unit's text in one language: its sentences joined by a space ("" when it has none)."""
        sentences = self.doc(lang).sentences
        return " ".join(sentences[i] for i in unit.indices(lang))
