"""``aligner review``: check and fix an alignment in the browser, all languages at once.

    _model    Review, Edit: units as sentence counts, the edits and their invariants, undo/redo
    _journal  every edit on disk at once, replayed when the review starts again
    _tmx      from an alignment or TMX to a Review, and back to TMX with x-reviewed
    _session  one review with its journal and output, as the HTTP handlers use it
    _server   the Starlette app (needs ``aligner[review]``) and serving it on 127.0.0.1

Only ``_server`` imports Starlette, so the model, journal and TMX parts work without the extra.
"""

from __future__ import annotations

from ._journal import Journal, journal_path
from ._model import OPS, Edit, EditError, Review, ReviewUnit
from ._session import ReviewSession, StaleEditError
from ._tmx import review_from_multi, review_from_tmx, review_units, save_review

__all__ = [
    "OPS",
    "Edit",
    "EditError",
    "Journal",
    "Review",
    "ReviewSession",
    "ReviewUnit",
    "StaleEditError",
    "journal_path",
    "review_from_multi",
    "review_from_tmx",
    "review_units",
    "save_review",
]
