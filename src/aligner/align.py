"""Pairwise sentence alignment: two segmented documents in, monotonic beads out.

Steps: embed every sentence and every span of up to ``max_total - 1`` consecutive sentences;
choose a band (all cells for ordinary documents; for long ones a band around the path found on a
coarser version of both documents, recursively, so time and memory grow linearly); put the
encoder's similarities on one scale (what unrelated sentences of these texts score becomes the
same for every encoder); score every bead type in the band (``_dp.ScoreParams``) and keep the
best path. Last, sentences the path leaves free on both sides (unlinked, or in a bead of several
and adding nothing to it) that translate each other are linked as moved beads (a passage one side
puts elsewhere cannot lie on a monotonic path).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from . import _dp, _spans
from ._spans import SpanTable, SummedSpans, Table
from .embed import Encoder, embed_spans
from .errors import AlignmentError
from .types import Alignment, Bead, SegmentedDocument, runs

log = logging.getLogger("aligner.align")

#: Below this mean bead similarity the two texts are probably not translations of each other.
UNRELATED_BELOW = 0.3
#: Free sentences (or units lacking some language) compared for moved passages at most, per side: beyond,
#: the matrix would grow with the square of a long text's gaps, so such a text is left as the DP put it.
MAX_MOVED_CANDIDATES = 2048


@dataclass(frozen=True)
class AlignOptions:
    """How to align; built from CLI flags in ``aligner.cli._align.options_from_flags``."""

    max_total: int = 5  # most sentences in one bead, both sides together
    params: _dp.ScoreParams = field(default_factory=_dp.ScoreParams)
    exact_cells: int = 2_000_000  # above (n + 1) * (m + 1) cells, search a band around a coarse path
    coarse_ratio: int = 8  # sentences per block on the next-coarser level
    band_pad: int = 16  # sentences of slack on each side of the coarse path
    # Sentences left free on both sides are linked as moved when they are each other's best match
    # among those and score at least this (calibrated: unrelated pairs score 0.05); None: never.
    # Chosen on UD PUD (benchmarks/align_moved.py): with 3% of lines moved 0.3-0.4 score alike and 0.5
    # loses 0.0016 strict F1; without moves 0.35 links 1 (wrong) moved bead in 320 alignments, 0.3 links 7.
    moved_above: float | None = 0.35

    def __post_init__(self) -> None:
        if self.max_total < 2:
            raise AlignmentError(f"max_total must be at least 2 (got {self.max_total})")


def align(
    src: SegmentedDocument,
    tgt: SegmentedDocument,
    encoder: Encoder,
    options: AlignOptions | None = None,
) -> Alignment:
    """Align two language versions of a document sentence by sentence."""
    beads = align_sentences(
        src.sentences,
        tgt.sentences,
        encoder,
        options,
        src_paragraph_starts=src.paragraph_starts,
        tgt_paragraph_starts=tgt.paragraph_starts,
    )
    return Alignment(src=src, tgt=tgt, beads=tuple(beads), model=encoder.name)


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Encoder,
    options: AlignOptions | None = None,
    *,
    src_paragraph_starts: Sequence[int] = (),
    tgt_paragraph_starts: Sequence[int] = (),
    log_ratio: float | None = None,
) -> list[Bead]:
    """Beads covering every sentence of both sides exactly once, in order.

    ``log_ratio``: how much longer the source language runs (log of the character ratio); by default
    measured on these two texts, which for a few sentences out of a longer pair says little.
    """
    options = options or AlignOptions()
    if not src or not tgt:
        return _unlinked(range(len(src)), range(len(tgt)))
    max_span = options.max_total - 1
    beads = _beads_of_spans(
        src,
        tgt,
        _span_embeddings(encoder, src, max_span),
        _span_embeddings(encoder, tgt, max_span),
        options,
        src_paragraph_starts,
        tgt_paragraph_starts,
        log_ratio,
    )
    _warn_if_unrelated(beads)
    return beads


def _unlinked(src: Sequence[int], tgt: Sequence[int]) -> list[Bead]:
    """Sentences that share nothing (two whole texts: ``range(n)``, ``range(m)``), every one on its own."""
    return [Bead((i,), ()) for i in src] + [Bead((), (j,)) for j in tgt]


def _beads_of_spans(
    src: Sequence[str],
    tgt: Sequence[str],
    src_spans: tuple[Table, ...],
    tgt_spans: tuple[Table, ...],
    options: AlignOptions,
    src_paragraph_starts: Sequence[int] = (),
    tgt_paragraph_starts: Sequence[int] = (),
    log_ratio: float | None = None,
) -> list[Bead]:
    """``align_sentences`` of two non-empty texts whose span embeddings are at hand, without its warning."""
    src_sentences, tgt_sentences = src_spans[1][1:], tgt_spans[1][1:]  # one row per sentence
    lo, hi = _band(src_sentences, tgt_sentences, options)
    src_side = _side(_lengths(src), src_spans, src_paragraph_starts)
    tgt_side = _side(_lengths(tgt), tgt_spans, tgt_paragraph_starts)
    # The document's length ratio says how much longer this language runs; clipped, because when one
    # side has content the other lacks, the ratio says more about that than about the languages.
    if log_ratio is None:
        log_ratio = _log_ratio(src_side.length_cum[-1], tgt_side.length_cum[-1])
    baseline = _unrelated_similarity(src_sentences, tgt_sentences)
    path = _dp.align_band(
        src_side, tgt_side, lo, hi, _dp.bead_types(options.max_total), options.params, log_ratio, baseline
    )
    beads = [_bead(src_spans, tgt_spans, baseline, *cell) for cell in path]
    if options.moved_above is not None:
        beads = _link_moved(beads, src_spans, tgt_spans, baseline, options.moved_above)
    return beads


def _log_ratio(src_chars: float, tgt_chars: float) -> float:
    return float(np.clip(np.log((src_chars + 1.0) / (tgt_chars + 1.0)), -0.5, 0.5))


def _span_embeddings(encoder: Encoder, sentences: Sequence[str], max_span: int) -> tuple[Table, ...]:
    """``spans[a][e]``: embedding of sentences ``[e - a, e)`` (zero rows where ``e < a``), as ``_spans.SpanTable``.

    For a long text these tables are most of a run's memory: they are float16, the tables of spans
    of two or more sentences go to a temporary file beyond ``_spans.SPILL_BYTES``, and the encoder is
    given ``_EMBED_CHUNK`` sentences at a time, so that its working memory does not grow with the text.
    """
    n = len(sentences)
    tables: list[SpanTable] = []
    for e0 in range(0, n + 1, _EMBED_CHUNK):
        e1 = min(e0 + _EMBED_CHUNK, n + 1)  # this call fills rows e0 .. e1 - 1 of every table
        first = max(e0 - max_span, 0)  # the sentences it reads: first .. e1 - 2
        ends = [range(max(e0, a), e1) for a in range(1, max_span + 1)]
        wanted = [(e - a - first, e - first) for a, rows in enumerate(ends, 1) for e in rows]
        if not wanted:
            continue
        vectors = embed_spans(encoder, sentences[first : e1 - 1], wanted)
        if not tables:
            spill = (max_span - 1) * (n + 1) * vectors.shape[1] * 2 > _spans.SPILL_BYTES
            tables = [SpanTable(n + 1, vectors.shape[1], spill=spill and a > 1) for a in range(max_span + 1)]
        done = 0
        for a, rows in enumerate(ends, 1):
            tables[a].write(rows.start, vectors[done : done + len(rows)])
            done += len(rows)
    tables[0] = SpanTable(0, tables[0].shape[1])
    return tuple(tables)


#: Sentences embedded in one call to the encoder.
_EMBED_CHUNK = 1024


def _lengths(sentences: Sequence[str]) -> NDArray[np.float64]:
    return np.array([len(s) for s in sentences], dtype=np.float64)


def _side(lengths: NDArray[np.float64], spans: tuple[Table, ...], paragraph_starts: Sequence[int]) -> _dp.Side:
    """``lengths``: characters per sentence; ``spans`` as from ``_span_embeddings``."""
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    starts[[p for p in paragraph_starts if 0 <= p < len(lengths)]] = 1
    return _dp.Side(
        spans=spans,
        length_cum=np.concatenate([[0.0], np.cumsum(lengths)]),
        paragraph_cum=np.cumsum(starts),
    )


def _unrelated_similarity(src: Table, tgt: Table, rows: int = 256, cols: int = 1024) -> float:
    """Median similarity of sentences that are not each other's best match: what 'unrelated' scores
    under this encoder for these two texts (too few sentences: the default encoder's value)."""
    src_rows: NDArray[np.float32] = src[np.linspace(0, len(src) - 1, min(rows, len(src))).astype(int)]
    tgt_rows: NDArray[np.float32] = tgt[np.linspace(0, len(tgt) - 1, min(cols, len(tgt))).astype(int)]
    if tgt_rows.shape[0] < 3:
        return _dp.REFERENCE_BASELINE
    sims = np.sort(src_rows @ tgt_rows.T, axis=1)[:, :-1]  # each row without its best match
    return float(np.clip(np.median(sims), -0.5, 0.9))


def _bead(
    src_spans: tuple[Table, ...], tgt_spans: tuple[Table, ...], baseline: float, i0: int, i1: int, j0: int, j1: int
) -> Bead:
    """A bead scored by the calibrated similarity of its two sides (0 for an unlinked sentence)."""
    a, b = i1 - i0, j1 - j0
    similarity = float(_dp.calibrated(float(src_spans[a][i1] @ tgt_spans[b][j1]), baseline)) if a and b else 0.0
    return Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(similarity, 4))


