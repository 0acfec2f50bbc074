"""Many statements in one run, resumable: per-statement memories, a combined memory, a summary table.

    read_batch_input(path)                  -> [StatementJob]   (a URL list or a folder of statement folders)
    run_batch(jobs, outdir, options)        -> BatchResult

Layout of ``outdir``::

    statements/<name>/aligned.tmx           the statement's multilingual memory
    statements/<name>/aligned.parquet|tsv   the same as a table
    statements/<name>/documents/LL.json     web input only: the extracted texts (``aligner report`` reads them)
    statements/<name>/result.json           written last: the statement is finished
    combined.tmx                            all finished statements, duplicates removed
    summary.csv, summary.parquet            one row per statement

Resuming: every file is written atomically, and ``result.json`` last, so a statement with a
``result.json`` made from the same inputs (the URL, or the bytes of the folder's files) with the same
settings is complete and is skipped; anything else is done again (everything, with ``force``).
The combined memory and summary are rebuilt from all finished statements at the end of every run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import re
import shutil
import signal
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import polars as pl

from ._io import MAX_INPUT_CHARS, PARTIAL_GLOB, atomic_write_path, atomic_writer, read_text, remove_dead_partials
from ._lock import folder_lock
from ._logcapture import captured_warnings
from ._urls import redact
from .align import AlignOptions
from .confidence import unit_confidence
from .embed import EmbeddingCache, Encoder, available_cores, get_encoder
from .errors import AlignerError, InputError, first_line
from .fetch import FetchOptions, fetch_statement
from .languages import CORE_LANGUAGES
from .pipeline import OutputOptions, align_documents, write_alignment
from .sources import is_url, load_statement, save_document
from .table import TableFormat
from .tmx import MergeSummary, merge_tmx
from .types import Document, MultiAlignment

__all__ = ["BatchOptions", "BatchResult", "StatementJob", "StatementResult", "read_batch_input", "run_batch"]

log = logging.getLogger("aligner.batch")

Status = Literal["ok", "failed", "skipped"]

MARKER = "result.json"
TMX_NAME = "aligned.tmx"
DOCUMENTS_DIR = "documents"

#: A worker starts a fresh in-memory embedding cache after this many embedded texts (~2 KB each for
#: the default model), so that a batch of thousands of statements runs in bounded memory.
RENEW_CACHE_AFTER = 50_000

_SLUG = re.compile(r"[^A-Za-z0-9]+")
_UNSAFE = re.compile(r"[^\w-]+")  # keeps letters and digits of every script
_MAX_NAME = 60  # characters; at most 240 bytes in UTF-8 for any script we expect


@dataclass(frozen=True)
class StatementJob:
    """One statement to align: a URL (its language versions are discovered) or a folder of per-language files."""

    name: str  # folder name under OUTDIR/statements
    source: str  # as written to results: a URL without its credentials
    url: str = field(default="", repr=False)  # the URL to fetch, credentials included: never written

    @property
    def is_url(self) -> bool:
        return is_url(self.source)


@dataclass(frozen=True)
class BatchOptions:
    """Everything that decides a batch's results; built from CLI flags in ``aligner.cli._batch``."""

    model: str = "use"
    langs: tuple[str, ...] | None = None  # None: every language found
    workers: int = 1
    table_format: TableFormat = "parquet"
    align: AlignOptions = field(default_factory=AlignOptions)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    cache_dir: Path | None = None  # on-disk embedding cache shared by all workers and runs
    threads: int | None = None  # encoder threads per worker; None: the cores divided among the workers
    max_chars: int = MAX_INPUT_CHARS  # a longer input file fails its statement

    def threads_per_worker(self) -> int:
        return self.threads or max(1, available_cores() // self.workers)

    def settings(self) -> dict[str, Any]:
        """What a finished statement must have been made with to be skipped on a later run (as JSON reads it)."""
        return json.loads(json.dumps({
            "model": self.model,
            "langs": list(self.langs) if self.langs else None,
            "table_format": self.table_format,
            "align": asdict(self.align),
        }))


@dataclass(frozen=True)
class StatementResult:
    """One row of the summary; ``result.json`` holds it for a finished statement."""

    name: str
    source: str
    status: Status
    languages: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    sentences: tuple[tuple[str, int], ...] = ()  # (lang, count) in language order
    bead_types: tuple[tuple[str, int], ...] = ()  # (unit kind, count), most frequent first
    units: int = 0  # in the statement's memory, as written
    mean_score: float | None = None  # over units linking two or more languages
    min_score: float | None = None
    warnings: tuple[str, ...] = ()
    error: str = ""
    elapsed: float = 0.0  # seconds this statement took when it was aligned
    outputs: tuple[str, ...] = ()  # files written, relative to the statement folder

    def to_json(self, settings: dict[str, Any], inputs: str | None) -> dict[str, Any]:
        data = asdict(self)
        data["sentences"], data["bead_types"] = dict(self.sentences), dict(self.bead_types)
        return {**data, "settings": settings, "inputs": inputs}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatementResult:
        return cls(
            name=str(data["name"]),
            source=str(data["source"]),
            status=data["status"],
            languages=tuple(data["languages"]),
            missing=tuple(data["missing"]),
            sentences=tuple((str(k), int(v)) for k, v in data["sentences"].items()),
            bead_types=tuple((str(k), int(v)) for k, v in data["bead_types"].items()),
            units=int(data["units"]),
            mean_score=data["mean_score"],
            min_score=data["min_score"],
            warnings=tuple(data["warnings"]),
            error=str(data["error"]),
            elapsed=float(data["elapsed"]),
            outputs=tuple(data["outputs"]),
        )


#: Runs the statements not finished yet, calling ``finish`` once for each as soon as its result is known.
Engine = Callable[[Sequence[StatementJob], Path, BatchOptions, Callable[[StatementResult], None]], None]


@dataclass(frozen=True)
class BatchResult:
    """What ``run_batch`` did and where it wrote the combined memory and summary."""

    results: tuple[StatementResult, ...]
    combined: Path | None  # None when no statement finished
    merge: MergeSummary
    summary: pl.DataFrame
    summary_files: tuple[Path, ...]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)


