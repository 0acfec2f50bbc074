"""The DP kernel on hand-built embeddings, where every similarity is known in advance.

Shapes follow ``aligner._dp``: ``Side.spans[a]`` is ``(n + 1, d)`` with row ``e`` the embedding of
sentences ``[e - a, e)``; ``lo``/``hi`` are ``(n + 1,)`` column windows; beads come back as
half-open ``(i0, i1, j0, j1)`` ranges.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from aligner._dp import ScoreParams, Side, align_band, bead_types, full_band

DIM = 8


def unit(*axes: int) -> NDArray[np.float32]:
    """The normalised sum of the given basis vectors: ``unit(0, 1)`` is (e0 + e1) / sqrt(2)."""
    v = np.zeros(DIM, dtype=np.float32)
    v[list(axes)] = 1.0
    return v / np.linalg.norm(v)


def side(
    vectors: Sequence[NDArray[np.float32]],
    *,
    max_span: int = 4,
    lengths: Sequence[int] | None = None,
    paragraph_starts: Sequence[int] = (0,),
) -> Side:
    """A Side whose span embeddings are the normalised sums of its sentence vectors."""
    n = len(vectors)
    sentences = np.array(vectors, dtype=np.float32).reshape(n, DIM)
    spans = [np.zeros((0, DIM), dtype=np.float32)]
    for a in range(1, max_span + 1):
        table = np.zeros((n + 1, DIM), dtype=np.float32)
        for e in range(a, n + 1):
            total = sentences[e - a : e].sum(axis=0)
            table[e] = total / max(float(np.linalg.norm(total)), 1e-9)
        spans.append(table)
    starts = np.zeros(n + 1, dtype=np.int64)
    starts[list(paragraph_starts)] = 1
    return Side(
        spans=tuple(spans),
        length_cum=np.concatenate([[0.0], np.cumsum(lengths or [20] * n)]).astype(np.float64),
        paragraph_cum=np.cumsum(starts),
    )


DEFAULT = ScoreParams()


def run(src: Side, tgt: Side, params: ScoreParams = DEFAULT, max_total: int = 5) -> list[tuple[int, int, int, int]]:
    lo, hi = full_band(src.size, tgt.size)
    return align_band(src, tgt, lo, hi, bead_types(max_total), params, 0.0)


def test_bead_types_are_listed_cheapest_first() -> None:
    assert bead_types(5) == [
        (1, 0), (0, 1),
        (1, 1),
        (1, 2), (2, 1),
        (1, 3), (2, 2), (3, 1),
        (1, 4), (2, 3), (3, 2), (4, 1),
    ]  # fmt: skip
    assert bead_types(2) == [(1, 0), (0, 1), (1, 1)]


def test_full_band_covers_every_column() -> None:
    lo, hi = full_band(3, 7)
    assert lo.shape == hi.shape == (4,)
    assert lo.tolist() == [0, 0, 0, 0]
    assert hi.tolist() == [7, 7, 7, 7]


def test_identical_sentences_give_the_diagonal() -> None:
    vectors = [unit(k) for k in range(5)]
    assert run(side(vectors), side(vectors)) == [(k, k + 1, k, k + 1) for k in range(5)]


def test_two_source_sentences_merge_onto_the_target_sentence_they_make_up() -> None:
    # Target sentence 1 is exactly the span of source sentences 1-2: a 2-1 bead scores 1.0, while
    # 1-1 + 1-0 scores cos(e1, (e1+e2)/sqrt2) + skip = 0.71 - 0.1.
    src = side([unit(0), unit(1), unit(2), unit(3)])
    tgt = side([unit(0), unit(1, 2), unit(3)])
    assert run(src, tgt) == [(0, 1, 0, 1), (1, 3, 1, 2), (3, 4, 2, 3)]


def test_target_merge_is_the_mirror_image() -> None:
    src = side([unit(0), unit(1, 2), unit(3)])
    tgt = side([unit(0), unit(1), unit(2), unit(3)])
    assert run(src, tgt) == [(0, 1, 0, 1), (1, 2, 1, 3), (2, 3, 3, 4)]


def test_a_sentence_that_matches_nothing_is_left_unlinked() -> None:
    src = side([unit(0), unit(1), unit(2)])
    tgt = side([unit(0), unit(7), unit(1), unit(2)])  # e7 is orthogonal to every source sentence
    assert run(src, tgt) == [(0, 1, 0, 1), (1, 1, 1, 2), (1, 2, 2, 3), (2, 3, 3, 4)]
    assert run(tgt, src) == [(0, 1, 0, 1), (1, 2, 1, 1), (2, 3, 1, 2), (3, 4, 2, 3)]


def with_cosine(c: float) -> NDArray[np.float32]:
    """A unit vector whose cosine with e0 is ``c`` (the rest of it lies along e7)."""
    return np.array([c, 0, 0, 0, 0, 0, 0, np.sqrt(1 - c * c)], dtype=np.float32)


def test_two_sentences_are_linked_only_if_that_beats_skipping_both() -> None:
    # Skipping costs 0.1 per sentence, so a 1-1 bead pays off whenever its cosine exceeds -0.2.
    assert run(side([unit(0)]), side([with_cosine(-0.15)])) == [(0, 1, 0, 1)]
    skipped_both = run(side([unit(0)]), side([with_cosine(-0.25)]))
    assert skipped_both in ([(0, 1, 0, 0), (1, 1, 0, 1)], [(0, 0, 0, 1), (0, 1, 1, 1)])


def test_empty_source_gives_only_insertions() -> None:
    assert run(side([]), side([unit(0), unit(1)])) == [(0, 0, 0, 1), (0, 0, 1, 2)]


def test_merge_penalty_makes_merges_earn_their_place() -> None:
    # Target sentence 1 holds only part of the second source span: merging scores cos = 0.82 and
    # beats 1-1 + 1-0 (0.58 - 0.1) for free, but not once a merge costs 0.5 per extra sentence.
    src = side([unit(0), unit(1), unit(2), unit(3)])
    tgt = side([unit(0), unit(1, 1, 2), unit(3)])
    assert (1, 3, 1, 2) in run(src, tgt)
    assert (1, 3, 1, 2) not in run(src, tgt, ScoreParams(merge=0.5))


def test_a_merge_across_a_paragraph_break_costs_the_paragraph_penalty() -> None:
    src_vectors = [unit(0), unit(1), unit(2)]
    tgt = side([unit(0), unit(1, 2)])
    same_paragraph = side(src_vectors, paragraph_starts=(0,))
    split_paragraph = side(src_vectors, paragraph_starts=(0, 2))  # sentence 2 opens a new paragraph
    params = ScoreParams(paragraph=0.5)
    assert run(same_paragraph, tgt, params) == [(0, 1, 0, 1), (1, 3, 1, 2)]
    assert run(split_paragraph, tgt, params) == [(0, 1, 0, 1), (1, 2, 1, 2), (2, 3, 2, 2)]


def test_large_length_mismatch_breaks_a_tie_in_similarity() -> None:
    # Both target sentences are equally similar to the source one; the length term links the one of
    # the same length (merging both is priced out).
    src = side([unit(0)], lengths=[100])
    tgt = side([unit(0), unit(0)], lengths=[10, 100])
    assert run(src, tgt, ScoreParams(length=1.0, merge=1.0)) == [(0, 0, 0, 1), (0, 1, 1, 2)]
    tgt = side([unit(0), unit(0)], lengths=[100, 10])
    assert run(src, tgt, ScoreParams(length=1.0, merge=1.0)) == [(0, 1, 0, 1), (1, 1, 1, 2)]


def test_the_band_limits_the_search() -> None:
    vectors = [unit(k) for k in range(4)]
    src, tgt = side(vectors), side(vectors)
    # Row 1 may only end at columns 2..4, so the 1-1 bead (0,1)->(0,1) is outside the band.
    lo = np.array([0, 2, 2, 3, 4], dtype=np.int64)
    hi = np.array([1, 4, 4, 4, 4], dtype=np.int64)
    beads = align_band(src, tgt, lo, hi, bead_types(5), ScoreParams(), 0.0)
    assert run(src, tgt)[0] == (0, 1, 0, 1)  # what the full search finds
    assert (0, 1, 0, 1) not in beads
    for _, i1, _, j1 in beads:  # every bead ends on a cell inside the band
        assert lo[i1] <= j1 <= hi[i1]
    # The beads still chain from (0, 0) to (4, 4).
    assert beads[0][0::2] == (0, 0) and beads[-1][1::2] == (4, 4)
    assert all(prev[1::2] == nxt[0::2] for prev, nxt in itertools.pairwise(beads))


def test_a_band_that_does_not_connect_the_corners_is_an_error() -> None:
    vectors = [unit(k) for k in range(4)]
    lo = np.array([0, 0, 0, 0, 4], dtype=np.int64)
    hi = np.array([0, 0, 0, 0, 4], dtype=np.int64)
    # Reaching (4, 4) from row 3 (column 0 only) would need a 1-4 bead; beads hold at most 3 here.
    with pytest.raises(ValueError, match="band does not connect"):
        align_band(side(vectors), side(vectors), lo, hi, bead_types(3), ScoreParams(), 0.0)


def _bead_score(src: Side, tgt: Side, bead: tuple[int, int, int, int], params: ScoreParams) -> float:
    """The score ScoreParams documents, written out for one bead (lengths equal, no paragraphs)."""
    i0, i1, j0, j1 = bead
    a, b = i1 - i0, j1 - j0
    if a == 0 or b == 0:
        return params.skip * (a + b)
    score = _linked_score(src, tgt, *bead, params)
    # a 2-1 or 1-2 bead must beat its parts with the first or the last sentence of the pair dropped
    parts = []
    if (a, b) == (2, 1):
        parts = [
            _linked_score(src, tgt, i0 + 1, i1, j0, j1, params),
            _linked_score(src, tgt, i0, i1 - 1, j0, j1, params),
        ]
    if (a, b) == (1, 2):
        parts = [
            _linked_score(src, tgt, i0, i1, j0 + 1, j1, params),
            _linked_score(src, tgt, i0, i1, j0, j1 - 1, params),
        ]
    if parts and score < max(parts) + params.min_gain:
        return -np.inf
    return score


def _linked_score(src: Side, tgt: Side, i0: int, i1: int, j0: int, j1: int, params: ScoreParams) -> float:
    a, b = i1 - i0, j1 - j0
    sim = float(src.spans[a][i1] @ tgt.spans[b][j1])
    dlen = np.log((src.length_cum[i1] - src.length_cum[i0] + 10) / (tgt.length_cum[j1] - tgt.length_cum[j0] + 10))
    return sim - params.length * dlen**2 - params.merge * (a + b - 2)


def test_a_sentence_that_adds_nothing_to_a_match_is_not_merged_into_it() -> None:
    # Target 0 translates source 0; source 1 is related but adds little. Merged, the pair scores less
    # than source 0 alone by more than min_gain, so source 1 is left unlinked although that costs a skip.
    src = side([unit(0), with_cosine(0.8)])
    tgt = side([unit(0)])
    assert run(src, tgt) == [(0, 1, 0, 1), (1, 2, 1, 1)]
    assert run(src, tgt, ScoreParams(min_gain=-1.0)) == [(0, 2, 0, 1)]  # without the rule: a cheap 2-1


@pytest.mark.parametrize("seed", range(5))
def test_the_banded_search_finds_the_best_path_inside_its_band(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 9, 11
    src = side([v / np.linalg.norm(v) for v in rng.normal(size=(n, DIM)).astype(np.float32)])
    tgt = side([v / np.linalg.norm(v) for v in rng.normal(size=(m, DIM)).astype(np.float32)])
    # a random monotonic band around the diagonal, joining (0, 0) to (n, m)
    centre = np.round(np.arange(n + 1) * m / n).astype(np.int64)
    lo = np.minimum.accumulate(np.maximum(centre - rng.integers(0, 3, n + 1), 0)[::-1])[::-1]
    hi = np.maximum.accumulate(np.minimum(centre + rng.integers(0, 3, n + 1), m))
    lo[0], hi[n] = 0, m
    types = bead_types(4)

    best: dict[tuple[int, int], float] = {(0, 0): 0.0}  # plain recursion over the band's cells
    for i in range(n + 1):
        for j in range(int(lo[i]), int(hi[i]) + 1):
            for a, b in types:
                prev = best.get((i - a, j - b))
                if prev is not None and (i, j) != (0, 0) and lo[i - a] <= j - b <= hi[i - a]:
                    score = prev + _bead_score(src, tgt, (i - a, i, j - b, j), DEFAULT)
                    best[i, j] = max(best.get((i, j), -np.inf), score)

    beads = align_band(src, tgt, lo, hi, types, DEFAULT, 0.0)
    assert all(lo[i1] <= j1 <= hi[i1] for _, i1, _, j1 in beads)
    assert sum(_bead_score(src, tgt, bead, DEFAULT) for bead in beads) == pytest.approx(best[n, m], abs=1e-5)
