"""What fit_confidence.py and confidence_eval.py share: perturbed PUD statements with their truth, labels, ECE.

A statement is 25 consecutive PUD documents (one paragraph each). Every language is perturbed on its own:
sentences deleted, adjacent ones merged into one line, (synthetic noise) sentences of other statements
inserted, and merged lines cut short (a fragment of a sentence run onto the one before). The fit uses the
first 200 documents, the evaluation the other 197 and other seeds.
"""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
from _common import LANGS, Lines, gold_beads, perturb

from aligner.align import align
from aligner.confidence import as_multi, unit_features
from aligner.embed import Encoder
from aligner.multi import align_multi
from aligner.types import Alignment, MultiAlignment, SegmentedDocument

STATEMENT_DOCS = 25
FIT_DOCS = range(0, 200)  # the fit's documents; the evaluation uses the rest
NOISE = 1_000_000  # line ids from here on are inserted sentences: no language shares them
Corpus = dict[str, list[list[str]]]


def statements(docs: range) -> list[range]:
    starts = range(docs.start, docs.stop, STATEMENT_DOCS)
    return [range(start, min(start + STATEMENT_DOCS, docs.stop)) for start in starts]


def perturbed_statement(
    corpus: Corpus,
    docs: range,
    rng: random.Random,
    delete: float,
    merge: float,
    insert: float = 0.0,
    fragment: float = 0.0,
) -> tuple[list[SegmentedDocument], dict[str, Lines]]:
    """The statement's documents in every language, perturbed, and which original sentences each line holds."""
    doc_of = [d for d in docs for _ in corpus["en"][d]]
    result, lines_of = [], {}
    texts: dict[int, str] = {}  # the noise lines of every language: ids no two lines share

    def noise(text: str) -> tuple[int]:
        texts[NOISE + len(texts)] = text
        return (NOISE + len(texts) - 1,)

    for lang in LANGS:
        flat = [s for d in docs for s in corpus[lang][d]]
        pool = [s for d, doc in enumerate(corpus[lang]) if d not in docs for s in doc]
        lines: Lines = []
        cut: dict[int, str] = {}  # merged lines whose last sentence keeps only its first words
        for line in perturb(len(flat), rng, delete=delete, merge=merge):
            if fragment and len(line) > 1 and rng.random() < fragment:
                words = flat[line[-1]].split()
                cut[line[-1]] = " ".join(words[: max(3, len(words) // 3)])
            lines.append(line)
            if rng.random() < insert:
                lines.append(noise(rng.choice(pool)))
        paragraphs: dict[int, list[str]] = {}
        current = docs.start
        for line in lines:
            current = doc_of[line[0]] if line[0] < NOISE else current
            paragraphs.setdefault(current, []).append(" ".join(texts.get(s) or cut.get(s) or flat[s] for s in line))
        result.append(SegmentedDocument(lang=lang, paragraphs=tuple(tuple(p) for _, p in sorted(paragraphs.items()))))
        lines_of[lang] = lines
    return result, lines_of


def gold_units(lines: dict[str, Lines]) -> set[frozenset[tuple[str, int]]]:
    """True units: lines of any languages joined when they share an original sentence."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    holder: dict[int, tuple[str, int]] = {}
    for lang, lang_lines in lines.items():
        for i, line in enumerate(lang_lines):
            parent[lang, i] = (lang, i)
            for s in line:
                if s in holder:
                    parent[root((lang, i))] = root(holder[s])
                else:
                    holder[s] = (lang, i)
    groups: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for node in parent:
        groups.setdefault(root(node), set()).add(node)
    return {frozenset(g) for g in groups.values()}


def unit_labels(multi: MultiAlignment, lines: dict[str, Lines]) -> np.ndarray:
    gold = gold_units(lines)
    keys = [frozenset((lang, i) for lang, ix in unit.members for i in ix) for unit in multi.units]
    return np.array([key in gold for key in keys], dtype=float)


def straddles_documents(multi: MultiAlignment, lines: dict[str, Lines], corpus: Corpus, statement: range) -> np.ndarray:
    """Per unit: whether it, or a true unit sharing a line with it, holds a line that merges sentences of
    two documents (a merge across a paragraph break, as the generator may make one)."""
    doc_of = [d for d in statement for _ in corpus["en"][d]]
    straddling = {
        (lang, i)
        for lang, lang_lines in lines.items()
        for i, line in enumerate(lang_lines)
        if len({doc_of[s] for s in line if s < NOISE}) > 1
    }
    unit_of = {node: unit for unit in gold_units(lines) for node in unit}
    result = []
    for unit in multi.units:
        nodes = {(lang, i) for lang, ix in unit.members for i in ix}
        involved = nodes.union(*(unit_of[node] for node in nodes))
        result.append(bool(involved & straddling))
    return np.array(result)


def bead_labels(alignment: Alignment, gold: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> np.ndarray:
    truth = {(tuple(s), tuple(t)) for s, t in gold}
    return np.array([(b.src, b.tgt) in truth for b in alignment.beads], dtype=float)


Rates = list[tuple[float, float, float, float]]  # delete, merge, insert, fragment


def multi_examples(corpus: Corpus, encoder: Encoder, docs: range, seed: int, rates: Rates):
    """(features, labels) of the five-way units of every statement of ``docs``, rates drawn from ``rates``."""
    rng = random.Random(seed)
    features, labels = [], []
    for statement in statements(docs):
        docs_, lines = perturbed_statement(corpus, statement, rng, *rng.choice(rates))
        multi = align_multi(docs_, encoder)
        features.append(unit_features(multi, encoder))
        labels.append(unit_labels(multi, lines))
    return np.concatenate(features), np.concatenate(labels)


def pair_examples(corpus: Corpus, encoder: Encoder, docs: range, seed: int, rates: Rates):
    """(features, labels) of pairwise beads (``aligner.align``, no paragraphs) for all 10 pairs."""
    rng = random.Random(seed)
    features, labels = [], []
    for statement in statements(docs):
        docs_, lines = perturbed_statement(corpus, statement, rng, *rng.choice(rates))
        flat = {d.lang: SegmentedDocument(lang=d.lang, paragraphs=(d.sentences,)) for d in docs_}
        for a, b in combinations(LANGS, 2):
            alignment = align(flat[a], flat[b], encoder)
            features.append(unit_features(as_multi(alignment), encoder))
            labels.append(bead_labels(alignment, gold_beads(lines[a], lines[b])))
    return np.concatenate(features), np.concatenate(labels)


def calibration(confidence: np.ndarray, correct: np.ndarray, threshold: float = 0.9) -> dict[str, float]:
    """ECE over 10 equal-width bins, and precision and share kept at ``confidence >= threshold``."""
    bins = np.minimum((confidence * 10).astype(int), 9)
    gaps = [abs(correct[bins == k].mean() - confidence[bins == k].mean()) * (bins == k).sum() for k in set(bins)]
    ece = sum(gaps) / len(confidence)
    sure = confidence >= threshold
    return {
        "n": len(confidence),
        "accuracy": float(correct.mean()),
        "ece": float(ece),
        "precision_at": float(correct[sure].mean()) if sure.any() else float("nan"),
        "kept": float(sure.mean()),
    }
