"""One review being worked on: the model, its journal and its output file, shared by every tab.

This is what the HTTP handlers call; it is plain Python so that tests drive it without a server.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._journal import Journal, journal_path
from ._model import Edit, EditError, Review
from ._tmx import save_review


class StaleEditError(EditError):
    """The edit was made on a view older than the review: another tab changed it meanwhile."""


class ReviewSession:
    """A review with its journal replayed; ``edit`` checks the version, applies and journals."""

    def __init__(self, review: Review, output: Path) -> None:
        self.review = review
        self.output = output
        self.journal = Journal(journal_path(output), review)
        review.replay(self.journal.edits())
        self._lock = threading.Lock()

    def edit(self, edit: Edit, seen_version: int) -> None:
        """Apply ``edit`` made on a page showing ``seen_version``, and journal it before returning."""
        with self._lock:
            if seen_version != self.review.version:
                raise StaleEditError(
                    f"the review changed elsewhere (version {self.review.version}, this page shows {seen_version})"
                )
            stamped = Edit(edit.op, edit.unit, edit.lang, edit.sentence, at=_now())
            self.review.apply(stamped)
            self.journal.append(stamped)

    def save(self) -> int:
        """Write the output TMX atomically; return how many units it holds."""
        with self._lock:
            return save_review(self.review, self.output)

    def document(self) -> dict[str, Any]:
        """What never changes while reviewing: languages and sentences."""
        return {"langs": list(self.review.langs), "sentences": {k: list(v) for k, v in self.review.sentences.items()}}

    def state(self) -> dict[str, Any]:
        """What edits change: the units, the version and what undo/redo can do."""
        review = self.review
        return {
            "version": review.version,
            "can_undo": review.can_undo,
            "can_redo": review.can_redo,
            "reviewed": review.reviewed,
            "units": [
                {
                    "counts": unit.counts,
                    "score": unit.score,
                    "flagged": unit.flagged,
                    "confirmed": unit.confirmed,
                    "edited": unit.edited,
                }
                for unit in review.units
            ],
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
