"""Five-way (any-way) alignment: all language versions of one statement in translation units.

Strategy: align every language to one pivot (English when present: the encoders are strongest
there), then merge. Pivot sentences that any pairwise bead joins become one unit, with each
language's sentences from those beads. Sentences no pivot sentence matches are placed after the
unit holding their predecessor; where several languages have such sentences at the same place they
are aligned among themselves. Every sentence lands in exactly one unit and units keep document
order in every language, because every pairwise alignment is monotonic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from .align import AlignOptions, align, align_sentences
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
    units = _merge(pivot_doc, docs, pairwise, encoder, options)
    return MultiAlignment(docs=tuple(docs), units=tuple(units), model=encoder.name)


def _merge(
    pivot_doc: SegmentedDocument,
    docs: Sequence[SegmentedDocument],
    pairwise: dict[str, Alignment],
    encoder: Encoder,
    options: AlignOptions | None,
) -> list[Unit]:
    n = len(pivot_doc.sentences)
    # A pivot sentence starts a new unit unless some bead (in any language) also holds its predecessor.
    starts_unit = np.ones(n, dtype=bool)
    for alignment in pairwise.values():
        for bead in alignment.beads:
            if len(bead.src) > 1:
                starts_unit[bead.src[1] : bead.src[-1] + 1] = False
    group_of = np.cumsum(starts_unit) - 1
    groups = int(starts_unit.sum())

    members: list[dict[str, list[int]]] = [{pivot_doc.lang: []} for _ in range(groups)]
    scores: list[list[float]] = [[] for _ in range(groups)]
    for k in range(n):
        members[group_of[k]][pivot_doc.lang].append(k)
    # Sentences without a pivot counterpart, keyed by the group they follow (-1: before all). One
    # that falls between two sentences of the same unit (another language merged around it) joins it.
    orphans: dict[int, list[tuple[str, int]]] = {}
    for lang, alignment in pairwise.items():
        last_group = -1
        pending: list[int] = []
        for bead in alignment.beads:
            if not bead.src:
                pending.extend(bead.tgt)
                continue
            group = int(group_of[bead.src[0]])
            unit_langs = members[group].setdefault(lang, [])
            if pending and group == last_group:
                unit_langs.extend(pending)
            elif pending:
                orphans.setdefault(last_group, []).extend((lang, j) for j in pending)
            pending = []
            unit_langs.extend(bead.tgt)
            if bead.tgt:
                scores[group].append(bead.score)
            last_group = group
        orphans.setdefault(last_group, []).extend((lang, j) for j in pending)

    sentences = {d.lang: d.sentences for d in docs}  # in language order
    units: list[Unit] = list(_orphan_units(sentences, orphans.get(-1, []), encoder, options))
    for g in range(groups):
        units.append(
            Unit(
                members=tuple((lang, tuple(members[g].get(lang, ()))) for lang in sentences),
                score=round(float(np.mean(scores[g])), 4) if scores[g] else 0.0,
            )
        )
        units.extend(_orphan_units(sentences, orphans.get(g, []), encoder, options))
    return units


def _orphan_units(
    sentences: dict[str, tuple[str, ...]],
    orphans: list[tuple[str, int]],
    encoder: Encoder,
    options: AlignOptions | None,
) -> Iterator[Unit]:
    """Units for sentences the pivot lacks, all found at one place in the document.

    When several languages have such sentences there, they may translate each other (only the
    pivot left something out), so they are aligned among themselves like a small statement.
    ``sentences`` holds every language's sentences, in the units' language order.
    """
    order = tuple(sentences)
    by_lang: dict[str, list[int]] = {}
    for lang, index in orphans:
        by_lang.setdefault(lang, []).append(index)
    if len(by_lang) < 2:
        for lang, indices in by_lang.items():
            for index in indices:
                yield Unit(members=tuple((x, (index,) if x == lang else ()) for x in order), score=0.0)
        return
    sub_docs = [
        SegmentedDocument(lang=lang, paragraphs=(tuple(sentences[lang][i] for i in indices),))
        for lang, indices in by_lang.items()
    ]
    for unit in align_multi(sub_docs, encoder, options).units:
        mapped = {lang: tuple(by_lang[lang][k] for k in ix) for lang, ix in unit.members}
        yield Unit(members=tuple((lang, mapped.get(lang, ())) for lang in order), score=unit.score)


def bitext(
    multi: MultiAlignment,
    src_lang: str,
    tgt_lang: str,
    encoder: Encoder | None = None,
    options: AlignOptions | None = None,
) -> Alignment:
    """The pairwise alignment of two languages, read off the units so that it agrees with them.

    A unit is as coarse as its coarsest language: if German joins two sentences that English and
    French keep apart, the unit holds both of each. With an ``encoder``, such units are split
    again for this pair by aligning just their sentences, never across a unit boundary.
    """
    src_doc, tgt_doc = multi.doc(src_lang), multi.doc(tgt_lang)
    src_sentences, tgt_sentences = src_doc.sentences, tgt_doc.sentences  # a property: builds the tuple each read
    beads: list[Bead] = []
    for unit in multi.units:
        src, tgt = unit.indices(src_lang), unit.indices(tgt_lang)
        if encoder is not None and len(src) > 1 and len(tgt) > 1:
            beads.extend(_split(src_sentences, tgt_sentences, src, tgt, encoder, options))
        elif src or tgt:
            beads.append(Bead(src, tgt, unit.score if src and tgt else 0.0))
    return Alignment(src=src_doc, tgt=tgt_doc, beads=tuple(beads), model=multi.model)


def _split(
    src_sentences: Sequence[str],
    tgt_sentences: Sequence[str],
    src: tuple[int, ...],
    tgt: tuple[int, ...],
    encoder: Encoder,
    options: AlignOptions | None,
) -> list[Bead]:
    """One unit's beads for this pair, from aligning just its sentences."""
    local = align_sentences([src_sentences[i] for i in src], [tgt_sentences[j] for j in tgt], encoder, options)
    return [Bead(tuple(src[i] for i in b.src), tuple(tgt[j] for j in b.tgt), b.score) for b in local]
