"""aligner: align translations sentence by sentence and write translation memories.

The pipeline, one module per stage::

    fetch / sources  ->  segment  ->  embed + align / multi  ->  tmx / table
    (Documents)         (SegmentedDocuments)  (Alignment, MultiAlignment)  (files)

``align_documents`` and ``write_alignment`` run the whole job; ``aligner run`` is the same on the
command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from .multi import align_multi, bitext
from .segment import segment, split_sentences
from .types import Alignment, Bead, Document, MultiAlignment, SegmentedDocument, Unit

if TYPE_CHECKING:
    from .fetch import FetchedStatement, FetchOptions, fetch_statement
    from .pipeline import OutputOptions, Written, align_documents, write_alignment
    from .sources import load_statement, read_document
    from .table import multi_to_frame, write_table
    from .tmx import TranslationUnit, merge_tmx, read_tmx, write_tmx

# Stages that pull in httpx, tldextract, polars or lxml load on first use: `import aligner.align` costs
# 0.17 s instead of 0.41 s, a tenth of aligning Text+Berg (the CLI imports every stage either way).
_LAZY = {
    "FetchOptions": "fetch",
    "FetchedStatement": "fetch",
    "fetch_statement": "fetch",
    "OutputOptions": "pipeline",
    "Written": "pipeline",
    "align_documents": "pipeline",
    "write_alignment": "pipeline",
    "load_statement": "sources",
    "read_document": "sources",
    "multi_to_frame": "table",
    "write_table": "table",
    "TranslationUnit": "tmx",
    "merge_tmx": "tmx",
    "read_tmx": "tmx",
    "write_tmx": "tmx",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
