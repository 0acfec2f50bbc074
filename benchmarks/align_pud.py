"""Pairwise and five-way alignment on UD PUD (same 1000 sentences in en/de/fr/es/ru, 397 documents).

Usage: python benchmarks/align_pud.py [--model use] [--seeds 13,14,15] [--cache-dir DIR] [--only SECTIONS]
       python benchmarks/align_pud.py --speed 3
Sections (``--only`` takes a comma list of their names; default all):
  pairwise   aligner.align on each clean document, for en-de, en-fr, en-es, en-ru, de-ru;
  clean      five-way units on each clean document, read off for all 10 pairs;
  merges     five-way units per document, all five languages perturbed independently (~5% of
             sentences deleted, ~8% of adjacent pairs merged into one line), once per seed;
  deletions  statements of 25 documents (one paragraph each), every language losing ~5% of its
             sentences independently, gold sentences: the 10 pairs read off the five-way units, and
             the same pairs aligned pairwise (aligner.align);
  e2e        the same statements as running text, split by our segmenter, clean and with deletions:
             strict F1 pooled over the 10 pairs (a segment is scored by the original sentences it
             overlaps, so a segmenter error costs what it costs a user).
Perturbed sections pool each pair over the seeds and also print the worst single seed.
``--speed N``: N fresh processes each load the model and align five languages of 100 sentences
(no embedding cache); prints the median wall time.
Gold: sentence k of a document is the translation of sentence k in every language.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

from _common import LANGS, PUD, Lines, gold_beads, perturb, pud_corpus, require

from aligner.align import align, align_sentences
from aligner.embed import EmbeddingCache, get_encoder
from aligner.evaluate import score
from aligner.multi import align_multi, bitext
from aligner.segment import segment
from aligner.types import Document, SegmentedDocument

PAIRWISE = (("en", "de"), ("en", "fr"), ("en", "es"), ("en", "ru"), ("de", "ru"))
PAIRS = tuple(combinations(LANGS, 2))
SECTIONS = ("pairwise", "clean", "merges", "deletions", "e2e")
STATEMENT_DOCS = 25
Ladder = list[tuple[tuple[int, ...], tuple[int, ...]]]
Corpus = dict[str, list[list[str]]]


def texts(sentences: list[str], lines: Lines) -> tuple[str, ...]:
    return tuple(" ".join(sentences[s] for s in line) for line in lines)


def statements(corpus: Corpus) -> list[dict[str, list[list[str]]]]:
    """Runs of 25 consecutive documents: per language, one list of sentences per document."""
    n_docs = len(corpus["en"])
    return [
        {lang: corpus[lang][start : start + STATEMENT_DOCS] for lang in LANGS}
        for start in range(0, n_docs, STATEMENT_DOCS)
    ]


def paragraphs(lines: Lines, doc_of: list[int]) -> list[Lines]:
    """Lines grouped by the document (paragraph) of their first sentence; empty documents dropped."""
    grouped: dict[int, Lines] = {}
    for line in lines:
        grouped.setdefault(doc_of[line[0]], []).append(line)
    return [grouped[d] for d in sorted(grouped)]


def segmented_lines(sentences: list[str], paragraph_lines: list[Lines], lang: str) -> tuple[SegmentedDocument, Lines]:
    """Each paragraph as running text through our segmenter, and the original sentences each segment overlaps."""
    blocks = tuple(" ".join(sentences[s] for line in par for s in line) for par in paragraph_lines)
    doc = segment(Document(lang=lang, paragraphs=blocks))
    lines: Lines = []
    for par, segments in zip(paragraph_lines, doc.paragraphs, strict=True):
        ends, count = [], 0  # end offset of each original sentence, in non-space characters
        originals = [s for line in par for s in line]
        for s in originals:
            count += sum(not c.isspace() for c in sentences[s])
            ends.append(count)
        start = 0
        for seg in segments:
            stop = start + sum(not c.isspace() for c in seg)
            first = next(k for k, end in enumerate(ends) if end > start)
            last = next((k for k, end in enumerate(ends) if end >= stop), len(ends) - 1)
            lines.append(tuple(originals[first : last + 1]))
            start = stop
    return doc, lines


def report(title: str, predicted: dict[tuple[str, str], dict[int, list]], floor: float | None = None) -> None:
    """Per pair: strict/lax F1 pooled over seeds and the worst seed; then the lowest and mean pair."""
    print(title)
    pooled = []
    for pair, by_seed in predicted.items():
        s = score([p for pairs in by_seed.values() for p in pairs])
        worst = min(score(pairs).strict_f1 for pairs in by_seed.values())
        pooled.append(s.strict_f1)
        seeds = f"  worst seed {worst:.4f}" if len(by_seed) > 1 else ""
        print(f"   {pair[0]}-{pair[1]}: strict F1 {s.strict_f1:.4f}  lax F1 {s.lax_f1:.4f}{seeds}")
    if len(pooled) > 1:
        print(f"   lowest strict F1 {min(pooled):.4f}, mean {statistics.mean(pooled):.4f}")


def run_pairwise(corpus: Corpus, encoder: EmbeddingCache) -> None:
    predicted: dict[tuple[str, str], dict[int, list]] = {pair: {0: []} for pair in PAIRWISE}
    for src, tgt in PAIRWISE:
        for d in range(len(corpus["en"])):
            beads = align_sentences(corpus[src][d], corpus[tgt][d], encoder)
            predicted[src, tgt][0].append(
                ([(b.src, b.tgt) for b in beads], [((k,), (k,)) for k in range(len(corpus[src][d]))])
            )
    report("pairwise (aligner.align), clean documents", predicted)


def run_per_document(corpus: Corpus, encoder: EmbeddingCache, seeds: list[int], perturbed: bool) -> None:
    predicted: dict[tuple[str, str], dict[int, list]] = {pair: {} for pair in PAIRS}
    for seed in seeds if perturbed else [0]:
        rng = random.Random(seed)
        for d in range(len(corpus["en"])):
            n = len(corpus["en"][d])
            lines = {lang: perturb(n, rng) if perturbed else [(k,) for k in range(n)] for lang in LANGS}
            docs = [SegmentedDocument(lang=lang, paragraphs=(texts(corpus[lang][d], lines[lang]),)) for lang in LANGS]
            multi = align_multi(docs, encoder)
            for a, b in PAIRS:
                beads = bitext(multi, a, b, encoder).beads
                predicted[a, b].setdefault(seed, []).append(
                    ([(x.src, x.tgt) for x in beads], gold_beads(lines[a], lines[b]))
                )
    title = "all five perturbed per document (5% deletions, 8% merges)" if perturbed else "clean documents"
    report(f"five-way units, {title}", predicted)


def run_statements(corpus: Corpus, encoder: EmbeddingCache, seeds: list[int], end_to_end: bool) -> None:
    units: dict[tuple[str, str], dict[int, list]] = {pair: {} for pair in PAIRS}
    pairwise: dict[tuple[str, str], dict[int, list]] = {pair: {} for pair in PAIRS}
    pooled: dict[str, dict[int, list]] = {"clean": {}, "deletions": {}}
    variants = (
        [("clean", 0), *(("deletions", seed) for seed in seeds)] if end_to_end else [("deletions", s) for s in seeds]
    )
    for variant, seed in variants:
        rng = random.Random(seed)
        for statement in statements(corpus):
            doc_of = [d for d, sentences in enumerate(statement["en"]) for _ in sentences]
            flat = {lang: [s for doc in statement[lang] for s in doc] for lang in LANGS}
            docs, lines = [], {}
            for lang in LANGS:
                kept = (
                    perturb(len(doc_of), rng, merge=0.0)
                    if variant == "deletions"
                    else [(k,) for k in range(len(doc_of))]
                )
                grouped = paragraphs(kept, doc_of)
                if end_to_end:
                    doc, lines[lang] = segmented_lines(flat[lang], grouped, lang)
                else:
                    doc = SegmentedDocument(lang=lang, paragraphs=tuple(texts(flat[lang], par) for par in grouped))
                    lines[lang] = [line for par in grouped for line in par]
                docs.append(doc)
            multi = align_multi(docs, encoder)
            by_lang = {d.lang: d for d in docs}
            for a, b in PAIRS:
                gold = gold_beads(lines[a], lines[b])
                beads = bitext(multi, a, b, encoder).beads
                if end_to_end:
                    pooled[variant].setdefault(seed, []).append(([(x.src, x.tgt) for x in beads], gold))
                    continue
                units[a, b].setdefault(seed, []).append(([(x.src, x.tgt) for x in beads], gold))
                alone = align(by_lang[a], by_lang[b], encoder).beads
                pairwise[a, b].setdefault(seed, []).append(([(x.src, x.tgt) for x in alone], gold))
    if end_to_end:
        report("end to end from running text (our segmenter), statements of 25 documents, 10 pairs pooled",
               {("clean", ""): pooled["clean"], ("5% deletions", "all five"): pooled["deletions"]})  # fmt: skip
        return
    report("five-way units, statements of 25 documents, all five with 5% deletions, gold sentences", units)
    report("pairwise (aligner.align) on the same statements and pairs", pairwise)


def speed_once(model: str) -> float:
    """Seconds to load the model and align five languages of 100 sentences (one paragraph per document)."""
    started = time.perf_counter()
    corpus = pud_corpus()
    docs = []
    for lang in LANGS:
        pars, total = [], 0
        for sentences in corpus[lang]:
            take = sentences[: 100 - total]
            pars.append(tuple(take))
            total += len(take)
            if total == 100:
                break
        docs.append(SegmentedDocument(lang=lang, paragraphs=tuple(pars)))
    encoder = EmbeddingCache(get_encoder(model))
    align_multi(docs, encoder)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="use")
    parser.add_argument("--seeds", default="13,14,15", help="comma-separated seeds for the perturbed sections")
    parser.add_argument("--cache-dir", type=Path, help="keep embeddings in this folder between runs")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma list of: {', '.join(SECTIONS)}")
    parser.add_argument("--speed", type=int, metavar="N", help="time N fresh processes instead (model load included)")
    parser.add_argument("--speed-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    require(PUD)
    if args.speed_child:
        print(f"{speed_once(args.model):.3f}")
        return 0
    if args.speed:
        command = [sys.executable, __file__, "--speed-child", "--model", args.model]
        times = [
            float(subprocess.run(command, capture_output=True, text=True, check=True).stdout) for _ in range(args.speed)
        ]
        print(f"five languages x 100 sentences, model load included: median {statistics.median(times):.2f} s "
              f"over {len(times)} runs ({', '.join(f'{t:.2f}' for t in times)})")  # fmt: skip
        return 0
    corpus = pud_corpus()
    encoder = EmbeddingCache(get_encoder(args.model), args.cache_dir)
    seeds = [int(s) for s in args.seeds.split(",")]
    started = time.perf_counter()
    print(f"PUD: {len(corpus['en'])} documents, {sum(map(len, corpus['en']))} sentences per language, "
          f"model {args.model}, seeds {seeds}")  # fmt: skip
    runs: dict[str, Callable[[], None]] = {
        "pairwise": lambda: run_pairwise(corpus, encoder),
        "clean": lambda: run_per_document(corpus, encoder, seeds, perturbed=False),
        "merges": lambda: run_per_document(corpus, encoder, seeds, perturbed=True),
        "deletions": lambda: run_statements(corpus, encoder, seeds, end_to_end=False),
        "e2e": lambda: run_statements(corpus, encoder, seeds, end_to_end=True),
    }
    for name in args.only.split(","):
        runs[name]()
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