def _mutual_best(similarity: NDArray, above: float) -> list[tuple[int, int]]:
    """``(row, column)`` pairs that are each other's best match and score at least ``above``.

    ``similarity`` has shape ``(n, m)``; use ``-inf`` for pairs that may not be linked.
    """
    if not similarity.size:
        return []
    best_col, best_row = similarity.argmax(axis=1), similarity.argmax(axis=0)
    return [(i, int(j)) for i, j in enumerate(best_col) if best_row[j] == i and similarity[i, j] >= above]


def _link_moved(
    beads: list[Bead], src_spans: tuple[Table, ...], tgt_spans: tuple[Table, ...], baseline: float, above: float
) -> list[Bead]:
    """Source and target sentences the path left free that translate each other, linked where the
    source has them. Free: unlinked, or on a bead side of several sentences and adding nothing to its
    similarity (the path had nowhere else to put it). A pair with no linked bead between them is left
    as the path put it: that was a choice."""
    free_src, free_tgt = _free(beads, src_spans, tgt_spans, "src"), _free(beads, tgt_spans, src_spans, "tgt")
    if not free_src or not free_tgt or max(len(free_src), len(free_tgt)) > MAX_MOVED_CANDIDATES:
        return beads
    rows, cols = sorted(free_src), sorted(free_tgt)
    src, tgt = src_spans[1][1:], tgt_spans[1][1:]
    similarity = _dp.calibrated(src[rows] @ tgt[cols].T, baseline)
    # How many linked beads lie before each source / target position: see _crosses.
    linked = [bead for bead in beads if bead.src and bead.tgt]
    linked_before_src = np.cumsum(np.bincount([b.src[-1] + 1 for b in linked], minlength=len(src) + 1))
    linked_before_tgt = np.cumsum(np.bincount([b.tgt[-1] + 1 for b in linked], minlength=len(tgt) + 1))
    moved: dict[int, list[Bead]] = {}  # by the bead its source sentence leaves: the moved beads
    leaving: dict[int, tuple[set[int], set[int]]] = {}  # by bead: the source and target sentences it gives up
    for r, c in _mutual_best(similarity, above):
        i, j = rows[r], cols[c]
        k_src, k_tgt = free_src[i], free_tgt[j]
        if k_src == k_tgt or not _crosses(i, j, beads[k_src], beads[k_tgt], linked_before_src, linked_before_tgt):
            continue
        moved.setdefault(k_src, []).append(Bead((i,), (j,), round(float(similarity[r, c]), 4), moved=True))
        leaving.setdefault(k_src, (set(), set()))[0].add(i)
        leaving.setdefault(k_tgt, (set(), set()))[1].add(j)
    out = []
    for k, bead in enumerate(beads):
        rest = _without(bead, src_spans, tgt_spans, baseline, *leaving[k]) if k in leaving else [bead]
        parts = moved.get(k, []) + rest
        out.extend(sorted(parts, key=lambda b: b.src[0] if b.src else len(src)))
    return out


