"""Check the shipped confidence models and the ``numbers`` flag on data the fit never saw (issue #13 targets).

Usage: python benchmarks/confidence_eval.py [--model use] [--cache-dir DIR] [--seeds 101,102,103] [--only SECTIONS]
Sections (default all):
  textberg  Text+Berg de-fr, aligner.align bead by bead against the gold: ECE (10 equal-width bins) <= 0.05;
            at confidence >= 0.9, strict precision >= 0.97 keeping >= 75% of the beads;
  pud       UD PUD documents 200-396 (the fit used 0-199) as statements of 25, every language with 5%
            deletions and 8% merges, five-way units: ECE <= 0.05; at >= 0.9 precision >= 0.99 keeping >= 85%;
  numbers   the clean PUD sentences as five-way units: the flag fires on <= 2%; the same units with one
            number changed in one language (a random digit of a random number): fires on >= 95%.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import numpy as np
from _calibration import (
    FIT_DOCS,
    bead_labels,
    calibration,
    perturbed_statement,
    statements,
    straddles_documents,
    unit_labels,
)
from _common import LANGS, TEXTBERG, pud_corpus, require

from aligner.align import align
from aligner.confidence import FEATURES, bead_confidence, load_models, unit_features
from aligner.embed import EmbeddingCache, Encoder, get_encoder
from aligner.evaluate import read_ladder
from aligner.flags import numbers_differ
from aligner.multi import align_multi
from aligner.types import SegmentedDocument

SECTIONS = ("textberg", "pud", "numbers")
_DIGITS = re.compile(r"\d+")


def report(title: str, figures: dict[str, float], ece: float, precision: float, kept: float) -> bool:
    ok = figures["ece"] <= ece and figures["precision_at"] >= precision and figures["kept"] >= kept
    print(f"{title}: {figures['n']} items, {figures['accuracy']:.3f} correct; ECE {figures['ece']:.4f} (<= {ece}); "
          f"at confidence >= 0.9 precision {figures['precision_at']:.4f} (>= {precision}) keeping "
          f"{figures['kept']:.3f} (>= {kept}) -> {'ok' if ok else 'MISSED'}")  # fmt: skip
    return ok


def run_textberg(encoder: Encoder) -> bool:
    require(TEXTBERG)
    confidence, correct = [], []
    for gold in sorted((TEXTBERG / "gold").iterdir()):
        sides = []
        for lang in ("de", "fr"):
            lines = (TEXTBERG / lang / gold.name).read_text(encoding="utf-8").splitlines()
            sides.append(SegmentedDocument(lang=lang, paragraphs=(tuple(line.strip() for line in lines),)))
        alignment = align(*sides, encoder)
        confidence.extend(bead_confidence(alignment, encoder))
        correct.extend(bead_labels(alignment, read_ladder(gold)))
    return report("Text+Berg de-fr beads", calibration(np.array(confidence), np.array(correct)), 0.05, 0.97, 0.75)


def run_pud(corpus: dict[str, list[list[str]]], encoder: Encoder, seeds: list[int]) -> bool:
    unseen = range(FIT_DOCS.stop, len(corpus["en"]))
    features, correct, straddling = [], [], []
    for seed in seeds:
        rng = random.Random(seed)
        for statement in statements(unseen):
            docs, lines = perturbed_statement(corpus, statement, rng, delete=0.05, merge=0.08)
            multi = align_multi(docs, encoder)
            features.append(unit_features(multi, encoder))
            correct.extend(unit_labels(multi, lines))
            straddling.extend(straddles_documents(multi, lines, corpus, statement))
    x, y, across = np.concatenate(features), np.array(correct), np.array(straddling)
    print(f"PUD five-way units: {int((y == 0).sum())} wrong, {int(across[y == 0].sum())} of them involving a merge "
          f"across two documents (a paragraph break); {int(across[y == 1].sum())} right ones do")  # fmt: skip
    confidence = np.round(load_models()["multi"].predict(x), 4)  # as unit_confidence gives it
    cut = x[:, FEATURES.index("disagree_any")] > 0
    print(f"PUD five-way units cut otherwise by some pair aligned alone: {cut[y == 0].mean():.1%} of the wrong ones, "
          f"{cut[y == 1].mean():.1%} of the right ones")  # fmt: skip
    trusted = np.argsort(-confidence, kind="stable")[: int(np.ceil(0.85 * len(y)))]
    print(f"the 85% of units the model trusts most are {y[trusted].mean():.1%} right: the best precision any threshold "
          f"on this ranking can give while keeping 85%")  # fmt: skip
    title = f"PUD five-way units, 5% deletions + 8% merges, documents {unseen.start}-{unseen.stop - 1}, seeds {seeds}"
    return report(title, calibration(confidence, y), 0.05, 0.99, 0.85)


def run_numbers(corpus: dict[str, list[list[str]]]) -> bool:
    sentences = {lang: [s for doc in corpus[lang] for s in doc] for lang in LANGS}
    units = [{lang: sentences[lang][k] for lang in LANGS} for k in range(len(sentences["en"]))]
    clean = sum(numbers_differ(texts) for texts in units) / len(units)
    rng = random.Random(7)
    changed = []
    for texts in units:
        with_numbers = [lang for lang, text in texts.items() if _DIGITS.search(text)]
        if len(with_numbers) < 2:  # a change can only be seen against another language's number
            continue
        lang = rng.choice(with_numbers)
        digits = [m.start() for m in re.finditer(r"\d", texts[lang])]
        at = rng.choice(digits)
        new = str((int(texts[lang][at]) + rng.randint(1, 9)) % 10)
        changed.append({**texts, lang: texts[lang][:at] + new + texts[lang][at + 1 :]})
    fired = sum(numbers_differ(texts) for texts in changed) / len(changed)
    ok = clean <= 0.02 and fired >= 0.95
    print(f"numbers flag: fires on {fired:.2%} of {len(changed)} PUD units with one number changed (>= 95%), "
          f"on {clean:.2%} of {len(units)} clean units (<= 2%) -> {'ok' if ok else 'MISSED'}")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="use")
    parser.add_argument("--cache-dir", type=Path, help="keep embeddings in this folder between runs")
    parser.add_argument("--seeds", default="101,102,103")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma list of: {', '.join(SECTIONS)}")
    args = parser.parse_args()
    corpus = pud_corpus()
    encoder = EmbeddingCache(get_encoder(args.model), args.cache_dir)
    runs = {
        "textberg": lambda: run_textberg(encoder),
        "pud": lambda: run_pud(corpus, encoder, [int(s) for s in args.seeds.split(",")]),
        "numbers": lambda: run_numbers(corpus),
    }
    results = [runs[name]() for name in args.only.split(",")]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
