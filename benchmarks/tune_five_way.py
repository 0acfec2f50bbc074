"""How many five-way units come out exactly right for settings of the column join (``multi.PROFILE_LENGTH_FACTOR``,
``multi.PROFILE_GAIN_SLACK`` and ``multi.PROFILE_PARAGRAPH_FACTOR``): how those constants were chosen.

Usage: python benchmarks/tune_five_way.py [--docs 0-199] [--seeds 1,2] [--settings 1:-0.025:1,4:-0.025:0.4]
                                          [--cache-dir DIR]
Statements of 25 UD PUD documents, every language perturbed on its own (as in confidence_eval.py, whose
documents 200-396 and seeds 101-103 are the held-out check), once with 5% deletions and once with 5%
deletions and 8% merges; for each LENGTH:SLACK:PARAGRAPH setting, the share of units equal to a true unit.
A merge here may join the last sentence of one document to the first of the next (a paragraph break in the
other languages): PUD documents are short, so many adjacent sentences are such pairs (printed).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
from _calibration import perturbed_statement, statements, unit_labels
from _common import pud_corpus

from aligner import multi
from aligner.embed import EmbeddingCache, get_encoder

# The length factor and gain slack first (at the paragraph weight of a pairwise alignment), then the paragraph factor.
SETTINGS = (
    *("1:-0.025:1", "3:-0.025:1", "4:-0.025:1", "5:-0.025:1", "4:0:1"),
    *(f"4:-0.025:{paragraph}" for paragraph in ("0.75", "0.6", "0.5", "0.4", "0.25", "0")),
    *("3:-0.025:0.4", "5:-0.025:0.4", "4:0:0.4"),
)
PERTURBATIONS = {"5% deletions": (0.05, 0.0), "5% deletions + 8% merges": (0.05, 0.08)}


def exact_share(corpus: dict[str, list[list[str]]], encoder: EmbeddingCache, docs: range, seeds: list[int],
                rates: tuple[float, float]) -> tuple[float, int]:  # fmt: skip
    labels = []
    for seed in seeds:
        rng = random.Random(seed)
        for statement in statements(docs):
            perturbed, lines = perturbed_statement(corpus, statement, rng, *rates)
            labels.append(unit_labels(multi.align_multi(perturbed, encoder), lines))
    y = np.concatenate(labels)
    return float(y.mean()), len(y)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="use")
    parser.add_argument("--docs", default="0-199", help="first-last document, inclusive")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--settings", default=",".join(SETTINGS), help="LENGTH:SLACK:PARAGRAPH,...")
    parser.add_argument("--cache-dir", type=Path, help="keep embeddings in this folder between runs")
    args = parser.parse_args()
    started = time.perf_counter()
    corpus = pud_corpus()
    encoder = EmbeddingCache(get_encoder(args.model), args.cache_dir)
    first, last = (int(x) for x in args.docs.split("-"))
    seeds = [int(s) for s in args.seeds.split(",")]
    docs = range(first, last + 1)
    adjacent = sum(sum(len(corpus["en"][d]) for d in statement) - 1 for statement in statements(docs))
    across = sum(len(statement) - 1 for statement in statements(docs))
    print(f"PUD documents {first}-{last}, seeds {seeds}: five-way units exactly right "
          f"({across} of {adjacent} adjacent sentences, {across / adjacent:.0%}, are in two documents)")  # fmt: skip
    for setting in args.settings.split(","):
        length, slack, paragraph = (float(x) for x in setting.split(":"))
        multi.PROFILE_LENGTH_FACTOR, multi.PROFILE_GAIN_SLACK = length, slack
        multi.PROFILE_PARAGRAPH_FACTOR = paragraph
        shares = [exact_share(corpus, encoder, docs, seeds, r) for r in PERTURBATIONS.values()]
        figures = "  ".join(
            f"{name}: {share:.1%} of {n}" for name, (share, n) in zip(PERTURBATIONS, shares, strict=True)
        )
        print(f"   length x{length:g}, gain slack {slack:+g}, paragraph x{paragraph:g}: {figures}")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