# --- input ---------------------------------------------------------------------------------------


def read_batch_input(path: str | Path) -> list[StatementJob]:
    """Statements named by ``path``: a text file of URLs (one a line, ``#`` comments) or a folder of folders."""
    path = Path(path)
    if path.is_dir():
        return _folder_jobs(path)
    jobs: dict[str, StatementJob] = {}
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if not is_url(url) or not urlsplit(url).hostname:
            raise InputError(f"{path}: line {number}: not an http(s) URL: {url[:80]!r}")
        job = StatementJob(_url_name(redact(url)), redact(url), url)
        jobs.setdefault(job.name, job)  # the same URL twice is one statement
    if not jobs:
        raise InputError(f"{path}: no URLs (expected one http(s) URL a line; # starts a comment)")
    return list(jobs.values())


def _folder_jobs(directory: Path) -> list[StatementJob]:
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(
            f"{directory}: no statement folders (expected one folder per statement, each holding de.txt, en.txt, ...)"
        )
    return [StatementJob(_folder_name(p.name), str(p)) for p in folders]


def _folder_name(name: str) -> str:
    """The input folder's own name when it is safe as it is (``Заявление``, ``a-full``); otherwise its
    letters and digits joined by ``-`` plus a short hash of the name, so two folders never share one."""
    safe = _UNSAFE.sub("-", unicodedata.normalize("NFC", name)).strip("-")[:_MAX_NAME].strip("-")
    return safe if safe == name else f"{safe or 'statement'}-{_short_hash(name)}"


