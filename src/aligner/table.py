"""Alignments and translation memories as long tables (one row per unit and language), for analysis.

The ``tuid`` column carries the same stable ids as the TMX written from the same alignment, so a
table row can always be traced back to its ``<tu>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from ._io import atomic_write_path
from .errors import OutputError
from .tmx import TranslationUnit, translation_units
from .types import MultiAlignment

TableFormat = Literal["tsv", "parquet"]

#: Column order and types shared by every table.
SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.Int64(),
    "tuid": pl.String(),
    "lang": pl.String(),
    "text": pl.String(),
    "n_sentences": pl.Int64(),
    "score": pl.Float64(),
    "confidence": pl.Float64(),  # null when it was not computed (no encoder) or another tool wrote the TMX
    "bead": pl.String(),
    "flags": pl.String(),  # reasons for doubt, comma-separated ("" when none)
    "document": pl.String(),
}

_SUFFIXES: dict[str, TableFormat] = {".tsv": "tsv", ".parquet": "parquet"}


def multi_to_frame(
    multi: MultiAlignment, *, document: str | None = None, confidence: Sequence[float] | None = None
) -> pl.DataFrame:
    """One row per unit and language of the alignment, gaps included (``n_sentences`` 0, text "").

    ``document`` names the source in every row; by default it is the TMX ``x-document`` value.
    ``confidence`` (one per unit) fills the ``confidence`` column, else it is null.
    """
    rows = []
    for index, (unit, tu) in enumerate(translation_units(multi, confidence)):
        name = document if document is not None else tu.prop("x-document")
        doubts = ",".join(tu.flags)
        for lang, indices in unit.members:
            rows.append(
                (index, tu.tuid, lang, tu.text(lang), len(indices), unit.score, tu.confidence, unit.kind, doubts, name)
            )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def units_to_frame(units: Iterable[TranslationUnit]) -> pl.DataFrame:
    """One row per variant of each unit (e.g. read back from a TMX); ``unit`` is its position.

    ``score``, ``confidence``, ``bead``, ``flags`` and ``document`` come from our x- props and are null
    (``flags``: "") for other tools' units;
    ``n_sentences`` is recovered from ``x-bead`` when it matches the variants, else null.
    """
    rows = []
    for index, tu in enumerate(units):
        bead = tu.prop("x-bead")
        counts = _sentence_counts(bead, len(tu.variants))
        for k, (lang, text) in enumerate(tu.variants):
            count = counts[k] if counts else None
            doubts = ",".join(tu.flags)
            document = tu.prop("x-document")
            rows.append((index, tu.tuid, lang, text, count, tu.score, tu.confidence, bead, doubts, document))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _sentence_counts(bead: str | None, n_variants: int) -> tuple[int, ...] | None:
    """``"1-0-2"`` for two variants -> (1, 2): languages without text have no variant in the TMX."""
    if not bead:
        return None
    try:
        counts = tuple(n for n in (int(part) for part in bead.split("-")) if n)
    except ValueError:
        return None
    return counts if len(counts) == n_variants else None


def table_format(path: str | Path) -> TableFormat:
    """The format a file name asks for: ``.tsv`` or ``.parquet``; OutputError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise OutputError(f"{path}: unknown table format {suffix or '(none)'!r}, expected .tsv or .parquet")
    return _SUFFIXES[suffix]


def write_table(frame: pl.DataFrame, path: str | Path, format: TableFormat | None = None) -> None:
    """Write ``frame`` atomically as TSV (UTF-8, header row) or Parquet; the default follows the suffix."""
    chosen = format or table_format(path)
    with atomic_write_path(path) as tmp:
        if chosen == "tsv":
            frame.write_csv(tmp, separator="\t")
        elif chosen == "parquet":
            frame.write_parquet(tmp)
        else:
            raise OutputError(f"{path}: unknown table format {chosen!r}, expected 'tsv' or 'parquet'")
