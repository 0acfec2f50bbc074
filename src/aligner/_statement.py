"""One statement of a batch, aligned and written to its own folder, ``result.json`` last.

    StatementWorker(options, encoder).process(job, outdir)   -> StatementResult (never raises AlignerError)
    finished_result(outdir, job, settings)                   -> the earlier result, or None: align again

A worker holds one loaded model and one embedding cache; the local engine, each process of the local
pool and each Ray actor (``aligner._ray_engine``) run one. ``aligner.batch`` decides which statements
to give it and builds the combined memory and summary from their results.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ._io import atomic_writer
from ._jobs import BatchOptions, StatementJob, StatementResult, input_digest
from ._logcapture import captured_warnings
from .confidence import unit_confidence
from .embed import EmbeddingCache, Encoder
from .errors import AlignerError, first_line
from .fetch import fetch_statement
from .languages import CORE_LANGUAGES
from .pipeline import OutputOptions, align_documents, write_alignment
from .sources import load_statement, save_document
from .types import Document, MultiAlignment

__all__ = ["DOCUMENTS_DIR", "MARKER", "TMX_NAME", "StatementWorker", "finished_result", "statement_folder"]

log = logging.getLogger("aligner.batch")

MARKER = "result.json"
TMX_NAME = "aligned.tmx"
DOCUMENTS_DIR = "documents"

#: A worker starts a fresh in-memory embedding cache after this many embedded texts (~2 KB each for
#: the default model), so that a batch of thousands of statements runs in bounded memory.
RENEW_CACHE_AFTER = 50_000


def statement_folder(outdir: Path, name: str) -> Path:
    """Where a statement's files go: ``OUTDIR/statements/<name>``."""
    return outdir / "statements" / name


class StatementWorker:
    """Aligns statements with one loaded model and one embedding cache (renewed to bound memory)."""

    def __init__(self, options: BatchOptions, encoder: Encoder) -> None:
        self.options = options
        self.settings = options.settings()
        self.base = encoder.encoder if isinstance(encoder, EmbeddingCache) else encoder
        self.base.encode(["."])  # load the weights now: a broken model fails the batch, not each statement
        self.cache = encoder if isinstance(encoder, EmbeddingCache) else self._new_cache()

    def _new_cache(self) -> EmbeddingCache:
        return EmbeddingCache(self.base, cache_dir=self.options.cache_dir)

    def process(self, job: StatementJob, outdir: Path) -> StatementResult:
        """Align one statement and write its files, ``result.json`` last; never raises AlignerError."""
        if self.cache.misses > RENEW_CACHE_AFTER:
            self.cache = self._new_cache()
        folder = statement_folder(outdir, job.name)
        (folder / MARKER).unlink(missing_ok=True)  # outdated settings: the folder is incomplete from now on
        start = time.perf_counter()
        inputs = input_digest(job)  # before reading: a file edited while we align is aligned again next time
        with captured_warnings() as warnings:
            try:
                documents, missing = self._documents(job)
                multi = align_documents(documents, self.cache, self.options.align)
                outputs, units = self._write(job, folder, documents, multi)
            except Exception as error:  # noqa: BLE001 - one bad statement must not stop a batch of thousands
                _remove_outputs(folder)
                log.debug("%s failed", job.name, exc_info=True)
                message = str(error) if isinstance(error, AlignerError) else first_line(error)
                return StatementResult(
                    job.name,
                    job.source,
                    "failed",
                    warnings=tuple(warnings),
                    error=message,
                    elapsed=round(time.perf_counter() - start, 3),
                )
        result = _ok_result(
            job, multi, units, missing, (*missing.values(), *warnings), outputs, time.perf_counter() - start
        )
        with atomic_writer(folder / MARKER) as handle:
            json.dump(result.to_json(self.settings, inputs), handle, ensure_ascii=False, indent=1)
        return result

    def _documents(self, job: StatementJob) -> tuple[list[Document], dict[str, str]]:
        """The statement's documents in the chosen languages, and each expected language missing with why."""
        expected = self.options.langs or CORE_LANGUAGES
        if job.is_url:
            fetched = fetch_statement(job.url, expected, options=self.options.fetch)
            found = fetched.documents
            missing = {lang: f"{lang} missing: {reason}" for lang, reason in fetched.missing.items()}
        else:
            found = {doc.lang: doc for doc in load_statement([job.source], max_chars=self.options.max_chars)}
            missing = {lang: f"{lang} missing: no file" for lang in expected if lang not in found}
        langs = self.options.langs or found  # the chosen languages in their order, or all found
        chosen = [found[lang] for lang in langs if lang in found]
        return chosen, missing

    def _write(
        self, job: StatementJob, folder: Path, documents: list[Document], multi: MultiAlignment
    ) -> tuple[tuple[str, ...], int]:
        """The files written, relative to ``folder``, and how many units the memory holds."""
        table = f"aligned.{self.options.table_format}"
        confidence = unit_confidence(multi, self.cache)
        [memory] = write_alignment(multi, folder / TMX_NAME, OutputOptions(format="tmx"), confidence=confidence)
        table_options = OutputOptions(format=self.options.table_format)
        write_alignment(multi, folder / table, table_options, confidence=confidence)
        outputs = [TMX_NAME, table]
        if job.is_url:  # keep what was fetched: a report or a re-alignment needs no network
            for doc in documents:
                name = f"{DOCUMENTS_DIR}/{doc.lang}.json"
                save_document(doc, folder / name)
                outputs.append(name)
        return tuple(outputs), memory.units


def _ok_result(
    job: StatementJob,
    multi: MultiAlignment,
    units: int,
    missing: dict[str, str],
    warnings: Sequence[str],
    outputs: tuple[str, ...],
    elapsed: float,
) -> StatementResult:
    mean = multi.mean_score
    return StatementResult(
        name=job.name,
        source=job.source,
        status="ok",
        languages=multi.langs,
        missing=tuple(missing),
        sentences=tuple((d.lang, len(d.sentences)) for d in multi.docs),
        bead_types=multi.bead_types,
        units=units,
        mean_score=round(mean, 4) if mean is not None else None,
        min_score=min(multi.linked_scores, default=None),
        warnings=tuple(dict.fromkeys(warnings)),
        elapsed=round(elapsed, 3),
        outputs=outputs,
    )


def finished_result(outdir: Path, job: StatementJob, settings: dict[str, Any]) -> StatementResult | None:
    """The earlier result of a statement finished from the same inputs with the same settings, as "skipped"."""
    folder = statement_folder(outdir, job.name)
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
        result = StatementResult.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.get("settings") != settings or result.source != job.source or result.status != "ok":
        return None
    if data.get("inputs") is None or data["inputs"] != input_digest(job):
        return None
    if not all((folder / name).is_file() for name in result.outputs):
        return None
    return replace(result, status="skipped")


def _remove_outputs(folder: Path) -> None:
    """A failed statement leaves no files: earlier runs' outputs would no longer match its marker."""
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
