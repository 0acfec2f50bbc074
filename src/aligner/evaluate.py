"""Scoring alignments against gold, as in Sennrich & Volk (2011), Vecalign and Bertalign.

Ladder files hold one bead per line, ``[3]:[3, 4]`` or ``[46]:[]`` (0-based sentence numbers).
Counts are pooled over documents:

- strict precision: share of predicted beads (insertions and deletions included) equal to a gold bead;
- lax precision: a predicted bead also counts if any of its source sentences is linked in gold to
  any of its target sentences;
- recall: the same with gold and prediction swapped, counting only beads with both sides non-empty;
- F1: harmonic mean, separately for strict and lax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._io import read_text
from .errors import InputError
from .types import Bead

Ladder = Sequence[tuple[tuple[int, ...], tuple[int, ...]]]

_BEAD_LINE = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*$")


@dataclass(frozen=True)
class Scores:
    strict_precision: float
    strict_recall: float
    strict_f1: float
    lax_precision: float
    lax_recall: float
    lax_f1: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


def parse_ladder(text: str, name: str = "ladder") -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``"[3]:[3, 4]"`` lines -> ``[((3,), (3, 4))]``; InputError names the first bad line."""
    beads = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _BEAD_LINE.match(line)
        if not match:
            raise InputError(f"{name}:{number}: not a bead line like '[3]:[3, 4]': {line.strip()[:60]!r}")
        beads.append((_indices(match.group(1)), _indices(match.group(2))))
    return beads


def _indices(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.replace(",", " ").split())


def format_ladder(beads: Iterable[Bead]) -> str:
    """Beads in the gold files' notation, one per line."""
    return "".join(f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]\n" for b in beads)


def read_ladder(path: str | Path) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return parse_ladder(read_text(path), str(path))


def score(pairs: Iterable[tuple[Ladder, Ladder]]) -> Scores:
    """Pooled strict/lax scores for ``(predicted, gold)`` ladders, one pair per document."""
    precision = [0, 0, 0]  # strict hits, lax hits, beads judged
    recall = [0, 0, 0]
    for predicted, gold in pairs:
        _add(precision, _hits(predicted, gold))
        _add(recall, _hits(_linked(gold), _linked(predicted)))
    sp, lp = _ratio(precision[0], precision[2]), _ratio(precision[1], precision[2])
    sr, lr = _ratio(recall[0], recall[2]), _ratio(recall[1], recall[2])
    return Scores(sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr))


def _linked(ladder: Ladder) -> Ladder:
    """The beads with both sides non-empty: recall leaves insertions and deletions out."""
    return [b for b in ladder if b[0] and b[1]]


def _hits(test: Ladder, reference: Ladder) -> tuple[int, int, int]:
    """How many beads of ``test`` match ``reference`` strictly and laxly, and how many were judged."""
    exact = {(tuple(s), tuple(t)) for s, t in reference}
    links = {(s, t) for src, tgt in reference for s in src for t in tgt}
    strict = lax = total = 0
    for src, tgt in test:
        if not src and not tgt:
            continue
        total += 1
        if (tuple(src), tuple(tgt)) in exact:
            strict += 1
            lax += 1
        elif any((s, t) in links for s in src for t in tgt):
            lax += 1
    return strict, lax, total


def _add(acc: list[int], counts: tuple[int, int, int]) -> None:
    for k, v in enumerate(counts):
        acc[k] += v


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def ladder_pairs(predicted: str | Path, gold: str | Path) -> list[tuple[Ladder, Ladder]]:
    """Pair prediction and gold ladder files: two files, or two directories matched by file name."""
    predicted, gold = Path(predicted), Path(gold)
    if predicted.is_dir() != gold.is_dir():
        raise InputError("PRED and GOLD must both be files or both be directories")
    if not predicted.is_dir():
        return [(read_ladder(predicted), read_ladder(gold))]
    gold_files = sorted(p for p in gold.iterdir() if p.is_file() and not p.name.startswith("."))
    if not gold_files:
        raise InputError(f"{gold}: no ladder files")
    missing = [p.name for p in gold_files if not (predicted / p.name).is_file()]
    if missing:
        raise InputError(f"{predicted}: no prediction for {', '.join(missing[:5])}")
    return [(read_ladder(predicted / p.name), read_ladder(p)) for p in gold_files]
