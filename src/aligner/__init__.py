"""aligner: align translations sentence by sentence and write translation memories."""

from __future__ import annotations

from .errors import (
    AlignerError,
    AlignmentError,
    ExtractionError,
    FetchError,
    InputError,
    LanguageError,
    ModelError,
    OutputError,
    TMXError,
    UnknownModelError,
)
from .types import Alignment, Bead, Document, MultiAlignment, SegmentedDocument, Unit

__version__ = "0.1.0"

__all__ = [
    "AlignerError",
    "Alignment",
    "AlignmentError",
    "Bead",
    "Document",
    "ExtractionError",
    "FetchError",
    "InputError",
    "LanguageError",
    "ModelError",
    "MultiAlignment",
    "OutputError",
    "SegmentedDocument",
    "TMXError",
    "Unit",
    "UnknownModelError",
    "__version__",
]
