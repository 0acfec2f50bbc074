"""Pairwise alignment of UD PUD statements in which languages put some sentences elsewhere: how well moved
sentences are linked, and what ``AlignOptions.moved_above`` should be.

Usage: python benchmarks/align_moved.py [--thresholds 0.3,0.35,0.4,0.45,0.5,0.6] [--moves 0.03,0] [--seeds 1,2]
                                        [--cache-dir DIR]
Statements of 25 documents (all 397), every language with 5% deletions and 8% merges; every language but
English then moves that share of its lines (``--moves``; 0 = none) each to a random place at least 3 lines
away. All 10 pairs are aligned with ``aligner.align`` (gold sentences) and scored against the true links,
which may cross. Per share and threshold: strict P/R/F1, lax F1, moved beads linked and how many are gold.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from itertools import combinations
from pathlib import Path

from _calibration import gold_units, statements
from _common import LANGS, Lines, perturb, pud_corpus

from aligner.align import AlignOptions, align_sentences
from aligner.embed import EmbeddingCache, get_encoder
from aligner.evaluate import score

Ladder = list[tuple[tuple[int, ...], tuple[int, ...]]]


def moved(lines: Lines, rng: random.Random, share: float) -> Lines:
    """``lines`` with ``share`` of them taken out and put back at least 3 places away."""
    lines = list(lines)
    for _ in range(round(share * len(lines))):
        k = rng.randrange(len(lines))
        line = lines.pop(k)
        places = [p for p in range(len(lines) + 1) if abs(p - k) >= 3]
        lines.insert(rng.choice(places) if places else k, line)
    return lines


def true_links(a: Lines, b: Lines) -> Ladder:
    """Lines of the two languages that share an original sentence, joined; a line sharing none stands alone."""
    beads = []
    for unit in gold_units({"a": a, "b": b}):
        beads.append(
            (tuple(sorted(i for lang, i in unit if lang == "a")), tuple(sorted(j for lang, j in unit if lang == "b")))
        )
    return beads


def run(corpus: dict[str, list[list[str]]], encoder: EmbeddingCache, share: float, thresholds: list[float],
        seeds: list[int]) -> None:  # fmt: skip
    predicted: dict[float, list[tuple[Ladder, Ladder]]] = {t: [] for t in thresholds}
    linked = {t: [0, 0] for t in thresholds}  # moved beads, of which gold
    for seed in seeds:
        rng = random.Random(seed)
        for statement in statements(range(len(corpus["en"]))):
            flat = {lang: [s for d in statement for s in corpus[lang][d]] for lang in LANGS}
            lines = {lang: perturb(len(flat["en"]), rng, delete=0.05, merge=0.08) for lang in LANGS}
            lines = {lang: v if lang == "en" else moved(v, rng, share) for lang, v in lines.items()}
            texts = {lang: [" ".join(flat[lang][s] for s in line) for line in lines[lang]] for lang in LANGS}
            for a, b in combinations(LANGS, 2):
                gold = true_links(lines[a], lines[b])
                for t in thresholds:
                    beads = align_sentences(texts[a], texts[b], encoder, AlignOptions(moved_above=t))
                    predicted[t].append(([(x.src, x.tgt) for x in beads], gold))
                    moves = {(x.src, x.tgt) for x in beads if x.moved}
                    linked[t][0] += len(moves)
                    linked[t][1] += len(moves & set(gold))
    print(f"{share:.0%} of lines moved in de/fr/es/ru, seeds {seeds}, 10 pairs pooled")
    for t in thresholds:
        s = score(predicted[t])
        print(f"   moved_above {t:.2f}: strict P/R/F1 {s.strict_precision:.4f}/{s.strict_recall:.4f}/{s.strict_f1:.4f}"
              f"  lax F1 {s.lax_f1:.4f}  moved beads {linked[t][0]}, gold {linked[t][1]}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="use")
    parser.add_argument("--thresholds", default="0.3,0.35,0.4,0.45,0.5,0.6")
    parser.add_argument("--moves", default="0.03,0", help="comma list of shares of lines moved")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--cache-dir", type=Path, help="keep embeddings in this folder between runs")
    args = parser.parse_args()
    started = time.perf_counter()
    corpus = pud_corpus()
    encoder = EmbeddingCache(get_encoder(args.model), args.cache_dir)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    for share in (float(m) for m in args.moves.split(",")):
        run(corpus, encoder, share, thresholds, [int(s) for s in args.seeds.split(",")])
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