def _crosses(
    i: int,
    j: int,
    holds_i: Bead,
    holds_j: Bead,
    linked_before_src: NDArray[np.int_],
    linked_before_tgt: NDArray[np.int_],
) -> bool:
    """Whether linking source ``i`` to target ``j`` crosses a linked bead once the two beads that hold
    them give them up: the other beads are crossed when different numbers of them lie before ``i`` and
    before ``j``; what is left of a holder, when it lies on different sides of the link in the two
    languages (a bead that gives up a sentence from its middle surrounds the link on one side)."""
    holders = [b for b in (holds_i, holds_j) if b.src and b.tgt]
    others_before_src = linked_before_src[i] - sum(b.src[-1] < i for b in holders)
    others_before_tgt = linked_before_tgt[j] - sum(b.tgt[-1] < j for b in holders)
    left = [
        (tuple(s for s in holds_i.src if s != i), holds_i.tgt),
        (holds_j.src, tuple(t for t in holds_j.tgt if t != j)),
    ]
    return others_before_src != others_before_tgt or any(s and t and _side_of(s, i) != _side_of(t, j) for s, t in left)


def _side_of(indices: tuple[int, ...], k: int) -> str:
    return "before" if indices[-1] < k else "after" if indices[0] > k else "around"


def _free(beads: list[Bead], spans: tuple[Table, ...], other: tuple[Table, ...], side: str) -> dict[int, int]:
    """Sentences of one side (``"src"`` or ``"tgt"``) that may move, each with the index of its bead."""
    free = {}
    for k, bead in enumerate(beads):
        mine, theirs = (bead.src, bead.tgt) if side == "src" else (bead.tgt, bead.src)
        if not theirs:
            free[mine[0]] = k
        elif len(mine) > 1:
            partner = _vector(other, theirs)
            with_all = float(_vector(spans, mine) @ partner)
            for sentence in mine:
                if float(_vector(spans, [i for i in mine if i != sentence]) @ partner) >= with_all:
                    free[sentence] = k
    return free


