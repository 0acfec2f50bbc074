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

from _common import LANGS, PUD, Lines, gold_beads, load_documents, perturb, require

from aligner.align import align_sentences
from aligner.embed import EmbeddingCache, get_encoder
from aligner.evaluate import score
from aligner.multi import align_multi, bitext
from aligner.types import SegmentedDocument

PAIRWISE = (("en", "de"), ("en", "fr"), ("en", "es"), ("en", "ru"), ("de", "ru"))


def texts(sentences: list[str], lines: Lines) -> tuple[str, ...]:
    return tuple(" ".join(sentences[s] for s in line) for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="use")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    require(PUD)
    corpus = {lang: load_documents(PUD / f"{lang}_pud-ud-test.conllu") for lang in LANGS}
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
