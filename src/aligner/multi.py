"""Five-way (any-way) alignment: all language versions of one statement in translation units.

Strategy: align every language to one pivot (English when present: the encoders are strongest
there), then merge. Pivot sentences that any pairwise bead joins become one unit, with each
language's sentences from those beads; a sentence no pivot sentence matches becomes a unit of its
own, placed after the unit holding its predecessor. Every sentence lands in exactly one unit and
units keep document order in every language, because every pairwise alignment is monotonic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .align import AlignOptions, align
from .embed import Encoder
from .errors import AlignmentError
from .types import Alignment, Bead, MultiAlignment, SegmentedDocument, Unit

#: Pivot preference: the first of these present is used.
PIVOT_ORDER = ("en", "fr", "de", "es", "ru")


def choose_pivot(langs: Sequence[str]) -> str:
    for lang in PIVOT_ORDER:
        if lang in langs:
            return lang
    return langs[0]


def align_multi(
    docs: Sequence[SegmentedDocument],
    encoder: Encoder,
    options: AlignOptions | None = None,
    *,
    pivot: str | None = None,
    on_pair: Callable[[str, str], None] | None = None,
) -> MultiAlignment:
    """Align two or more language versions of one document into multilingual units.

    ``on_pair(pivot, lang)`` is called after each pairwise alignment (for progress bars).
    """
    langs = [d.lang for d in docs]
    if len(docs) < 2:
        raise AlignmentError(f"need at least two languages to align, got {', '.join(langs) or 'none'}")
    if len(set(langs)) != len(langs):
        raise AlignmentError(f"each language may appear once, got {', '.join(langs)}")
    pivot = pivot or choose_pivot(langs)
    if pivot not in langs:
        raise AlignmentError(f"pivot language {pivot} is not among {', '.join(langs)}")
    pivot_doc = docs[langs.index(pivot)]
    pairwise: dict[str, Alignment] = {}
    for doc in docs:
        if doc.lang != pivot:
            pairwise[doc.lang] = align(pivot_doc, doc, encoder, options)
            if on_pair:
                on_pair(pivot, doc.lang)
    units = _merge(pivot_doc, docs, pairwise)
    return MultiAlignment(docs=tuple(docs), units=tuple(units), model=encoder.name)


def _merge(
    pivot_doc: SegmentedDocument, docs: Sequence[SegmentedDocument], pairwise: dict[str, Alignment]
) -> list[Unit]:
    n = len(pivot_doc.sentences)
    # A pivot sentence starts a new unit unless some bead (in any language) also holds its predecessor.
    starts_unit = np.ones(n + 1, dtype=bool)
    for alignment in pairwise.values():
        for bead in alignment.beads:
            if len(bead.src) > 1:
                starts_unit[bead.src[1] : bead.src[-1] + 1] = False
    group_of = np.cumsum(starts_unit[:n]) - 1 if n else np.zeros(0, dtype=np.int64)
    groups = int(group_of[-1]) + 1 if n else 0

    members: list[dict[str, list[int]]] = [{pivot_doc.lang: []} for _ in range(groups)]
    scores: list[list[float]] = [[] for _ in range(groups)]
    for k in range(n):
        members[group_of[k]][pivot_doc.lang].append(k)
    # Sentences without a pivot counterpart, keyed by the group they follow (-1: before all).
    orphans: dict[int, list[tuple[str, int]]] = {}
    for lang, alignment in pairwise.items():
        last_group = -1
        for bead in alignment.beads:
            if bead.src:
                last_group = int(group_of[bead.src[0]])
                members[last_group].setdefault(lang, []).extend(bead.tgt)
                if bead.tgt:
                    scores[last_group].append(bead.score)
            else:
                orphans.setdefault(last_group, []).extend((lang, j) for j in bead.tgt)

    order = [d.lang for d in docs]
    units: list[Unit] = [_orphan_unit(order, lang, j) for lang, j in orphans.get(-1, [])]
    for g in range(groups):
        units.append(
            Unit(
                members=tuple((lang, tuple(members[g].get(lang, ()))) for lang in order),
                score=round(float(np.mean(scores[g])), 4) if scores[g] else 0.0,
            )
        )
        units.extend(_orphan_unit(order, lang, j) for lang, j in orphans.get(g, []))
    return units


def _orphan_unit(order: Sequence[str], lang: str, index: int) -> Unit:
    return Unit(members=tuple((x, (index,) if x == lang else ()) for x in order), score=0.0)


def bitext(multi: MultiAlignment, src_lang: str, tgt_lang: str) -> Alignment:
    """The pairwise alignment of two languages, read off the units (so it agrees with them)."""
    beads = []
    for unit in multi.units:
        src, tgt = unit.indices(src_lang), unit.indices(tgt_lang)
        if src or tgt:
            beads.append(Bead(src, tgt, unit.score if src and tgt else 0.0))
    return Alignment(src=multi.doc(src_lang), tgt=multi.doc(tgt_lang), beads=tuple(beads), model=multi.model)
