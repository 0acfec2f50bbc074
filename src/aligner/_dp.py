"""Numeric core of the aligner: banded dynamic programming over bead types. No I/O, no models.

Coordinates: ``D[i, j]`` is the best score of aligning the first ``i`` source and first ``j``
target sentences. A bead of type ``(a, b)`` ending at ``(i, j)`` covers source sentences
``[i - a, i)`` and target sentences ``[j - b, j)``. Each row ``i`` is only evaluated on a window of
columns ``[lo[i], hi[i]]`` so that time and memory grow with the band, not with ``n * m``.

Span embeddings are indexed by their END position: ``span[a][e]`` (shape ``(n + 1, d)``) is the
embedding of sentences ``[e - a, e)``, zero for ``e < a``. A table is a float32 array or any table of
``aligner._spans`` (stored as float16): indexing it with an int array gives float32 rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from ._spans import Table

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class ScoreParams:
    """Weights of the bead score; defaults are tuned on Text+Berg (see benchmarks/align_textberg.py).

    A linked bead ``(a, b)`` scores ``sim - length * dlen**2 - merge * (a + b - 2)``, where ``sim``
    is the cosine of the two span embeddings (``calibrated`` to the default encoder's scale) and
    ``dlen`` the log character-length ratio minus the document's. Scores add up per bead, not per
    sentence, so a merge must earn more than the 1-1 beads it replaces. An unlinked sentence scores
    ``skip``.

    A bead of three or more sentences is ruled out unless it scores at least ``min_gain`` more than
    every bead it contains with one sentence fewer at an edge: otherwise the extra sentence adds
    nothing to the match and is better left unlinked (a cheap skip would let a good pair carry it).
    """

    skip: float = -0.1
    length: float = 0.1
    merge: float = 0.0
    paragraph: float = 0.1  # cost of a bead that straddles a paragraph break on one side
    min_gain: float = -0.05


#: Median cosine of unrelated sentence pairs under the default encoder (USE, measured on Text+Berg):
#: the scale the defaults above are tuned on. Other encoders' similarities are mapped onto it.
REFERENCE_BASELINE = 0.05


@overload
def calibrated(sim: NDArray, baseline: float) -> NDArray: ...
@overload
def calibrated(sim: float, baseline: float) -> float: ...
def calibrated(sim: NDArray | float, baseline: float) -> NDArray | float:
    """Similarities rescaled so that ``baseline`` (unrelated pairs) lands on ``REFERENCE_BASELINE``
    and 1 stays 1: an encoder whose unrelated sentences score 0.75 (e5) then behaves like USE."""
    return REFERENCE_BASELINE + (sim - baseline) * (1 - REFERENCE_BASELINE) / (1 - baseline)


@dataclass(frozen=True)
class Side:
    """What the kernel needs to know about one document's sentences."""

    spans: tuple[Table, ...]  # spans[a] for a = 1..max_span (index 0 unused: empty array)
    length_cum: NDArray[np.float64]  # (n + 1,) cumulative character counts
    paragraph_cum: NDArray[np.int64]  # (n + 1,) paragraphs begun at or before sentence e (index 0 = first)

    @property
    def size(self) -> int:
        return len(self.length_cum) - 1


def bead_types(max_total: int) -> list[tuple[int, int]]:
    """1-0, 0-1 and every a-b with a, b >= 1 and a + b <= max_total, cheapest first."""
    linked = [(a, b) for a in range(1, max_total) for b in range(1, max_total) if a + b <= max_total]
    return [(1, 0), (0, 1)] + sorted(linked, key=lambda t: (t[0] + t[1], t))


def full_band(n: int, m: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every column for every row: exact DP."""
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def align_band(
    src: Side,
    tgt: Side,
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    types: list[tuple[int, int]],
    params: ScoreParams,
    log_ratio: float,
    baseline: float = REFERENCE_BASELINE,
) -> list[tuple[int, int, int, int]]:
    """Best monotonic path through the band; returns beads as ``(i0, i1, j0, j1)`` half-open ranges.

    ``lo``/``hi`` (shape ``(n + 1,)``) must be non-decreasing with ``lo[0] == 0`` and
    ``hi[n] == m``; rows are evaluated at columns ``lo[i]..hi[i]`` inclusive.
    """
    n, m = src.size, tgt.size
    rows: list[NDArray[np.float64]] = []
    back: list[NDArray[np.int8]] = []
    skip_type = types.index((0, 1))
    for i in range(n + 1):
        if i % _BLOCK_ROWS == 0:
            block_rows = slice(i, min(i + _BLOCK_ROWS, n + 1))
            block_lo = int(lo[block_rows.start])
            gains = _block_gains(
                src, tgt, block_rows, block_lo, int(hi[block_rows.stop - 1]), types, params, log_ratio, baseline
            )
        width = int(hi[i] - lo[i] + 1)
        best = np.full(width, -np.inf)
        arg = np.full(width, -1, dtype=np.int8)
        if i == 0:
            best[0] = 0.0  # lo[0] == 0
        gain_cols = slice(int(lo[i]) - block_lo, int(hi[i]) + 1 - block_lo)
        for t, (a, b) in enumerate(types):
            if a == 0 or a > i or b > hi[i]:
                continue
            prev = _row_segment(rows[i - a], int(lo[i - a]), int(lo[i]) - b, width)
            gain = params.skip if b == 0 else gains[t][i - block_rows.start, gain_cols]
            candidate = prev + gain
            better = candidate > best
            best[better] = candidate[better]
            arg[better] = t
        # 0-1 beads chain along the row: best[j] = max(best[j], best[j-1] + skip), as a running max.
        steps = np.arange(width) * params.skip
        chained = np.maximum.accumulate(best - steps) + steps
        from_left = chained > best + 1e-9  # tolerance: best - steps + steps need not round-trip
        arg[from_left] = skip_type
        rows.append(np.where(from_left, chained, best))
        back.append(arg)
    return _trace(rows, back, lo, types, n, m)


#: Rows whose bead scores are computed together: one matrix product per bead type and block.
_BLOCK_ROWS = 128


def _block_gains(
    src: Side,
    tgt: Side,
    rows: slice,
    col_lo: int,
    col_hi: int,
    types: list[tuple[int, int]],
    params: ScoreParams,
    log_ratio: float,
    baseline: float,
) -> dict[int, NDArray[np.float64]]:
    """Score of each linked bead type ending at each (row, column) of a block; -inf where impossible.

    ``gains[t][r, c]`` is for the bead ``types[t]`` ending at row ``rows.start + r`` and column
    ``col_lo + c``.
    """
    # One row and column more than the block, above and left: the parts that drop a bead's last
    # sentence end there.
    i = np.arange(rows.start - 1, rows.stop)[:, None]
    j = np.arange(col_lo - 1, col_hi + 1)[None, :]
    scores = {}
    for a, b in types:
        if not a or not b or a > src.size or b > tgt.size:
            continue
        ii, jj = np.maximum(i, a), np.maximum(j, b)  # clamped so that impossible cells index safely
        sim = calibrated((src.spans[a][ii[:, 0]] @ tgt.spans[b][jj[0]].T).astype(np.float64), baseline)
        src_chars = src.length_cum[ii] - src.length_cum[ii - a]
        tgt_chars = tgt.length_cum[jj] - tgt.length_cum[jj - b]
        dlen = np.log((src_chars + 10.0) / (tgt_chars + 10.0)) - log_ratio
        score = sim - params.length * dlen**2 - params.merge * (a + b - 2)
        # A span [s, e) straddles a paragraph break when a paragraph begins at one of s+1 .. e-1.
        if a > 1:
            score -= params.paragraph * (src.paragraph_cum[ii - 1] > src.paragraph_cum[ii - a])
        if b > 1:
            score -= params.paragraph * (tgt.paragraph_cum[jj - 1] > tgt.paragraph_cum[jj - b])
        scores[a, b] = score
    i, j = i[1:], j[:, 1:]
    gains = {}
    for t, (a, b) in enumerate(types):
        if (a, b) not in scores:
            continue
        gain = scores[a, b][1:, 1:]
        valid = (i >= a) & (j >= b)
        if (a, b) == (2, 1):  # the parts without the first or the last source sentence
            valid &= gain >= np.maximum(scores[a - 1, b][1:, 1:], scores[a - 1, b][:-1, 1:]) + params.min_gain
        if (a, b) == (1, 2):
            valid &= gain >= np.maximum(scores[a, b - 1][1:, 1:], scores[a, b - 1][1:, :-1]) + params.min_gain
        gains[t] = np.where(valid, gain, -np.inf)
    return gains


def _row_segment(row: NDArray[np.float64], row_lo: int, start: int, width: int) -> NDArray[np.float64]:
    """``row`` (stored from column ``row_lo``) read at columns ``start .. start + width - 1``; -inf
    outside what was stored. A copy by slices: the DP's hot path."""
    out = np.full(width, -np.inf)
    first = max(start, row_lo)
    last = min(start + width, row_lo + len(row))
    if first < last:
        out[first - start : last - start] = row[first - row_lo : last - row_lo]
    return out


def _trace(
    rows: list[NDArray[np.float64]],
    back: list[NDArray[np.int8]],
    lo: NDArray[np.int64],
    types: list[tuple[int, int]],
    n: int,
    m: int,
) -> list[tuple[int, int, int, int]]:
    if not np.isfinite(_row_segment(rows[n], int(lo[n]), m, 1)[0]):
        raise ValueError("the band does not connect (0, 0) to (n, m)")
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = types[back[i][j - lo[i]]]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads
