"""Sentence-boundary precision/recall/F1 of ``split_sentences`` on UD PUD, and its speed.

Each PUD document (``# newdoc id``) becomes one running text: its ``# text =`` sentences joined by
single spaces. The gold boundaries are the places between those sentences; ``split_sentences`` runs on
the whole text and its boundaries are scored against them. Positions are counted in non-space
characters, so the score does not depend on how whitespace is normalised.

Usage:  python benchmarks/segment_pud.py [--data DIR] [--errors]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _common import LANGS, PUD, load_documents, require

from aligner.segment import segment, split_sentences
from aligner.types import Document

BOOK_SENTENCES = 20_000


def boundaries(sentences: list[str]) -> set[int]:
    """Offsets (in non-space characters) where each sentence but the first starts."""
    offsets, count = set(), 0
    for sentence in sentences[:-1]:
        count += sum(1 for char in sentence if not char.isspace())
        offsets.add(count)
    return offsets


def score(lang: str, documents: list[list[str]], show_errors: bool) -> tuple[int, int, int]:
    """True positives, predicted and gold boundary counts for one language."""
    tp = predicted = gold = 0
    for sentences in documents:
        text = " ".join(sentences)
        found = split_sentences(text, lang)
        want, got = boundaries(sentences), boundaries(found)
        tp, predicted, gold = tp + len(want & got), predicted + len(got), gold + len(want)
        if show_errors and want != got:
            for kind, offsets in (("missed", want - got), ("spurious", got - want)):
                for offset in sorted(offsets):
                    print(f"  {lang} {kind}: {_context(text, offset)}")
    return tp, predicted, gold


def _context(text: str, offset: int, width: int = 50) -> str:
    """The text around the boundary ``offset`` non-space characters in, with ``||`` at the boundary."""
    count = 0
    for index, char in enumerate(text):
        if count == offset and not char.isspace():
            return f"...{text[max(0, index - width) : index].rstrip()} || {text[index : index + width]}..."
        count += not char.isspace()
    return text[-width:]


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return 100 * precision, 100 * recall, 100 * f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PUD, help="folder with {lang}_pud-ud-test.conllu")
    parser.add_argument("--errors", action="store_true", help="print every missed or spurious boundary")
    args = parser.parse_args()
    if args.data != PUD and not args.data.is_dir():
        parser.error(f"UD PUD treebanks not found at {args.data}")
    require(args.data)

    corpora = {lang: load_documents(args.data / f"{lang}_pud-ud-test.conllu") for lang in LANGS}
    totals = [0, 0, 0]
    print(f"{'lang':<6}{'P':>7}{'R':>7}{'F1':>7}   boundaries (tp/predicted/gold)")
    for lang, documents in corpora.items():
        counts = score(lang, documents, args.errors)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        p, r, f = prf(*counts)
        print(f"{lang:<6}{p:7.2f}{r:7.2f}{f:7.2f}   {counts[0]}/{counts[1]}/{counts[2]}")
    p, r, f = prf(*totals)
    print(f"{'micro':<6}{p:7.2f}{r:7.2f}{f:7.2f}   {totals[0]}/{totals[1]}/{totals[2]}")

    texts = [(lang, " ".join(doc)) for lang, documents in corpora.items() for doc in documents]
    chars, rounds = sum(len(text) for _, text in texts), 5
    started = time.perf_counter()
    for _ in range(rounds):
        for lang, text in texts:
            split_sentences(text, lang)
    elapsed = time.perf_counter() - started
    print(f"speed: {rounds * chars / elapsed:,.0f} chars/s ({rounds * chars:,} chars in {elapsed:.2f} s, one core)")

    for lang, documents in corpora.items():
        paragraphs = [" ".join(doc) for doc in documents]
        per_round = sum(len(doc) for doc in documents)
        book = Document(lang=lang, paragraphs=tuple(paragraphs * (BOOK_SENTENCES // per_round + 1)))
        started = time.perf_counter()
        result = segment(book)
        elapsed = time.perf_counter() - started
        chars = sum(map(len, book.paragraphs))
        print(f"book {lang}: {len(result.sentences):,} sentences, {chars:,} chars in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
