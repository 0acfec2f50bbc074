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

This module runs a batch (here, in a local pool, or on an ``Engine`` such as Ray) and concludes it;
``aligner._jobs`` reads the input and holds the records, ``aligner._statement`` aligns one statement.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ._io import PARTIAL_GLOB, atomic_write_path, remove_dead_partials
from ._jobs import BatchOptions, StatementJob, StatementResult, Status, read_batch_input
from ._lock import folder_lock
from ._statement import DOCUMENTS_DIR, TMX_NAME, StatementWorker, finished_result, statement_folder
from .embed import Encoder, get_encoder
from .errors import AlignerError, InputError
from .languages import CORE_LANGUAGES
from .tmx import MergeSummary, merge_tmx

__all__ = ["BatchOptions", "BatchResult", "StatementJob", "StatementResult", "read_batch_input", "run_batch"]


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
        done = None if force else finished_result(outdir, job, settings)
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
    worker = StatementWorker(options, encoder or get_encoder(options.model, threads=options.threads_per_worker()))
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
                result = StatementResult(
                    futures[future].name,
                    futures[future].source,
                    "failed",
                    error=f"worker process died ({error or 'killed'})",
                )
            finish(result)
    except BaseException:
        # Interrupted or a batch-wide error: running statements finish (and are kept), the rest are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


# A pool worker's state: set once by _init_worker, used by every statement the process handles.
_WORKER: StatementWorker | None = None
_WORKER_ERROR: AlignerError | None = None


def _init_worker(options: BatchOptions, log_level: int) -> None:
    global _WORKER, _WORKER_ERROR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it lets us finish
    logging.getLogger("aligner").setLevel(log_level)
    try:
        _WORKER = StatementWorker(options, get_encoder(options.model, threads=options.threads_per_worker()))
    except AlignerError as error:
        _WORKER_ERROR = error


def _process_in_worker(job: StatementJob, outdir: Path) -> StatementResult:
    if _WORKER is None:
        raise _WORKER_ERROR or RuntimeError("batch worker was not initialised")
    return _WORKER.process(job, outdir)


def _remove_partial_files(outdir: Path) -> None:
    """Temporary files of a run that was killed before ``atomic_writer`` could clean up (we hold the lock)."""
    remove_dead_partials(
        [
            *outdir.glob(PARTIAL_GLOB),
            *outdir.glob(f"statements/*/{PARTIAL_GLOB}"),
            *outdir.glob(f"statements/*/{DOCUMENTS_DIR}/{PARTIAL_GLOB}"),
        ]
    )


# --- after the run -------------------------------------------------------------------------------


def _conclude(results: tuple[StatementResult, ...], outdir: Path) -> BatchResult:
    finished = [statement_folder(outdir, r.name) / TMX_NAME for r in results if r.status in ("ok", "skipped")]
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
        rows.append(
            {
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
            }
        )
    schema = {
        "name": pl.String,
        "source": pl.String,
        "status": pl.String,
        "languages": pl.String,
        "missing": pl.String,
        **{f"sentences_{lang}": pl.Int64 for lang in langs},
        "units": pl.Int64,
        "bead_types": pl.String,
        "mean_score": pl.Float64,
        "min_score": pl.Float64,
        "warnings": pl.String,
        "error": pl.String,
        "elapsed_s": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