def _vector(spans: tuple[Table, ...], indices: Sequence[int]) -> NDArray[np.float32]:
    """Embedding of some sentences of one side: their span's, or for a gap, the normalised sum of the runs'."""
    stretches = runs(tuple(indices))
    if len(stretches) == 1:
        return np.asarray(spans[len(indices)][indices[-1] + 1], dtype=np.float32)
    total = np.sum([np.asarray(spans[len(run)][run[-1] + 1], dtype=np.float32) for run in stretches], axis=0)
    return _spans.normalized(total)


def _without(
    bead: Bead,
    src_spans: tuple[Table, ...],
    tgt_spans: tuple[Table, ...],
    baseline: float,
    src: set[int],
    tgt: set[int],
) -> list[Bead]:
    """What is left of a bead without some of its sentences, scored again: one bead, or unlinked sentences."""
    s, t = tuple(i for i in bead.src if i not in src), tuple(j for j in bead.tgt if j not in tgt)
    if s and t:
        score = float(_dp.calibrated(float(_vector(src_spans, s) @ _vector(tgt_spans, t)), baseline))
        return [Bead(s, t, round(score, 4))]
    return _unlinked(s, t)


def _warn_if_unrelated(beads: list[Bead]) -> None:
    linked = [b.score for b in beads if b.src and b.tgt]
    if not linked:
        return
    mean = float(np.mean(linked))
    if mean < UNRELATED_BELOW:
        log.warning("mean similarity %.2f is very low: the texts may not be translations of each other", mean)


def _band(src: Table, tgt: Table, options: AlignOptions) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Columns to evaluate per row: everything for ordinary sizes, else a coarse-to-fine band."""
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= options.exact_cells:
        return _dp.full_band(n, m)
    r = options.coarse_ratio
    coarse_src, coarse_tgt = _blocks(src, r), _blocks(tgt, r)
    coarse_lo, coarse_hi = _band(coarse_src, coarse_tgt, options)
    coarse_path = _dp.align_band(
        _block_side(coarse_src),
        _block_side(coarse_tgt),
        coarse_lo,
        coarse_hi,
        _dp.bead_types(4),
        _dp.ScoreParams(length=0.0, paragraph=0.0, skip=options.params.skip),
        0.0,
    )
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    pad = options.band_pad
    for i0, i1, j0, j1 in coarse_path:
        rows = slice(min(i0 * r, n), min(i1 * r, n) + 1)
        lo[rows] = np.minimum(lo[rows], max(j0 * r - pad, 0))
        hi[rows] = np.maximum(hi[rows], min(j1 * r + pad, m))
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0], hi[n] = 0, m
    return lo, hi


def _blocks(embeddings: Table, r: int) -> NDArray[np.float32]:
    """Unit-norm mean of each run of ``r`` consecutive sentence embeddings (read a few thousand rows at a time)."""
    n, dim = embeddings.shape
    blocks = np.zeros((-(-n // r), dim), dtype=np.float32)
    step = r * 512
    for start in range(0, n, step):
        rows = _spans.read_rows(embeddings, start, min(start + step, n))
        padded = np.zeros((-(-len(rows) // r) * r, dim), dtype=np.float32)
        padded[: len(rows)] = rows
        blocks[start // r : start // r + len(padded) // r] = padded.reshape(-1, r, dim).sum(axis=1)
    return blocks / np.maximum(np.linalg.norm(blocks, axis=1, keepdims=True), 1e-9)


def _block_side(blocks: NDArray[np.float32]) -> _dp.Side:
    """A coarse level: blocks are the 'sentences', spans of 2 and 3 blocks their normalised sums."""
    n = len(blocks)
    return _dp.Side(
        spans=(np.zeros((0, blocks.shape[1]), dtype=np.float32), *(SummedSpans(blocks, a) for a in range(1, 4))),
        length_cum=np.arange(n + 1, dtype=np.float64),
        paragraph_cum=np.zeros(n + 1, dtype=np.int64),
    )
