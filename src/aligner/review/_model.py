"""The review model: an alignment as sentence counts, the edits a reviewer makes, undo/redo.

Each language's sentences are fixed and in document order; a unit holds, for each language, the
next ``count`` of them. So the whole alignment is one table of counts, and the two invariants of
a review - every language keeps its document order, every sentence is in exactly one unit - hold
by construction as long as the counts of each language add up to its number of sentences. Every
edit moves counts between neighbouring units; ``check`` verifies the table after each one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from ..errors import AlignerError

Op = Literal["move-prev", "move-next", "merge", "split", "unpair", "confirm", "undo", "redo"]

#: Edits that name a sentence (``Edit.lang`` and ``Edit.sentence``); the others name a unit only.
SENTENCE_OPS = frozenset({"move-prev", "move-next", "split", "unpair"})
OPS: tuple[Op, ...] = ("move-prev", "move-next", "merge", "split", "unpair", "confirm", "undo", "redo")


class EditError(AlignerError):
    """An edit that cannot be applied here (no previous unit, a sentence of another unit ...)."""

    exit_code = 2


@dataclass(frozen=True)
class Edit:
    """One reviewer action, as the page sends it and the journal stores it.

    ``sentence`` is the sentence's index in its language's document (not within the unit), so an
    edit names the same sentence whatever happened to the units around it.
    """

    op: Op
    unit: int = 0
    lang: str = ""
    sentence: int = -1
    at: str = ""  # ISO 8601 time of the edit, stored in x-reviewed


@dataclass(frozen=True)
class ReviewUnit:
    """One unit: how many sentences it takes from each language, and what the review knows of it."""

    counts: tuple[int, ...]  # in ``Review.langs`` order
    score: float | None = None  # confidence from the input (x-confidence, else x-score)
    flagged: bool = False  # the input marked it as doubtful
    confirmed: bool = False
    edits: tuple[str, ...] = ()  # operations that changed or confirmed it, in order
    reviewed_at: str = ""  # time of the last of them
    tuid: str = ""  # the input's id, kept while the unit is not edited
    props: tuple[tuple[str, str], ...] = ()  # the input's props, carried over

    @property
    def edited(self) -> bool:
        """True when an edit changed which sentences the unit holds (confirming alone does not)."""
        return any(op != "confirm" for op in self.edits)

    @property
    def reviewed(self) -> bool:
        return self.confirmed or self.edited

    @property
    def linked(self) -> bool:
        return sum(1 for n in self.counts if n) > 1


@dataclass
class Review:
    """An alignment under review: fixed sentences, units as counts, a version and undo/redo stacks.

    ``version`` goes up by one with every applied edit, undo and redo included; the server compares
    it with the version a page last saw to reject edits made on a stale view.
    """

    langs: tuple[str, ...]
    sentences: dict[str, tuple[str, ...]]
    units: tuple[ReviewUnit, ...]
    version: int = 0
    _undo: list[tuple[ReviewUnit, ...]] = field(default_factory=list, init=False, repr=False)
    _redo: list[tuple[ReviewUnit, ...]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.check()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def reviewed(self) -> int:
        return sum(1 for unit in self.units if unit.reviewed)

    def members(self, index: int) -> dict[str, range]:
        """The sentence indices of unit ``index`` in each language."""
        self._unit(index)
        return {lang: self._range(index, k) for k, lang in enumerate(self.langs)}

    def texts(self) -> Iterator[tuple[ReviewUnit, dict[str, tuple[str, ...]]]]:
        """Every unit with its sentences in each language (empty for a language it lacks), in one pass."""
        next_sentence = dict.fromkeys(self.langs, 0)
        for unit in self.units:
            texts = {}
            for lang, n in zip(self.langs, unit.counts, strict=True):
                start = next_sentence[lang]
                texts[lang] = self.sentences[lang][start : start + n]
                next_sentence[lang] = start + n
            yield unit, texts

    def apply(self, edit: Edit) -> None:
        """Apply one edit (or undo/redo it), or raise EditError and change nothing."""
        if edit.op == "undo":
            self._swap(self._undo, self._redo, "nothing to undo")
        elif edit.op == "redo":
            self._swap(self._redo, self._undo, "nothing to redo")
        else:
            units = self._edited(edit)
            self._undo.append(self.units)
            self._redo.clear()
            self.units = units
        self.version += 1
        self.check()

    def replay(self, edits: Iterable[Edit]) -> None:
        for edit in edits:
            self.apply(edit)

    def check(self) -> None:
        """Raise AssertionError unless every sentence is in exactly one unit, in document order.

        Checked after every edit, also under ``python -O``: a broken review must never be saved.
        """
        width = len(self.langs)
        _require(all(len(unit.counts) == width for unit in self.units), "a unit lacks a language")
        _require(all(n >= 0 for unit in self.units for n in unit.counts), "a negative count")
        _require(all(any(unit.counts) for unit in self.units), "an empty unit")
        for k, lang in enumerate(self.langs):
            total = sum(unit.counts[k] for unit in self.units)
            _require(
                total == len(self.sentences[lang]),
                f"{lang}: units hold {total} sentences, not {len(self.sentences[lang])}",
            )

    # --- the edits -----------------------------------------------------------------------------

    def _edited(self, edit: Edit) -> tuple[ReviewUnit, ...]:
        """The units after ``edit``: neighbours of the unit replaced, the rest shared."""
        i = edit.unit
        unit = self._unit(i)
        if edit.op == "confirm":
            return self._replace(i, 1, [_touched(replace(unit, confirmed=True), edit)])
        if edit.op == "merge":
            if i + 1 >= len(self.units):
                raise EditError("the last unit has no next unit to merge with")
            nxt = self.units[i + 1]
            merged = replace(
                unit,
                counts=_add(unit.counts, nxt.counts),
                flagged=unit.flagged or nxt.flagged,
                edits=unit.edits + nxt.edits,
            )
            return self._replace(i, 2, [_touched(merged, edit)])
        if edit.op not in SENTENCE_OPS:
            raise EditError(f"unknown edit {edit.op!r} (choose {', '.join(OPS)})")
        k, first, last = self._locate(edit)
        before, after = edit.sentence - first, last - edit.sentence  # sentences of the language around it
        if edit.op == "move-prev":
            if i == 0:
                raise EditError("the first unit has no previous unit")
            moved = _at(unit.counts, k, before + 1)
            prev = self.units[i - 1]
            return self._replace(
                i - 1,
                2,
                [
                    _touched(replace(prev, counts=_add(prev.counts, moved)), edit),
                    _touched(replace(unit, counts=_sub(unit.counts, moved)), edit),
                ],
            )
        if edit.op == "move-next":
            if i + 1 >= len(self.units):
                raise EditError("the last unit has no next unit")
            moved = _at(unit.counts, k, after + 1)
            nxt = self.units[i + 1]
            return self._replace(
                i,
                2,
                [
                    _touched(replace(unit, counts=_sub(unit.counts, moved)), edit),
                    _touched(replace(nxt, counts=_add(nxt.counts, moved)), edit),
                ],
            )
        if edit.op == "split":
            if before == 0:
                raise EditError("split between two sentences: choose a sentence that is not its unit's first")
            # The other languages are cut at the same fraction of their sentences (half rounds up).
            head = tuple(
                before if j == k else int(n * before / unit.counts[k] + 0.5) for j, n in enumerate(unit.counts)
            )
            parts = [replace(unit, counts=head), replace(unit, counts=_sub(unit.counts, head))]
            return self._replace(i, 1, [_touched(part, edit) for part in parts])
        # unpair: the sentence alone in a unit of its own, the other languages with what comes before it
        if unit.counts[k] == 1 and not unit.linked:
            raise EditError("this sentence has no counterpart already")
        alone = _at(unit.counts, k, 1)
        if before == 0:
            parts = [replace(unit, counts=alone), replace(unit, counts=_sub(unit.counts, alone))]
        else:
            head = tuple(before if j == k else n for j, n in enumerate(unit.counts))
            parts = [
                replace(unit, counts=head),
                replace(unit, counts=alone),
                replace(unit, counts=_at(unit.counts, k, after)),
            ]
        return self._replace(i, 1, [_touched(part, edit) for part in parts])

    def _locate(self, edit: Edit) -> tuple[int, int, int]:
        """Column of the edit's language and the first and last sentence the unit holds in it."""
        if edit.lang not in self.langs:
            raise EditError(f"unknown language {edit.lang!r} (the review has {', '.join(self.langs)})")
        k = self.langs.index(edit.lang)
        span = self._range(edit.unit, k)
        if edit.sentence not in span:
            raise EditError(f"{edit.lang} sentence {edit.sentence} is not in unit {edit.unit}")
        return k, span.start, span.stop - 1

    def _range(self, index: int, k: int) -> range:
        start = sum(unit.counts[k] for unit in self.units[:index])
        return range(start, start + self.units[index].counts[k])

    def _unit(self, index: int) -> ReviewUnit:
        if not 0 <= index < len(self.units):
            raise EditError(f"no unit {index} (the review has {len(self.units)})")
        return self.units[index]

    def _replace(self, start: int, count: int, new: Sequence[ReviewUnit]) -> tuple[ReviewUnit, ...]:
        kept = [unit for unit in new if any(unit.counts)]  # a unit emptied by a move disappears
        return self.units[:start] + tuple(kept) + self.units[start + count :]

    def _swap(self, source: list[tuple[ReviewUnit, ...]], target: list[tuple[ReviewUnit, ...]], empty: str) -> None:
        if not source:
            raise EditError(empty)
        target.append(self.units)
        self.units = source.pop()


def _touched(unit: ReviewUnit, edit: Edit) -> ReviewUnit:
    return replace(unit, edits=unit.edits + (edit.op,), reviewed_at=edit.at or unit.reviewed_at)


def _at(counts: tuple[int, ...], k: int, n: int) -> tuple[int, ...]:
    """Counts with ``n`` in column ``k`` and 0 elsewhere."""
    return tuple(n if j == k else 0 for j in range(len(counts)))


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sub(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)
