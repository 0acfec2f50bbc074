"""aligner: align translations sentence by sentence and write translation memories.

The pipeline, one module per stage::

    fetch / sources  ->  segment  ->  embed + align / multi  ->  tmx / table
    (Documents)         (SegmentedDocuments)  (Alignment, MultiAlignment)  (files)

``align_documents`` and ``write_alignment`` run the whole job; ``aligner run`` is the same on the
command line.
"""

from __future__ import annotations

from ._version import __version__
from .align import AlignOptions, align, align_sentences
from .embed import EmbeddingCache, Encoder, SpanEncoder, available_models, get_encoder
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
from .fetch import FetchedStatement, FetchOptions, fetch_statement
from .multi import align_multi, bitext
from .pipeline import OutputOptions, Written, align_documents, write_alignment
from .segment import segment, split_sentences
from .sources import load_statement, read_document
from .table import multi_to_frame, write_table
from .tmx import TranslationUnit, merge_tmx, read_tmx, write_tmx
from .types import Alignment, Bead, Document, MultiAlignment, SegmentedDocument, Unit

# Plain imports: loading fetch/table/tmx lazily made `import aligner` 0.34 s instead of 0.83 s but
# left `aligner --help` at 1.1-1.2 s either way (the CLI imports every stage), so it was not worth
# the machinery (measured 2026-12-01 on the 2-core development machine, best of 15).

__all__ = [
    "AlignOptions",
    "AlignerError",
    "Alignment",
    "AlignmentError",
    "Bead",
    "Document",
    "EmbeddingCache",
    "Encoder",
    "ExtractionError",
    "FetchError",
    "FetchOptions",
    "FetchedStatement",
    "InputError",
    "LanguageError",
    "ModelError",
    "MultiAlignment",
    "OutputError",
    "OutputOptions",
    "SegmentedDocument",
    "SpanEncoder",
    "TMXError",
    "TranslationUnit",
    "Unit",
    "UnknownModelError",
    "Written",
    "__version__",
    "align",
    "align_documents",
    "align_multi",
    "align_sentences",
    "available_models",
    "bitext",
    "fetch_statement",
    "get_encoder",
    "load_statement",
    "merge_tmx",
    "multi_to_frame",
    "read_document",
    "read_tmx",
    "segment",
    "split_sentences",
    "write_alignment",
    "write_table",
    "write_tmx",
]
