"""Calibrated confidence: the probability that a unit (or a bitext bead) is exactly right.

    unit_features(multi, encoder) -> (n_units, len(FEATURES)) array, what the model reads
    unit_confidence(multi, encoder) -> one probability per unit
    bead_confidence(alignment, encoder) -> one probability per bead of a pairwise alignment

A score says how alike two texts are; it does not say whether the unit is right: a short correct
pair can score lower than a wrong merge. So the features also ask what else the unit could have been:
how much better it matches than its neighbours (margin), whether a merged sentence adds to the match
(gain), whether a neighbouring sentence without counterpart would match it too (leak), how far its
languages agree with each other, its length ratio and its reasons for doubt (``flags``). A logistic
regression maps them to a probability; its weights are fitted by ``benchmarks/fit_confidence.py`` on
perturbed UD PUD statements and ship in ``data/confidence.json``, one model for bitexts (two
languages) and one for three or more.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from . import _dp
from ._spans import normalized
from .align import (
    _EMBED_CHUNK,
    AlignOptions,
    _beads_of_spans,
    _span_embeddings,
    _unlinked,
    _unrelated_similarity,
)
from .embed import Encoder, embed_spans
from .flags import unit_flags
from .types import Alignment, MultiAlignment, Unit, runs

#: What the model reads about each unit, in column order.
FEATURES = (
    "unpaired",  # text in one language only
    "missing",  # share of the other languages the unit lacks
    "merged",  # some language has two or more sentences
    "sentences",  # log of sentences per language present
    "sim_mean",  # mean calibrated similarity over the unit's language pairs
    "sim_min",  # the weakest pair
    "sim_low",  # how far the weakest pair is below 0.6 (0 above): lets the fit bend
    "spread",  # strongest minus weakest pair: languages that disagree
    "margin_min",  # similarity minus the best neighbouring unit's, weakest pair
    "margin_mean",
    "gain_min",  # for a merge: similarity of the whole minus its best single sentence
    "leak_linked",  # for a linked unit: how well an adjacent unit's lone sentence matches it
    "leak_unpaired",  # for an unpaired unit: how well it matches an adjacent unit
    "length",  # largest log length ratio of a pair, relative to the document's
    "score",  # the aligner's own score
    "disagree",  # share of the unit's language pairs whose own pairwise alignment cuts it otherwise
    "disagree_any",  # some pair does
    "flag_numbers",
    "flag_length",
    "flag_language",
    "flag_identical",
    "flag_long",
    "flag_moved",
)

_FLAG_FEATURES = ("numbers", "length", "language", "identical", "long", "moved")  # "unpaired" is a feature already

#: Similarity where nothing competes (no neighbour): what unrelated sentences score.
_UNRELATED = _dp.REFERENCE_BASELINE


@dataclass(frozen=True)
class ConfidenceModel:
    """A logistic regression over standardised ``FEATURES``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]  # one per feature
    bias: float

    def predict(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probabilities for the rows of ``features`` (shape ``(n, len(FEATURES))``)."""
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))


@functools.cache
def load_models() -> dict[str, ConfidenceModel]:
    """The shipped models: ``"pair"`` (two languages) and ``"multi"`` (three or more)."""
    data = json.loads(resources.files("aligner").joinpath("data/confidence.json").read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError("data/confidence.json was fitted on other features: run benchmarks/fit_confidence.py")
    return {
        name: ConfidenceModel(
            mean=tuple(model["mean"]),
            scale=tuple(model["scale"]),
            weights=tuple(model["weights"]),
            bias=float(model["bias"]),
        )
        for name, model in data["models"].items()
    }


def model_kind(multi: MultiAlignment) -> str:
    return "pair" if len(multi.docs) == 2 else "multi"


def unit_confidence(multi: MultiAlignment, encoder: Encoder) -> tuple[float, ...]:
    """The probability that each unit is exactly right (same sentences in every language as the truth)."""
    if not multi.units:
        return ()
    probabilities = load_models()[model_kind(multi)].predict(unit_features(multi, encoder))
    return tuple(round(float(p), 4) for p in probabilities)


def bead_confidence(alignment: Alignment, encoder: Encoder) -> tuple[float, ...]:
    """``unit_confidence`` for the beads of a pairwise alignment, in bead order."""
    return unit_confidence(as_multi(alignment), encoder)


def as_multi(alignment: Alignment) -> MultiAlignment:
    """A pairwise alignment as two-language units, one per bead."""
    src, tgt = alignment.src.lang, alignment.tgt.lang
    units = tuple(Unit(((src, b.src), (tgt, b.tgt)), score=b.score, moved=b.moved) for b in alignment.beads)
    return MultiAlignment(docs=(alignment.src, alignment.tgt), units=units, model=alignment.model)


def unit_features(multi: MultiAlignment, encoder: Encoder) -> NDArray[np.float64]:
    """One row of ``FEATURES`` per unit. Embeds each unit's text per language (cached spans: cheap)."""
    langs = multi.langs
    space = _Space.build(multi, encoder)
    flags = unit_flags(multi)
    disagree = _pair_disagreement(multi, encoder)
    log_lengths = {doc.lang: math.log(sum(len(s) for s in doc.sentences) + 1.0) for doc in multi.docs}
    rows = []
    for u, unit in enumerate(multi.units):
        present = [lang for lang, ix in unit.members if ix]
        pairs = list(combinations(present, 2))
        sims = [space.similarity(a, b, u, u) for a, b in pairs]
        margins = [s - space.competitor(a, b, u) for s, (a, b) in zip(sims, pairs, strict=True)]
        sizes = [len(ix) for _, ix in unit.members if ix]
        leak = space.leak(u)
        linked = len(present) > 1
        lengths = [len(multi.text(unit, lang)) for lang in present]
        deviation = max(
            (abs(math.log((lengths[i] + 10.0) / (lengths[j] + 10.0)) - log_lengths[a] + log_lengths[b])
             for (i, a), (j, b) in combinations(enumerate(present), 2)),
            default=0.0,
        )  # fmt: skip
        values = {
            "unpaired": float(not linked),
            "missing": (len(langs) - len(present)) / (len(langs) - 1),
            "merged": float(max(sizes) > 1),
            "sentences": math.log(sum(sizes) / len(sizes)),
            "sim_mean": float(np.mean(sims)) if sims else 0.0,
            "sim_min": min(sims, default=0.0),
            "sim_low": max(0.0, 0.6 - min(sims)) if sims else 0.0,
            "spread": max(sims) - min(sims) if sims else 0.0,
            "margin_min": min(margins, default=0.0),
            "margin_mean": float(np.mean(margins)) if margins else 0.0,
            "gain_min": space.gain(u) if linked else 0.0,
            "leak_linked": leak if linked else 0.0,
            "leak_unpaired": 0.0 if linked else leak,
            "length": deviation,
            "score": unit.score if linked else 0.0,
            "disagree": float(disagree[u]),
            "disagree_any": float(disagree[u] > 0),
            **{f"flag_{flag}": float(flag in flags[u]) for flag in _FLAG_FEATURES},
        }
        rows.append([values[name] for name in FEATURES])
    return np.asarray(rows, dtype=np.float64).reshape(len(multi.units), len(FEATURES))


def _pair_disagreement(multi: MultiAlignment, encoder: Encoder) -> NDArray[np.float64]:
    """Per unit: the share of its language pairs (one side present at least) whose own pairwise
    alignment links one of its sentences outside it. A unit that the pairs, aligned alone, cut
    otherwise is where a five-way alignment most often goes wrong. Zero for two languages: there the
    units are the pairwise alignment."""
    cut = np.zeros(len(multi.units))
    pairs = np.zeros(len(multi.units))
    if len(multi.docs) < 3:
        return cut
    options = AlignOptions()
    spans = {d.lang: _span_embeddings(encoder, d.sentences, options.max_total - 1) for d in multi.docs if d.sentences}
    for a, b in combinations(multi.docs, 2):
        beads = (
            _beads_of_spans(
                a.sentences, b.sentences, spans[a.lang], spans[b.lang], options, a.paragraph_starts, b.paragraph_starts
            )
            if a.sentences and b.sentences
            else _unlinked(range(len(a.sentences)), range(len(b.sentences)))
        )
        bead_of = {(a.lang, i): k for k, bead in enumerate(beads) for i in bead.src}
        bead_of.update({(b.lang, j): k for k, bead in enumerate(beads) for j in bead.tgt})
        for u, unit in enumerate(multi.units):
            src, tgt = set(unit.indices(a.lang)), set(unit.indices(b.lang))
            if not src and not tgt:
                continue
            touched = {bead_of[a.lang, i] for i in src} | {bead_of[b.lang, j] for j in tgt}
            pairs[u] += 1
            cut[u] += any(not (set(beads[k].src) <= src and set(beads[k].tgt) <= tgt) for k in touched)
    return cut / np.maximum(pairs, 1)


def _embedded(encoder: Encoder, sentences: Sequence[str], spans: list[tuple[int, int]]) -> NDArray[np.float32]:
    """``embed_spans`` a chunk of spans at a time, each chunk given only the sentences it reads."""
    parts = []
    for start in range(0, len(spans), _EMBED_CHUNK):
        chunk = spans[start : start + _EMBED_CHUNK]
        first, last = min(a for a, _ in chunk), max(b for _, b in chunk)
        parts.append(embed_spans(encoder, sentences[first:last], [(a - first, b - first) for a, b in chunk]))
    return np.concatenate(parts)


@dataclass(frozen=True)
class _Space:
    """Each unit's embedding per language, and what the comparisons need around it."""

    units: tuple[Unit, ...]
    vectors: dict[str, dict[int, NDArray[np.float32]]]  # lang -> unit index -> its text's embedding
    sentences: dict[str, NDArray[np.float32]]  # lang -> (n, dim) sentence embeddings
    order: dict[str, list[int]]  # lang -> the units that have it, in order
    position: dict[str, dict[int, int]]  # lang -> unit index -> its place in ``order[lang]``
    baseline: dict[frozenset[str], float]  # what unrelated sentences of two languages score

    @classmethod
    def build(cls, multi: MultiAlignment, encoder: Encoder) -> _Space:
        vectors: dict[str, dict[int, NDArray[np.float32]]] = {}
        sentences: dict[str, NDArray[np.float32]] = {}
        order: dict[str, list[int]] = {}
        for doc in multi.docs:
            lang, n = doc.lang, len(doc.sentences)
            order[lang] = [u for u, unit in enumerate(multi.units) if unit.indices(lang)]
            spans = [(k, k + 1) for k in range(n)]
            runs = {u: _run(multi.units[u].indices(lang)) for u in order[lang]}
            wanted = sorted({run for run in runs.values() if run is not None and run[1] - run[0] > 1})
            embedded = _embedded(encoder, doc.sentences, spans + wanted) if n else np.zeros((0, 1), np.float32)
            sentences[lang] = embedded[:n]
            by_span = dict(zip(wanted, embedded[n:], strict=True))
            vectors[lang] = {}
            for u, run in runs.items():
                indices = multi.units[u].indices(lang)
                if run is not None and run[1] - run[0] == 1:
                    vectors[lang][u] = sentences[lang][run[0]]
                elif run is not None:
                    vectors[lang][u] = by_span[run]
                else:  # not consecutive (a moved unit may be): the mean of its sentences
                    vectors[lang][u] = normalized(sentences[lang][list(indices)].sum(axis=0))
        baseline = {
            frozenset((a, b)): _unrelated_similarity(sentences[a], sentences[b]) if len(sentences[a]) else _UNRELATED
            for a, b in combinations(multi.langs, 2)
        }
        position = {lang: {u: k for k, u in enumerate(units)} for lang, units in order.items()}
        return cls(multi.units, vectors, sentences, order, position, baseline)

    def similarity(self, a: str, b: str, ua: int, ub: int) -> float:
        """Calibrated similarity of unit ``ua``'s text in ``a`` and unit ``ub``'s in ``b``."""
        raw = float(self.vectors[a][ua] @ self.vectors[b][ub])
        return float(_dp.calibrated(raw, self.baseline[frozenset((a, b))]))

    def competitor(self, a: str, b: str, u: int) -> float:
        """The best similarity unit ``u`` has in pair (a, b) with the nearest other units on either side."""
        found = [self.similarity(a, b, u, other) for other in self._neighbours(b, u)]
        found += [self.similarity(a, b, other, u) for other in self._neighbours(a, u)]
        return max(found, default=_UNRELATED)

    def _neighbours(self, lang: str, u: int) -> list[int]:
        order = self.order[lang]
        k = self.position[lang][u]
        return order[max(k - 1, 0) : k] + order[k + 1 : k + 2]

    def _centroid(self, u: int, langs: list[str]) -> NDArray[np.float32]:
        return normalized(np.sum([self.vectors[lang][u] for lang in langs], axis=0))

    def _mean_baseline(self, langs: set[str]) -> float:
        values = [v for pair, v in self.baseline.items() if pair & langs]
        return float(np.mean(values)) if values else _UNRELATED

    def gain(self, u: int) -> float:
        """For each language with several sentences: how much the whole matches the other languages
        better than its best single sentence does; the smallest (0 when nothing is merged)."""
        unit = self.units[u]
        present = [lang for lang, ix in unit.members if ix]
        gains = []
        for lang, indices in unit.members:
            if len(indices) > 1:
                others = self._centroid(u, [other for other in present if other != lang])
                whole = float(self.vectors[lang][u] @ others)
                gains.append(whole - float((self.sentences[lang][list(indices)] @ others).max()))
        return min(gains, default=0.0)

    def leak(self, u: int) -> float:
        """How well text of an adjacent unit, in a language this unit lacks, matches this unit, or
        this unit's text matches an adjacent unit lacking its language: a link the alignment may have
        missed. Calibrated similarity; the unrelated level when there is nothing to compare."""
        best = _UNRELATED
        mine = {lang for lang, ix in self.units[u].members if ix}
        for other in (u - 1, u + 1):
            if not 0 <= other < len(self.units):
                continue
            theirs = {lang for lang, ix in self.units[other].members if ix}
            for source, target, lacking in ((other, u, theirs - mine), (u, other, mine - theirs)):
                target_langs = sorted(mine if target == u else theirs)
                if not lacking or not target_langs:
                    continue
                centroid = self._centroid(target, target_langs)
                for lang in lacking:
                    raw = float(self.vectors[lang][source] @ centroid)
                    best = max(best, float(_dp.calibrated(raw, self._mean_baseline({lang}))))
        return best


def _run(indices: tuple[int, ...]) -> tuple[int, int] | None:
    """``(first, last + 1)`` when the indices are consecutive, else None."""
    stretches = runs(indices)
    return (stretches[0][0], stretches[0][-1] + 1) if len(stretches) == 1 else None