def _url_name(url: str) -> str:
    """A readable, unique folder name: the URL's host and path as a slug, plus a short hash of the whole URL."""
    parts = urlsplit(url)
    slug = _SLUG.sub("-", f"{parts.hostname}{parts.path}-{parts.query}").strip("-")[-_MAX_NAME:].strip("-")
    return f"{slug}-{_short_hash(url)}"


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def _input_digest(job: StatementJob) -> str | None:
    """What a statement is made from: its URL, or the names and bytes of its folder's files (None: unreadable)."""
    digest = hashlib.blake2b(job.source.encode(), digest_size=16)
    if job.is_url:
        return digest.hexdigest()
    try:
        for path in sorted(Path(job.source).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                with path.open("rb") as handle:
                    digest.update(f"\0{path.name}\0".encode() + hashlib.file_digest(handle, "sha256").digest())
    except OSError:
        return None
    return digest.hexdigest()


# --- the run -------------------------------------------------------------------------------------


def run_batch(
    jobs: Sequence[StatementJob],
    outdir: str | Path,
    options: BatchOptions | None = None,
    *,
    encoder: Encoder | None = None,
    on_result: Callable[[StatementResult], None] | None = None,
    force: bool = False,
    engine: Engine | None = None,
) -> BatchResult:
    """Align every statement not finished by an earlier run, then rebuild the combined memory and summary.

    ``force`` aligns every statement again, finished or not.

    ``on_result`` is called once per statement (skipped ones first) as soon as its result is known.
    ``engine`` runs the unfinished statements elsewhere (``aligner._ray_engine.RayEngine``); by
    default they run in this process or a local pool of ``workers`` processes.
    ``encoder`` (for ``workers=1`` only) saves loading the model again; an ``EmbeddingCache`` given here
    is used as is, so its embeddings serve several batches.
    A statement that fails is recorded and the batch goes on; an interruption (KeyboardInterrupt)
    lets running workers finish their statement, then propagates. Raises AlignerError only for
    problems of the whole batch, such as a model that cannot be loaded, or ``outdir`` being in use
    by another batch (OutputError, at once).
    """
    options = options or BatchOptions()
    outdir = Path(outdir)
    if options.workers < 1:
        raise InputError(f"--workers must be at least 1 (got {options.workers})")
    names = Counter(job.name for job in jobs)
    if duplicated := sorted(name for name, n in names.items() if n > 1):
        raise InputError(f"two statements would share the output folder {duplicated[0]!r}")
    with folder_lock(outdir):
        return _run_locked(jobs, outdir, options, encoder, on_result, force, engine)


def _run_locked(
    jobs: Sequence[StatementJob],
    outdir: Path,
    options: BatchOptions,
    encoder: Encoder | None,
    on_result: Callable[[StatementResult], None] | None,
    force: bool,
    engine: Engine | None,
) -> BatchResult:
    _remove_partial_files(outdir)
    settings = options.settings()
    results: dict[str, StatementResult] = {}

    def finish(result: StatementResult) -> None:
        results[result.name] = result
        if on_result:
            on_result(result)

    pending = []
    for job in jobs:
        done = None if force else _finished(outdir, job, settings)
        if done:
            finish(done)
        else:
            pending.append(job)
    if pending:
        if engine is not None:
            engine(pending, outdir, options, finish)
        elif options.workers == 1 or len(pending) == 1:
            _run_in_process(pending, outdir, options, encoder, finish)
        else:
            _run_in_pool(pending, outdir, options, finish)
    ordered = tuple(results[job.name] for job in jobs)
    return _conclude(ordered, outdir)


def _run_in_process(
    jobs: Sequence[StatementJob],
    outdir: Path,
    options: BatchOptions,
    encoder: Encoder | None,
    finish: Callable[[StatementResult], None],
) -> None:
    worker = _Worker(options, encoder or get_encoder(options.model, threads=options.threads_per_worker()))
    for job in jobs:
        finish(worker.process(job, outdir))


def _run_in_pool(
    jobs: Sequence[StatementJob], outdir: Path, options: BatchOptions, finish: Callable[[StatementResult], None]
) -> None:
    """One process per worker, each loading the model once (spawned: no locks or threads inherited)."""
    get_encoder(options.model)  # an unknown model name fails here, before any process starts
    pool = ProcessPoolExecutor(
        max_workers=min(options.workers, len(jobs)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(options, logging.getLogger("aligner").getEffectiveLevel()),
    )
    futures: dict[Future[StatementResult], StatementJob] = {
        pool.submit(_process_in_worker, job, outdir): job for job in jobs
    }
    try:
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool as error:
                result = StatementResult(futures[future].name, futures[future].source, "failed",
                                         error=f"worker process died ({error or 'killed'})")
            finish(result)
    except BaseException:
        # Interrupted or a batch-wide error: running statements finish (and are kept), the rest are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


# A pool worker's state: set once by _init_worker, used by every statement the process handles.
_WORKER: _Worker | None = None
_WORKER_ERROR: AlignerError | None = None


def _init_worker(options: BatchOptions, log_level: int) -> None:
    global _WORKER, _WORKER_ERROR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it lets us finish
    logging.getLogger("aligner").setLevel(log_level)
    try:
        _WORKER = _Worker(options, get_encoder(options.model, threads=options.threads_per_worker()))
    except AlignerError as error:
        _WORKER_ERROR = error


def _process_in_worker(job: StatementJob, outdir: Path) -> StatementResult:
    if _WORKER is None:
        raise _WORKER_ERROR or RuntimeError("batch worker was not initialised")
    return _WORKER.process(job, outdir)


class _Worker:
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
        folder = outdir / "statements" / job.name
        (folder / MARKER).unlink(missing_ok=True)  # outdated settings: the folder is incomplete from now on
        start = time.perf_counter()
        inputs = _input_digest(job)  # before reading: a file edited while we align is aligned again next time
        with captured_warnings() as warnings:
            try:
                documents, missing = self._documents(job)
                multi = align_documents(documents, self.cache, self.options.align)
                outputs, units = self._write(job, folder, documents, multi)
            except Exception as error:  # noqa: BLE001 - one bad statement must not stop a batch of thousands
                _remove_outputs(folder)
                log.debug("%s failed", job.name, exc_info=True)
                message = str(error) if isinstance(error, AlignerError) else first_line(error)
                return StatementResult(job.name, job.source, "failed", warnings=tuple(warnings),
                                       error=message, elapsed=round(time.perf_counter() - start, 3))
        result = _ok_result(job, multi, units, missing, (*missing.values(), *warnings), outputs,
                            time.perf_counter() - start)
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
        chosen = [found[lang] for lang in self.options.langs if lang in found] if self.options.langs else list(found.values())
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


def _finished(outdir: Path, job: StatementJob, settings: dict[str, Any]) -> StatementResult | None:
    """The earlier result of a statement finished from the same inputs with the same settings, as "skipped"."""
    folder = outdir / "statements" / job.name
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
        result = StatementResult.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.get("settings") != settings or result.source != job.source or result.status != "ok":
        return None
    if data.get("inputs") is None or data["inputs"] != _input_digest(job):
        return None
    if not all((folder / name).is_file() for name in result.outputs):
        return None
    return replace(result, status="skipped")


def _remove_outputs(folder: Path) -> None:
    """A failed statement leaves no files: earlier runs' outputs would no longer match its marker."""
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def _remove_partial_files(outdir: Path) -> None:
    """Temporary files of a run that was killed before ``atomic_writer`` could clean up (we hold the lock)."""
    remove_dead_partials([*outdir.glob(PARTIAL_GLOB), *outdir.glob(f"statements/*/{PARTIAL_GLOB}"),
                          *outdir.glob(f"statements/*/{DOCUMENTS_DIR}/{PARTIAL_GLOB}")])


# --- after the run -------------------------------------------------------------------------------


def _conclude(results: tuple[StatementResult, ...], outdir: Path) -> BatchResult:
    finished = [outdir / "statements" / r.name / TMX_NAME for r in results if r.status in ("ok", "skipped")]
    combined = outdir / "combined.tmx"
    if finished:
        merge = merge_tmx(finished, combined, dedupe=True)
    else:  # no statement finished: an empty memory is no result, and an earlier one is out of date
        combined.unlink(missing_ok=True)
        merge = MergeSummary(read=0, written=0, duplicates=0, below_min_score=0)
    frame = summary_frame(results)
    csv_path, parquet_path = outdir / "summary.csv", outdir / "summary.parquet"
    with atomic_write_path(csv_path) as tmp:
        frame.write_csv(tmp)
    with atomic_write_path(parquet_path) as tmp:
        frame.write_parquet(tmp)
    return BatchResult(results, combined if finished else None, merge, frame, (csv_path, parquet_path))


def summary_frame(results: Sequence[StatementResult]) -> pl.DataFrame:
    """One row per statement, flat columns only (so CSV and Parquet hold the same): ``sentences_LL`` per language."""
    found = dict.fromkeys(lang for r in results for lang, _ in r.sentences)
    langs = [lang for lang in dict.fromkeys([*CORE_LANGUAGES, *found]) if lang in found]
    rows = []
    for r in results:
        counts = dict(r.sentences)
        rows.append({
            "name": r.name,
            "source": r.source,
            "status": r.status,
            "languages": ",".join(r.languages),
            "missing": ",".join(r.missing),
            **{f"sentences_{lang}": counts.get(lang) for lang in langs},
            "units": r.units,
            "bead_types": " ".join(f"{kind}:{n}" for kind, n in r.bead_types),
            "mean_score": r.mean_score,
            "min_score": r.min_score,
            "warnings": " | ".join(r.warnings),
            "error": r.error,
            "elapsed_s": r.elapsed,
        })
    schema = {
        "name": pl.String, "source": pl.String, "status": pl.String, "languages": pl.String, "missing": pl.String,
        **{f"sentences_{lang}": pl.Int64 for lang in langs},
        "units": pl.Int64, "bead_types": pl.String, "mean_score": pl.Float64, "min_score": pl.Float64,
        "warnings": pl.String, "error": pl.String, "elapsed_s": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
