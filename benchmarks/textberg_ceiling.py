"""How far strict F1 on Text+Berg can go: the gold's own ceiling and our scorer's in-sample ceiling.

Usage: python benchmarks/textberg_ceiling.py [--search] [--with-e5 [--cache-dir DIR]]
Prints:
  1. the oracle: the best strict P/R/F1 that ANY monotonic aligner with contiguous beads of at most
     5 sentences can reach on this gold (some gold beads cross or skip sentences: no such aligner
     can produce them), and how many gold beads those are;
  2. where the default aligner's wrong beads are: on a gold bead no monotonic aligner can produce,
     or on one it could;
  3. with --search: the default aligner with its score weights (skip, length, merge) tuned on
     Text+Berg itself by coordinate ascent. That is fitting the test set, so the figure is an upper
     bound of what re-weighting our scorer can give, not a result;
  4. with --with-e5: both offline encoders at once, similarity = (1 - w) * use + w * e5-small, for a
     few weights w (e5-small takes ~13 min to embed Text+Berg here; --cache-dir keeps it for re-runs).
Data: ../shared/data/textberg-de-fr (presegmented).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _common import TEXTBERG, require

from aligner._dp import ScoreParams, bead_types
from aligner.align import AlignOptions, align_sentences
from aligner.embed import EmbeddingCache, Encoder, embed_spans, get_encoder
from aligner.evaluate import Ladder, read_ladder, score

MAX_TOTAL = 5
Bead = tuple[tuple[int, ...], tuple[int, ...]]


def reachable(bead: Bead, gold: Ladder) -> bool:
    """Whether a monotonic aligner with contiguous beads can output ``bead`` together with the rest of ``gold``."""
    src, tgt = bead
    if any(side and side[-1] - side[0] != len(side) - 1 for side in (src, tgt)):
        return False
    if not src or not tgt:
        return True
    return not any(
        other_src and other_tgt and (min(other_src) > max(src)) != (min(other_tgt) > max(tgt))
        for other_src, other_tgt in gold
        if (other_src, other_tgt) != bead
    )


def oracle(n: int, m: int, gold: Ladder) -> list[Bead]:
    """The monotonic path through an n x m document that reproduces the most gold beads exactly, and
    among those the one with fewest beads (wrong beads cost precision)."""
    wanted = {(tuple(s), tuple(t)) for s, t in gold}
    types = bead_types(MAX_TOTAL)
    best: dict[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]] = {(0, 0): ((0, 0), (0, 0))}
    for i in range(n + 1):
        for j in range(m + 1):
            for a, b in types:
                prev = best.get((i - a, j - b))
                if prev is None or (i, j) == (0, 0):
                    continue
                hit = (tuple(range(i - a, i)), tuple(range(j - b, j))) in wanted
                value = (prev[0][0] + hit, prev[0][1] - 1)  # (gold beads hit, minus beads used)
                if (i, j) not in best or value > best[i, j][0]:
                    best[i, j] = (value, (a, b))
    path: list[Bead] = []
    i, j = n, m
    while (i, j) != (0, 0):
        a, b = best[i, j][1]
        path.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return path[::-1]


def load() -> list[tuple[list[str], list[str], Ladder]]:
    documents = []
    for gold in sorted((TEXTBERG / "gold").iterdir()):
        src = [s.strip() for s in (TEXTBERG / "de" / gold.name).read_text(encoding="utf-8").splitlines()]
        tgt = [t.strip() for t in (TEXTBERG / "fr" / gold.name).read_text(encoding="utf-8").splitlines()]
        documents.append((src, tgt, read_ladder(gold)))
    return documents


class Mixture:
    """Two encoders as one: unit rows ``[sqrt(1 - w) * a, sqrt(w) * b]``, whose dot products are
    ``(1 - w) * cos_a + w * cos_b``. Spans come from each encoder's own span embedding."""

    def __init__(self, a: Encoder, b: Encoder, weight: float) -> None:
        self.a, self.b, self.weight = a, b, weight
        self.name = f"{a.name}+{b.name}@{weight}"
        self.dim = a.dim + b.dim

    def _join(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        return np.hstack([rows_a * math.sqrt(1 - self.weight), rows_b * math.sqrt(self.weight)]).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._join(self.a.encode(texts), self.b.encode(texts))

    def encode_spans(self, sentences: Sequence[str], spans: Sequence[tuple[int, int]]) -> np.ndarray:
        return self._join(embed_spans(self.a, sentences, spans), embed_spans(self.b, sentences, spans))


def predict(documents: list, encoder: Encoder, params: ScoreParams) -> list[tuple[list[Bead], Ladder]]:
    options = AlignOptions(params=params)
    return [
        ([(b.src, b.tgt) for b in align_sentences(src, tgt, encoder, options)], gold) for src, tgt, gold in documents
    ]


def line(name: str, pairs: list) -> str:
    s = score(pairs)
    strict = f"{s.strict_precision:.4f}/{s.strict_recall:.4f}/{s.strict_f1:.4f}"
    return f"{name:44s} strict P/R/F1 {strict}  lax F1 {s.lax_f1:.4f}"


def search(documents: list, encoder: EmbeddingCache) -> tuple[ScoreParams, list]:
    """Coordinate ascent on strict F1 over skip, length and merge, from the defaults."""
    params = ScoreParams()
    pairs = predict(documents, encoder, params)
    best = score(pairs).strict_f1
    for step in (0.1, 0.05, 0.02):
        improved = True
        while improved:
            improved = False
            for name in ("skip", "length", "merge"):
                for delta in (-step, step):
                    trial = dataclasses.replace(params, **{name: round(getattr(params, name) + delta, 4)})
                    trial_pairs = predict(documents, encoder, trial)
                    f1 = score(trial_pairs).strict_f1
                    if f1 > best + 1e-9:
                        params, pairs, best, improved = trial, trial_pairs, f1, True
    return params, pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="also tune the score weights on this set (slow)")
    parser.add_argument("--with-e5", action="store_true", help="also mix in e5-small's similarities (slow)")
    parser.add_argument("--cache-dir", type=Path, help="keep embeddings in this folder between runs")
    args = parser.parse_args()
    require(TEXTBERG)
    documents = load()
    golds = [gold for _, _, gold in documents]
    unreachable = sum(not reachable((tuple(s), tuple(t)), gold) for gold in golds for s, t in gold)
    print(f"gold beads: {sum(map(len, golds))}, of which no monotonic aligner can produce {unreachable}")
    print(line("oracle (best any monotonic aligner can do)", [(oracle(len(s), len(t), g), g) for s, t, g in documents]))

    encoder = EmbeddingCache(get_encoder("use"), args.cache_dir)
    pairs = predict(documents, encoder, ScoreParams())
    print(line("aligner, default weights", pairs))
    on_unreachable = on_reachable = 0
    for predicted, gold in pairs:
        gold_set = {(tuple(s), tuple(t)) for s, t in gold}
        for src, tgt in predicted:
            if (src, tgt) in gold_set:
                continue
            touched = [g for g in gold_set if set(g[0]) & set(src) or set(g[1]) & set(tgt)]
            if any(not reachable(g, gold) for g in touched):
                on_unreachable += 1
            else:
                on_reachable += 1
    print(
        f"wrong predicted beads: {on_unreachable} touch a gold bead no monotonic aligner can produce,"
        f" {on_reachable} do not"
    )
    if args.search:
        params, tuned = search(documents, encoder)
        print(line(f"tuned on this set: skip={params.skip} length={params.length} merge={params.merge}", tuned))
    if args.with_e5:
        e5 = EmbeddingCache(get_encoder("e5-small"), args.cache_dir)
        for weight in (0.2, 0.5, 0.8):
            mixed = predict(documents, Mixture(encoder, e5, weight), ScoreParams())
            print(line(f"use and e5-small, e5 weight {weight}", mixed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
