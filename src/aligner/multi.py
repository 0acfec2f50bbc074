"""Five-way (any-way) alignment: all language versions of one statement in translation units.

Strategy: progressive alignment, as in multiple sequence alignment. The pivot's sentences (English
when present: the encoders are strongest there) make the first columns; each other language in turn
is aligned to the columns by the pairwise DP, a column standing in for a sentence with the mean
embedding of the sentences over it. A sentence that matches several columns covers them all; one
column matched by several sentences is split under them; a sentence no column matches opens a column
of its own that the languages aligned after it can still join. So a sentence the pivot lacks is
aligned among the others in its place, and one language's merge (right or wrong) does not force the
languages after it to merge too. Then each language in turn is taken out and aligned again to the
columns of all the others (one round of refinement): the languages placed first saw only one or two
others. Units are the runs of columns that some sentence joins. Every sentence lands in exactly one
unit, in document order in every language. ``k`` languages cost ``2k - 1`` pairwise searches, each
over the columns (about one per sentence) and one language; the sentences are embedded once.

Last, units that lack each other's languages and translate each other (mutual best, clearly above
what unrelated sentences score) are joined as one ``moved`` unit where most of its languages have
it: a passage one language puts elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from . import _dp
from ._spans import SummedSpans, Table, normalized
from .align import (
    MAX_MOVED_CANDIDATES,
    AlignOptions,
    _band,
    _log_ratio,
    _mutual_best,
    _side,
    _span_embeddings,
    _unrelated_similarity,
    align_sentences,
)
from .embed import Encoder
from .errors import AlignmentError
from .types import Alignment, Bead, MultiAlignment, SegmentedDocument, Unit

#: Added to ``ScoreParams.min_gain`` when a language is aligned to the columns: a span of columns is a
#: weighted sum of their means, not the encoder's embedding of the merged text, so a true merge shows
#: less gain over its parts than it does in a pairwise alignment.
PROFILE_GAIN_SLACK = -0.025
#: ``ScoreParams.length`` is multiplied by this when a language is aligned to the columns. A column's
#: length is the mean over the languages on it, a steadier measure than one sentence's, and it tells a
#: merge (a line as long as two columns) from a sentence the language lacks.
#: The factor was chosen, and the slack checked again, with benchmarks/tune_five_way.py on PUD documents
#: 0-199 (units exactly right with 5% deletions and 8% merges: 92.0% at 1x length, 93.7% at 3x, 94.5% at
#: 4x, 94.1% at 5x; at 4x without the slack 94.0%); on documents 200-396, 92.7% at 1x and 95.3% at 4x.
PROFILE_LENGTH_FACTOR = 4.0
#: ``ScoreParams.paragraph`` (the cost of a bead that straddles a paragraph break) is multiplied by this
#: when a language is aligned to the columns. A language that runs the last sentence of a paragraph onto
#: the first of the next straddles the break the others keep; the columns' lengths tell such a merge
#: from a sentence the language lacks. Chosen with benchmarks/tune_five_way.py on PUD documents 0-199, at
#: 4x length (5% deletions and 8% merges: 94.5% at 1x, 95.8% at 0.6x, 96.9% at 0.4x, 97.0% at 0.25x and 0x;
#: deletions only: 99.6%, 99.5%, 99.4%, 99.3%, 98.9%); on documents 200-396, 95.3% at 1x and 97.5% at 0.4x.
PROFILE_PARAGRAPH_FACTOR = 0.4

#: Pivot preference: the first of these present is used.
PIVOT_ORDER = ("en", "fr", "de", "es", "ru")


def choose_pivot(langs: Sequence[str]) -> str:
    for lang in PIVOT_ORDER:
        if lang in langs:
            return lang
    return langs[0]


@dataclass(frozen=True)
class _Language:
    """One language's sentences as the DP sees them; lengths rescaled to the statement's mean total,
    so that any mix of languages can be compared by length without a per-pair ratio."""

    lang: str
    spans: tuple[Table, ...]  # spans[a][e]: sentences [e - a, e), as in align._span_embeddings
    lengths: NDArray[np.float64]  # (n,)
    paragraph_starts: frozenset[int]

    @property
    def size(self) -> int:
        return len(self.lengths)

    def vector(self, indices: Sequence[int]) -> NDArray[np.float32]:
        """Embedding of some consecutive sentences: their span when one was embedded, else the mean."""
        if len(indices) < len(self.spans):
            return self.spans[len(indices)][indices[-1] + 1]
        return normalized(self.spans[1][np.asarray(indices) + 1].sum(axis=0))


@dataclass
class _Group:
    """A unit while it is being built: sentence indices per language and the scores of its joins."""

    members: dict[str, list[int]]
    scores: list[float] = field(default_factory=list)
    moved: bool = False


def align_multi(
    docs: Sequence[SegmentedDocument],
    encoder: Encoder,
    options: AlignOptions | None = None,
    *,
    pivot: str | None = None,
    on_pair: Callable[[str, str], None] | None = None,
) -> MultiAlignment:
    """Align two or more language versions of one document into multilingual units.

    ``on_pair(pivot, lang)`` is called after each language is aligned to the units (for progress bars).
    """
    langs = [d.lang for d in docs]
    if len(docs) < 2:
        raise AlignmentError(f"need at least two languages to align, got {', '.join(langs) or 'none'}")
    if len(set(langs)) != len(langs):
        raise AlignmentError(f"each language may appear once, got {', '.join(langs)}")
    pivot = pivot or choose_pivot(langs)
    if pivot not in langs:
        raise AlignmentError(f"pivot language {pivot} is not among {', '.join(langs)}")
    options = options or AlignOptions()
    totals = {d.lang: sum(len(s) for s in d.sentences) for d in docs}
    mean_total = float(np.mean(list(totals.values())))
    languages = {
        d.lang: _Language(
            lang=d.lang,
            spans=_span_embeddings(encoder, d.sentences, options.max_total - 1) if d.sentences else (),
            lengths=np.array([len(s) for s in d.sentences], dtype=np.float64) * mean_total / max(totals[d.lang], 1),
            paragraph_starts=frozenset(d.paragraph_starts),
        )
        for d in docs
    }
    columns = _Columns.of(languages[pivot])
    for lang in langs:
        if lang != pivot:
            columns = _join(columns, languages, languages[lang], options)
            if on_pair:
                on_pair(pivot, lang)
    # Refinement, as in multiple sequence alignment: the first languages were placed against one or two
    # others; each is taken out and placed again against all the rest (one round: a second changes little).
    for lang in [pivot, *(lang for lang in langs if lang != pivot)]:
        columns = _join(columns.without(lang), languages, languages[lang], options)
    groups = columns.groups()
    if options.moved_above is not None:
        groups = _link_moved(groups, languages, options.moved_above)
    units = tuple(
        Unit(
            members=tuple((lang, tuple(g.members.get(lang, ()))) for lang in langs),
            score=round(float(np.mean(g.scores)), 4) if g.scores else 0.0,
            moved=g.moved,
        )
        for g in groups
    )
    return MultiAlignment(docs=tuple(docs), units=units, model=encoder.name)


@dataclass
class _Columns:
    """The units while they are being built, at the finest grain any language tells apart.

    A column is a place in the statement; each sentence covers one or more consecutive columns. A
    sentence that merges what another language says in two covers both of their columns; one that
    another language splits in two has its column split under it. So a wrong merge by one language
    never forces the languages aligned after it to merge too: they still see both columns. Units
    are the columns joined by sentences that cover several (``groups``).
    """

    ranges: dict[str, list[tuple[int, int]]]  # per language and sentence: its columns [c0, c1)
    scores: list[dict[str, float]]  # per column: the similarity of each language's join credited to it

    @classmethod
    def of(cls, language: _Language) -> _Columns:
        return cls({language.lang: [(k, k + 1) for k in range(language.size)]}, [{} for _ in range(language.size)])

    @property
    def size(self) -> int:
        return len(self.scores)

    def profile(self, languages: dict[str, _Language], max_span: int) -> tuple[NDArray[np.float32], _dp.Side]:
        """Each column's embedding (the normalised mean of the sentences over it, a sentence over
        ``w`` columns counting ``1 / w`` in each) and the columns as one side of the DP: spans are
        normalised sums of column embeddings, a column's length is its languages' mean (rescaled)
        share, and it opens a paragraph when a sentence beginning there does."""
        dim = next(language.spans[1].shape[1] for language in languages.values() if language.spans)
        sums = np.zeros((self.size, dim), dtype=np.float32)  # float32: a long text has a column per sentence
        lengths, counts = np.zeros(self.size), np.zeros(self.size)
        starts = set()
        for lang, ranges in self.ranges.items():
            language = languages[lang]
            covered = np.zeros(self.size)
            for k, (c0, c1) in enumerate(ranges):
                sums[c0:c1] += language.spans[1][k + 1] / (c1 - c0)
                lengths[c0:c1] += language.lengths[k] / (c1 - c0)
                covered[c0:c1] = 1
                if k in language.paragraph_starts:
                    starts.add(c0)
            counts += covered
        vectors = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)).astype(np.float32)
        lengths /= np.maximum(counts, 1)
        # Spans of columns are summed when read (``_spans.SummedSpans``): no table per span length. Each
        # column weighs by the square root of its length, as a sentence weighs in the embedding of a text
        # that holds it: a short sentence merged onto a long one moves the span little. (Weighing by the
        # length itself lets a span swallow a short neighbour the language lacks; equal weights miss merges.)
        weighted = (vectors * np.sqrt(np.maximum(lengths, 1.0))[:, None]).astype(np.float32)
        spans: tuple[Table, ...] = (np.zeros((0, dim), dtype=np.float32),) + tuple(
            SummedSpans(weighted, a) for a in range(1, max_span + 1)
        )
        return vectors, _side(lengths, spans, sorted(starts))

    def without(self, lang: str) -> _Columns:
        """The columns as the other languages alone tell them apart: ``lang``'s sentences and join
        scores taken out, columns no other language covers dropped, and columns no other language
        separates joined again."""
        ranges = {other: spans for other, spans in self.ranges.items() if other != lang}
        cut = np.zeros(self.size + 1, dtype=bool)  # cut[c]: some sentence begins or ends at column c
        covered = np.zeros(self.size, dtype=bool)
        for spans in ranges.values():
            for c0, c1 in spans:
                cut[c0] = cut[c1] = True
                covered[c0:c1] = True
        new_index = np.cumsum(cut[:-1] & covered) - 1  # for covered columns: the column they fall in
        scores: list[dict[str, float]] = [{} for _ in range(int(new_index[-1]) + 1 if self.size else 0)]
        for c in np.flatnonzero(covered):
            scores[new_index[c]].update((other, x) for other, x in self.scores[c].items() if other != lang)
        return _Columns(
            {
                other: [(int(new_index[c0]), int(new_index[c1 - 1]) + 1) for c0, c1 in spans]
                for other, spans in ranges.items()
            },
            scores,
        )

    def groups(self) -> list[_Group]:
        """Units: runs of columns joined by sentences that cover more than one, in column order."""
        joined = np.zeros(self.size, dtype=bool)  # joined[c]: column c belongs with column c - 1
        for ranges in self.ranges.values():
            for c0, c1 in ranges:
                joined[c0 + 1 : c1] = True
        unit_of = np.cumsum(~joined) - 1
        groups = [_Group({}) for _ in range(int(unit_of[-1]) + 1 if self.size else 0)]
        for c, scores in enumerate(self.scores):
            groups[unit_of[c]].scores.extend(scores.values())
        for lang, ranges in self.ranges.items():
            for k, (c0, _) in enumerate(ranges):
                groups[unit_of[c0]].members.setdefault(lang, []).append(k)
        return groups


def _join(columns: _Columns, languages: dict[str, _Language], new: _Language, options: AlignOptions) -> _Columns:
    """The columns after aligning one more language to them."""
    if not columns.size or not new.size:
        ranges = {**columns.ranges, new.lang: [(columns.size + j, columns.size + j + 1) for j in range(new.size)]}
        return _Columns(ranges, columns.scores + [{} for _ in range(new.size)])
    vectors, profile = columns.profile(languages, options.max_total - 1)
    sentences = new.spans[1][1:]
    lo, hi = _band(vectors, sentences, options)
    baseline = _unrelated_similarity(vectors, sentences)
    new_side = _side(new.lengths, new.spans, sorted(new.paragraph_starts))
    params = replace(
        options.params,
        min_gain=options.params.min_gain + PROFILE_GAIN_SLACK,
        length=options.params.length * PROFILE_LENGTH_FACTOR,
        paragraph=options.params.paragraph * PROFILE_PARAGRAPH_FACTOR,
    )
    path = _dp.align_band(profile, new_side, lo, hi, _dp.bead_types(options.max_total), params, 0.0, baseline)
    moved_to: list[tuple[int, int]] = []  # per old column: its new columns [c0, c1)
    new_ranges: list[tuple[int, int]] = []
    scores: list[dict[str, float]] = []
    for i0, i1, j0, j1 in path:
        a, b = i1 - i0, j1 - j0
        c = len(scores)
        if not a:  # a sentence no column matches: a column of its own
            new_ranges.append((c, c + 1))
            scores.append({})
            continue
        if a == 1 and b > 1:  # the new language splits this column: one column per new sentence
            moved_to.append((c, c + b))
            new_ranges.extend((c + k, c + k + 1) for k in range(b))
            scores.extend([dict(columns.scores[i0])] + [{} for _ in range(b - 1)])
        else:  # each new sentence covers all the bead's columns
            moved_to.extend((c + k, c + k + 1) for k in range(a))
            new_ranges.extend([(c, c + a)] * b)
            scores.extend(dict(columns.scores[i]) for i in range(i0, i1))
        if b:
            similarity = float(profile.spans[a][i1] @ new.spans[b][j1])
            scores[c][new.lang] = float(_dp.calibrated(similarity, baseline))
    ranges = {lang: [(moved_to[c0][0], moved_to[c1 - 1][1]) for c0, c1 in old] for lang, old in columns.ranges.items()}
    ranges[new.lang] = new_ranges
    return _Columns(ranges, scores)


def _merged(groups: list[_Group]) -> _Group:
    if len(groups) == 1:
        return _Group({lang: list(ix) for lang, ix in groups[0].members.items()}, list(groups[0].scores))
    members: dict[str, list[int]] = {}
    for g in groups:
        for lang, indices in g.members.items():
            members.setdefault(lang, []).extend(indices)
    return _Group(members, [s for g in groups for s in g.scores])


def _group_vector(group: _Group, languages: dict[str, _Language]) -> NDArray[np.float32]:
    """The unit's embedding: the normalised mean of its languages' span embeddings."""
    return normalized(np.sum([languages[lang].vector(ix) for lang, ix in group.members.items()], axis=0))


def _link_moved(groups: list[_Group], languages: dict[str, _Language], above: float) -> list[_Group]:
    """Units without each other's languages that translate each other, joined where the one with more
    languages stands. Neighbours (no unit with any of their languages between them) stay as the
    DP left them: not linking them was its choice."""
    partial = [k for k, g in enumerate(groups) if len(g.members) < len(languages)]
    if len(partial) < 2 or len(partial) > MAX_MOVED_CANDIDATES:
        return groups
    vectors = np.stack([_group_vector(groups[k], languages) for k in partial])
    similarity = _dp.calibrated(vectors @ vectors.T, _unrelated_similarity(vectors, vectors))
    similarity[~_may_link(groups, partial, list(languages))] = -np.inf
    moved: dict[int, _Group | None] = {}
    for r, c in _mutual_best(similarity, above):
        if r < c:
            first, second = groups[partial[r]], groups[partial[c]]
            keep, drop = (
                (partial[c], partial[r]) if len(second.members) > len(first.members) else (partial[r], partial[c])
            )
            group = _merged([first, second])
            group.scores.append(float(similarity[r, c]))
            group.moved = True
            moved[keep], moved[drop] = group, None
    return [g for k, g in ((k, moved.get(k, g)) for k, g in enumerate(groups)) if g is not None]


def _may_link(groups: list[_Group], partial: list[int], langs: list[str]) -> NDArray[np.bool_]:
    """For each pair of ``partial`` units: they share no language, and joining them would cross a unit
    between them that holds a language of each (so the DP could not have linked them)."""
    has = np.array([[lang in groups[k].members for lang in langs] for k in range(len(groups))])  # (units, langs)
    mine = has[partial]  # (p, langs)
    disjoint = ~(mine.astype(np.int32) @ mine.T.astype(np.int32)).astype(bool)
    index = np.asarray(partial, dtype=np.int32)
    lo, hi = np.minimum.outer(index, index), np.maximum.outer(index, index)
    crossing = np.zeros(disjoint.shape, dtype=bool)
    for x in range(len(langs)):
        for y in range(len(langs)):
            # units before each position holding both x and y: a difference > 0 means one lies between
            both = np.concatenate([[0], np.cumsum(has[:, x] & has[:, y])])
            between = (both[hi] - both[np.minimum(lo + 1, len(groups))]) > 0
            crossing |= between & mine[:, x][:, None] & mine[:, y][None, :]
    return disjoint & crossing


def bitext(
    multi: MultiAlignment,
    src_lang: str,
    tgt_lang: str,
    encoder: Encoder | None = None,
    options: AlignOptions | None = None,
) -> Alignment:
    """The pairwise alignment of two languages, read off the units so that it agrees with them.

    A unit is as coarse as its coarsest language: if German joins two sentences that English and
    French keep apart, the unit holds both of each. With an ``encoder``, every unit with more than
    one sentence on a side is split again for this pair by aligning just its sentences, never
    across a unit boundary (a sentence the pair does not share then comes out unlinked).
    """
    src_doc, tgt_doc = multi.doc(src_lang), multi.doc(tgt_lang)
    src_sentences, tgt_sentences = src_doc.sentences, tgt_doc.sentences
    beads: list[Bead] = []
    log_ratio = _log_ratio(sum(map(len, src_sentences)), sum(map(len, tgt_sentences)))
    for unit in multi.units:
        src, tgt = unit.indices(src_lang), unit.indices(tgt_lang)
        if encoder is not None and src and tgt and len(src) + len(tgt) > 2:
            beads.extend(_split(src_sentences, tgt_sentences, src, tgt, encoder, options, unit.moved, log_ratio))
        elif src or tgt:
            beads.append(Bead(src, tgt, unit.score if src and tgt else 0.0, moved=unit.moved and bool(src and tgt)))
    return Alignment(src=src_doc, tgt=tgt_doc, beads=tuple(beads), model=multi.model)


def _split(
    src_sentences: Sequence[str],
    tgt_sentences: Sequence[str],
    src: tuple[int, ...],
    tgt: tuple[int, ...],
    encoder: Encoder,
    options: AlignOptions | None,
    moved: bool,
    log_ratio: float,
) -> list[Bead]:
    """One unit's beads for this pair, from aligning just its sentences (lengths compared at the
    whole documents' ratio: a unit's own says more about what it lacks than about the languages)."""
    local = align_sentences(
        [src_sentences[i] for i in src], [tgt_sentences[j] for j in tgt], encoder, options, log_ratio=log_ratio
    )
    return [
        Bead(tuple(src[i] for i in b.src), tuple(tgt[j] for j in b.tgt), b.score, moved=moved and bool(b.src and b.tgt))
        for b in local
    ]
