"""Pairwise and five-way alignment on UD PUD (same 1000 sentences in en/de/fr/es/ru, 397 documents).

Usage: python benchmarks/align_pud.py [--model use] [--seed 13]
Prints strict/lax F1 per language pair for:
  1. pairwise alignment (aligner.align) of each document, for en-de, en-fr, en-es, en-ru, de-ru;
  2. five-way units (aligner.multi.align_multi), read off for all 10 pairs;
  3. the same on a harder variant built here (seeded): in one language ~5% of sentences deleted and
     ~8% of adjacent sentence pairs merged into one line, the others intact; run once per language,
     each pair pooled over the two runs where one of its sides is perturbed;
  4. the hardest: all five languages perturbed independently (both sides of every pair).
Gold: sentence k of a document is the translation of sentence k in every language.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from itertools import combinations
from pathlib import Path

from segment_pud import DEFAULT_DATA, LANGS, load_documents

from aligner.align import align_sentences
from aligner.embed import EmbeddingCache, get_encoder
from aligner.evaluate import score
from aligner.multi import align_multi, bitext
from aligner.types import SegmentedDocument

PAIRWISE = (("en", "de"), ("en", "fr"), ("en", "es"), ("en", "ru"), ("de", "ru"))
# A line is the tuple of original sentence numbers it holds (two after a merge).
Lines = list[tuple[int, ...]]


def perturb(n: int, rng: random.Random, delete: float = 0.05, merge: float = 0.08) -> Lines:
    """Which original sentences each line of a perturbed document holds."""
    kept = [k for k in range(n) if rng.random() >= delete] or [0]
    lines: Lines = []
    k = 0
    while k < len(kept):
        if k + 1 < len(kept) and rng.random() < merge:
            lines.append((kept[k], kept[k + 1]))
            k += 2
        else:
            lines.append((kept[k],))
            k += 1
    return lines


def gold_beads(a: Lines, b: Lines) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Gold ladder between two perturbed versions: lines sharing an original sentence are linked."""
    a_of = {s: i for i, line in enumerate(a) for s in line}
    b_of = {s: j for j, line in enumerate(b) for s in line}
    beads: list[tuple[set[int], set[int]]] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and not any(s in b_of for s in a[i]):
            beads.append(({i}, set()))
            i += 1
            continue
        if j < len(b) and not any(s in a_of for s in b[j]):
            beads.append((set(), {j}))
            j += 1
            continue
        group_a, group_b = {i}, set()
        frontier = True
        while frontier:  # close the group under "shares an original sentence"
            frontier = False
            for x in sorted(group_a):
                for s in a[x]:
                    if s in b_of and b_of[s] not in group_b:
                        group_b.add(b_of[s])
                        frontier = True
            for y in sorted(group_b):
                for s in b[y]:
                    if s in a_of and a_of[s] not in group_a:
                        group_a.add(a_of[s])
                        frontier = True
        beads.append((group_a, group_b))
        i, j = max(group_a) + 1, max(group_b) + 1
    return [(tuple(sorted(x)), tuple(sorted(y))) for x, y in beads]


def texts(sentences: list[str], lines: Lines) -> tuple[str, ...]:
    return tuple(" ".join(sentences[s] for s in line) for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="use")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if not DEFAULT_DATA.is_dir():
        print(f"skipped: {DEFAULT_DATA} not found (the shared data set is needed)", file=sys.stderr)
        return 0
    corpus = {lang: load_documents(DEFAULT_DATA / f"{lang}_pud-ud-test.conllu") for lang in LANGS}
    n_docs = len(corpus["en"])
    encoder = EmbeddingCache(get_encoder(args.model))
    started = time.perf_counter()

    print(f"PUD: {n_docs} documents, {sum(map(len, corpus['en']))} sentences per language, model {args.model}")
    print("1. pairwise (aligner.align)")
    for src, tgt in PAIRWISE:
        pairs = []
        for d in range(n_docs):
            beads = align_sentences(corpus[src][d], corpus[tgt][d], encoder)
            n = len(corpus[src][d])
            pairs.append(([(b.src, b.tgt) for b in beads], [((k,), (k,)) for k in range(n)]))
        s = score(pairs)
        print(f"   {src}-{tgt}: strict F1 {s.strict_f1:.4f}  lax F1 {s.lax_f1:.4f}")

    variants = (
        ("2. five-way units, clean", ()),
        ("3. five-way units, harder: one language perturbed at a time, pooled per pair", LANGS),
        ("4. five-way units, hardest: all five languages perturbed independently", None),
    )
    for title, one_side in variants:
        print(title)
        predicted: dict[tuple[str, str], list] = {pair: [] for pair in combinations(LANGS, 2)}
        for perturbed in [None] if not one_side else one_side:
            rng = random.Random(args.seed)
            for d in range(n_docs):
                n = len(corpus["en"][d])
                lines = {}
                for lang in LANGS:
                    hit = one_side is None or lang == perturbed
                    lines[lang] = perturb(n, rng) if hit and one_side != () else [(k,) for k in range(n)]
                docs = [
                    SegmentedDocument(lang=lang, paragraphs=(texts(corpus[lang][d], lines[lang]),))
                    for lang in LANGS
                ]
                multi = align_multi(docs, encoder)
                for a, b in predicted:
                    if one_side and perturbed not in (a, b):
                        continue
                    beads = bitext(multi, a, b, encoder).beads
                    predicted[(a, b)].append(([(x.src, x.tgt) for x in beads], gold_beads(lines[a], lines[b])))
        worst = 1.0
        for (a, b), pairs in predicted.items():
            s = score(pairs)
            worst = min(worst, s.strict_f1)
            print(f"   {a}-{b}: strict F1 {s.strict_f1:.4f}  lax F1 {s.lax_f1:.4f}")
        print(f"   lowest strict F1 over the 10 pairs: {worst:.4f}")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
