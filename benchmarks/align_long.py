"""Long documents: time and peak memory of pairwise alignment as the length grows.

Usage: python benchmarks/align_long.py [--sizes 2500,5000,10000,20000] [--model use]
Builds an en-de "book" of N sentences a side from UD PUD (../shared/data/ud-pud): the 397
documents in a different shuffled order for each pass over the corpus, ~5% of sentences deleted and
~8% of adjacent pairs merged on the German side. Each size runs in a fresh process so that peak
memory (ru_maxrss) is its own. Prints sentences, seconds (embedding, and the search alone timed
on a second run with every embedding cached), peak memory, and strict F1 against the known gold, which
shows the coarse-to-fine search stays on track.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

from _common import PUD, gold_beads, load_documents, perturb, require

from aligner.align import align_sentences
from aligner.embed import EmbeddingCache, get_encoder
from aligner.evaluate import score


def build(size: int, seed: int = 7) -> tuple[list[str], list[str], list]:
    """``size`` English sentences, their German lines, and the gold ladder between them."""
    en = load_documents(PUD / "en_pud-ud-test.conllu")
    de = load_documents(PUD / "de_pud-ud-test.conllu")
    rng = random.Random(seed)
    src: list[str] = []
    originals: list[str] = []
    while len(src) < size:
        order = list(range(len(en)))
        rng.shuffle(order)
        for d in order:
            for k in range(len(en[d])):
                if len(src) < size:
                    src.append(en[d][k])
                    originals.append(de[d][k])
    lines = perturb(len(originals), rng)
    tgt = [" ".join(originals[s] for s in line) for line in lines]
    gold = gold_beads([(k,) for k in range(len(src))], lines)
    return src, tgt, gold


def child(size: int, model: str) -> None:
    src, tgt, gold = build(size)
    encoder = EmbeddingCache(get_encoder(model), max_vectors=None)  # keeps every vector: the rerun is the search alone
    started = time.perf_counter()
    align_sentences(src, tgt, encoder)  # first run: embeds every sentence and span, then searches
    first = time.perf_counter()
    beads = align_sentences(src, tgt, encoder)  # again with every embedding cached: the search alone
    done = time.perf_counter()
    embedded = started + (first - started) - (done - first)
    scores = score([([(b.src, b.tgt) for b in beads], gold)])
    print(
        json.dumps(
            {
                "sentences": [len(src), len(tgt)],
                "embed_seconds": round(embedded - started, 1),
                "align_seconds": round(done - embedded, 1),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "strict_f1": round(scores.strict_f1, 4),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,5000,10000,20000")
    parser.add_argument("--model", default="use")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    require(PUD)
    if args.child:
        child(args.child, args.model)
        return 0
    print("sentences (en, de)   embed s   align s   peak MB   strict F1   align s per 1000 sentences")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--model", args.model],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        per_k = r["align_seconds"] / (r["sentences"][0] / 1000)
        print(
            f"{r['sentences'][0]:>8} {r['sentences'][1]:>8}   {r['embed_seconds']:>7}   {r['align_seconds']:>7}"
            f"   {r['peak_mb']:>7}   {r['strict_f1']:>9}   {per_k:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
