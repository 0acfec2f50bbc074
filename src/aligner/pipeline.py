"""The whole job in plain functions: sources -> documents -> segmented -> aligned -> written.

The CLI (``aligner run``), batch mode and notebooks all go through here, so each stage is done
the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Literal

import polars as pl

from ._io import MAX_INPUT_CHARS
from .align import AlignOptions
from .confidence import bead_confidence, unit_confidence
from .embed import EmbeddingCache, Encoder, get_encoder
from .errors import AlignmentError, InputError, LanguageError, OutputError
from .fetch import FetchOptions, fetch_statement
from .languages import CORE_LANGUAGES, normalize_lang
from .multi import align_multi, bitext
from .segment import segment
from .sources import is_url, load_statement
from .table import multi_to_frame, write_table
from .tmx import (
    ALL_LANGUAGES,
    TranslationUnit,
    units_from_bitext,
    units_from_multi,
    write_tmx,
)
from .types import Document, MultiAlignment

OutputFormat = Literal["tmx", "tsv", "parquet"]


@dataclass(frozen=True)
class OutputOptions:
    """What to write; built from CLI flags in one place (``aligner.cli._run``)."""

    format: OutputFormat = "tmx"
    pairs: tuple[tuple[str, str], ...] = ()  # bitext pairs to write instead of one multilingual file
    min_score: float | None = None
    min_confidence: float | None = None  # needs confidence: an encoder or the units' given to write_alignment
    keep_unpaired: bool = True
    locales: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Written:
    """One file ``write_alignment`` wrote, and how many units it holds."""

    path: Path
    units: int


def gather_documents(
    sources: Sequence[str],
    urls: Sequence[str] = (),
    langs: Sequence[str] | None = None,
    fetch_options: FetchOptions | None = None,
    max_chars: int = MAX_INPUT_CHARS,
) -> tuple[list[Document], dict[str, str]]:
    """Documents of the statement and, for web input, the languages missing with their reasons.

    ``sources`` are local inputs as for ``load_statement``, or one URL whose language versions are
    found from its links; ``urls`` give language versions explicitly as ``LL=URL``. A local file
    with more than ``max_chars`` characters of text is refused.
    """
    web = [s for s in sources if is_url(s)]
    if urls or web:
        if len(web) > 1 or (web and len(sources) > 1):
            raise InputError("give one URL (its language versions are found from it) or --url LL=URL options")
        explicit = _explicit_urls(urls) or None
        start = web[0] if web else next(iter(explicit.values()))  # type: ignore[union-attr]
        fetched = fetch_statement(start, langs or CORE_LANGUAGES, options=fetch_options, explicit=explicit)
        return list(fetched.documents.values()), dict(fetched.missing)
    return load_statement(sources, langs, max_chars=max_chars), {}


def _explicit_urls(items: Sequence[str]) -> dict[str, str]:
    urls = {}
    for item in items:
        lang, sep, url = item.partition("=")
        if not sep or not url.strip():
            raise InputError(f"--url wants LL=URL like en=https://example.org/en/1, got {item!r}")
        urls[normalize_lang(lang)] = url.strip()
    return urls


def load_encoder(model: str, cache_dir: Path | None = None) -> Encoder:
    """The encoder behind ``--model``, wrapped so that each distinct text is embedded once."""
    return EmbeddingCache(get_encoder(model), cache_dir=cache_dir)


def align_documents(
    documents: Sequence[Document],
    encoder: Encoder,
    options: AlignOptions | None = None,
    *,
    pivot: str | None = None,
    on_pair: Callable[[str, str], None] | None = None,
) -> MultiAlignment:
    """Segment every language version and align them all into units."""
    segmented = [segment(doc) for doc in documents]
    empty = [doc.lang for doc in segmented if not doc.sentences]
    if empty:
        raise AlignmentError(f"no text to align in {', '.join(empty)}")
    return align_multi(segmented, encoder, options, pivot=pivot, on_pair=on_pair)


def check_pairs(pairs: Sequence[tuple[str, str]], langs: Sequence[str]) -> None:
    """Fail before any work when a requested bitext pair names a language that is not there."""
    absent = sorted({lang for pair in pairs for lang in pair} - set(langs))
    if absent:
        raise LanguageError(f"--pairs names {', '.join(absent)}, not among the inputs ({', '.join(langs)})")


def all_pairs(langs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple(combinations(langs, 2))


def write_alignment(
    multi: MultiAlignment,
    output: str | Path,
    options: OutputOptions,
    encoder: Encoder | None = None,
    confidence: Sequence[float] | None = None,
) -> list[Written]:
    """Write the alignment in the requested form; return the files written with their unit counts.

    Multilingual output goes to ``output`` itself; bitext output to ``output`` with the pair added
    before the suffix (``memory.en-ru.tmx``), its units split finer for the pair when ``encoder``
    is given (see ``multi.bitext``). When ``min_score``, ``min_confidence`` or ``keep_unpaired`` leave a file without
    units, OutputError is raised and no file is written: an empty memory is never a result.
    With ``encoder``, every unit (bead of a bitext) gets its confidence; ``confidence`` gives the
    units' when the caller has it already (``confidence.unit_confidence``).
    """
    output = Path(output)
    if confidence is None and encoder is not None:
        confidence = unit_confidence(multi, encoder)
    check_pairs(options.pairs, multi.langs)
    targets: list[tuple[Path, tuple[str, str] | None]] = [
        (output.with_name(f"{output.stem}.{src}-{tgt}{output.suffix}"), (src, tgt)) for src, tgt in options.pairs
    ] or [(output, None)]
    if options.format == "tmx":
        # A statement's units fit in memory: selecting them all first lets an empty result write nothing.
        memories = [(path, pair, list(_tmx_units(multi, pair, options, encoder, confidence))) for path, pair in targets]
        _check_not_empty(multi, [(path, len(units)) for path, _, units in memories])
        for path, pair, units in memories:
            write_tmx(path, units, srclang=pair[0] if pair else ALL_LANGUAGES, locales=options.locales)
        return [Written(path, len(units)) for path, _, units in memories]
    if options.format in ("tsv", "parquet"):
        # Once for every pair: each file is a selection of its rows.
        frame = multi_to_frame(multi, confidence=confidence)
        tables = [(path, _table_rows(frame, pair, options)) for path, pair in targets]
        counts = [(path, table["unit"].n_unique()) for path, table in tables]
        _check_not_empty(multi, counts)
        for path, table in tables:
            write_table(table, path, options.format)
        return [Written(path, units) for path, units in counts]
    raise OutputError(f"unknown output format {options.format!r} (choose tmx, tsv or parquet)")


def _table_rows(frame: pl.DataFrame, pair: tuple[str, str] | None, options: OutputOptions) -> pl.DataFrame:
    """The rows of one table: the pair's languages, then units filtered as ``units_from_multi`` does."""
    if pair:
        frame = frame.filter(pl.col("lang").is_in(list(pair)))
    if options.min_score is not None:
        frame = frame.filter(pl.col("score") >= options.min_score)
    if options.min_confidence is not None and "confidence" in frame.columns:
        frame = frame.filter(pl.col("confidence") >= options.min_confidence)
    languages_with_text = (pl.col("n_sentences") > 0).sum().over("unit")
    return frame.filter(languages_with_text >= (1 if options.keep_unpaired else 2))


def _check_not_empty(multi: MultiAlignment, counts: list[tuple[Path, int]]) -> None:
    empty = [path for path, units in counts if not units]
    if empty:
        raise OutputError(
            f"{empty[0]}: nothing to write: all {len(multi.units)} units were left out by --min-score, "
            "--min-confidence or --drop-unpaired"
        )


def _tmx_units(
    multi: MultiAlignment,
    pair: tuple[str, str] | None,
    options: OutputOptions,
    encoder: Encoder | None,
    confidence: Sequence[float] | None,
) -> Iterator[TranslationUnit]:
    """All units, or one pair's, each unit split finer for the pair (and its beads' confidence
    computed) when ``encoder`` is given."""
    if pair is None:
        return units_from_multi(
            multi,
            min_score=options.min_score,
            keep_unpaired=options.keep_unpaired,
            confidence=confidence,
            min_confidence=options.min_confidence,
        )
    alignment = bitext(multi, *pair, encoder)
    return units_from_bitext(
        alignment,
        min_score=options.min_score,
        keep_unpaired=options.keep_unpaired,
        confidence=bead_confidence(alignment, encoder) if encoder is not None else None,
        min_confidence=options.min_confidence,
    )
