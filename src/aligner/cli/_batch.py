"""``aligner batch`` (many statements, resumable) and ``aligner report`` (one statement as an HTML page)."""

from __future__ import annotations

import contextlib
import json
import signal
from collections import Counter
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..batch import BatchOptions, StatementResult, read_batch_input, run_batch
from ..fetch import FetchOptions
from ..languages import normalize_lang, parse_lang_list
from ..pipeline import align_documents
from ..report import (
    ReportOptions,
    alignment_report,
    default_pair,
    require_matplotlib,
    tmx_report,
    write_report,
)
from ..tmx import read_tmx
from ._align import DEFAULT_MAX_TOTAL, CacheDir, MaxTotal, Model, load_encoder, options_from_flags
from ._app import DEFAULT_MAX_CHARS, MaxChars, Quiet, Verbose, command, configure_logging, console
from ._fetch import Timeout, fetch_options_from_flags
from ._run import Langs, Pivot, gather_documents, lang_pair


class TableFormat(str, Enum):
    parquet = "parquet"
    tsv = "tsv"


def batch_options_from_flags(
    model: str,
    langs: str | None,
    workers: int,
    threads: int | None,
    table: TableFormat,
    max_total: int,
    cache_dir: Path | None,
    no_http_cache: bool,
    timeout: float | None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> BatchOptions:
    """The one place where ``aligner batch`` flags become ``BatchOptions``."""
    return BatchOptions(
        model=model,
        langs=parse_lang_list(langs) if langs else None,
        workers=workers,
        threads=threads,
        table_format=table.value,  # type: ignore[arg-type]
        align=options_from_flags(max_total),
        fetch=fetch_options_from_flags(no_http_cache, None, True, timeout, None, None),
        cache_dir=cache_dir,
        max_chars=max_chars,
    )


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """``kill`` (SIGTERM) stops the batch like Ctrl-C: temporary files are removed, finished work kept."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@command("batch")
def batch_command(
    input: Annotated[
        Path,
        typer.Argument(
            help="A text file of URLs (one a line, # comments) or a folder of statement folders "
            "(each holding de.txt, en.html, ru.json, ...).",
            show_default=False,
        ),
    ],
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Folder for all results.", show_default=False)],
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes aligning in parallel.")] = 1,
    threads: Annotated[
        int | None,
        typer.Option("--threads", min=1, help="Encoder threads per worker (default: cores / workers).",
                     show_default=False),
    ] = None,
    model: Model = "use",
    langs: Langs = None,
    table: Annotated[
        TableFormat, typer.Option("--table", help="Format of each statement's table.")
    ] = TableFormat.parquet,
    max_total: MaxTotal = DEFAULT_MAX_TOTAL,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
    cache_dir: CacheDir = None,
    no_http_cache: Annotated[bool, typer.Option("--no-http-cache", help="URL input: do not use the HTTP cache.")] = False,
    timeout: Timeout = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on standard output.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar: one log line per statement.")] = False,
    verbose: Verbose = False,
) -> None:
    """Align many statements; re-running skips the finished ones. Exits 1 if any statement failed.

    Writes OUTDIR/statements/NAME/aligned.tmx (+ table), OUTDIR/combined.tmx (duplicates removed) and
    OUTDIR/summary.csv + summary.parquet (one row per statement).

    Example: aligner batch urls.txt -o out --workers 2
    """
    configure_logging(False, verbose)  # --quiet means no bar, not no messages
    options = batch_options_from_flags(
        model, langs, workers, threads, table, max_total, cache_dir, no_http_cache, timeout, max_chars
    )
    jobs = read_batch_input(input)
    counts: Counter[str] = Counter()
    with _terminate_as_interrupt(), Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[green]{task.fields[ok]} ok[/] [dim]{task.fields[skipped]} skipped[/] "
                   "[red]{task.fields[failed]} failed[/]"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or as_json,
        transient=True,
    ) as progress:
        task = progress.add_task("aligning", total=len(jobs), ok=0, skipped=0, failed=0)

        def report(result: StatementResult) -> None:
            counts[result.status] += 1
            progress.update(task, advance=1, ok=counts["ok"], skipped=counts["skipped"], failed=counts["failed"])
            if result.status == "failed" and not as_json:
                progress.console.print(f"[red]failed:[/] {result.name}: {result.error}", soft_wrap=True)
            elif quiet and not as_json:
                console.print(f"{result.status}: {result.name} ({result.units} units)", soft_wrap=True)
            if verbose and not as_json:
                for warning in result.warnings:
                    progress.console.print(f"[yellow]warning:[/] {result.name}: {warning}", soft_wrap=True)

        outcome = run_batch(jobs, outdir, options, on_result=report)
    if as_json:
        summary = {
            "statements": len(jobs),
            **{status: outcome.count(status) for status in ("ok", "skipped", "failed")},
            "combined": str(outcome.combined),
            "combined_units": outcome.merge.written,
            "duplicates": outcome.merge.duplicates,
            "summary": [str(p) for p in outcome.summary_files],
            "results": outcome.summary.to_dicts(),
        }
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        console.print(
            f"{len(jobs)} statements: {outcome.count('ok')} aligned, {outcome.count('skipped')} already done, "
            f"{outcome.count('failed')} failed; {outcome.combined}: {outcome.merge.written} units "
            f"({outcome.merge.duplicates} duplicates dropped); summary in {outcome.summary_files[0]}",
            soft_wrap=True,
        )
    if outcome.count("failed"):
        raise typer.Exit(code=1)


@command("report")
def report_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="A statement as for 'aligner run' (a folder of per-language files, LL=PATH files or a URL), "
            "or a TMX file written by aligner.",
            show_default=False,
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML page to write.")] = Path("report.html"),
    pair: Annotated[
        str | None,
        typer.Option("--pair", help="Heatmap languages, e.g. en-ru (default: pivot and the first other).",
                     show_default=False),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Highlight units scored below this.")
    ] = 0.5,
    langs: Langs = None,
    pivot: Pivot = None,
    model: Model = "use",
    max_total: MaxTotal = DEFAULT_MAX_TOTAL,
    cache_dir: CacheDir = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write a self-contained HTML page showing a statement side by side in all its languages.

    Low-scoring units are highlighted, sentences without a counterpart marked, and a similarity heatmap
    with the alignment path is drawn for one language pair (not for TMX input, which has no embeddings).

    Example: aligner report samples -o samples.html --pair en-ru
    """
    configure_logging(quiet, verbose)
    chosen_pair = lang_pair(pair, "--pair wants two languages") if pair else None
    if len(sources) == 1 and sources[0].lower().endswith(".tmx") and Path(sources[0]).is_file():
        options = ReportOptions(threshold=threshold, title=Path(sources[0]).name)
        page = tmx_report(read_tmx(sources[0]), options, source=sources[0])
    else:
        require_matplotlib()  # fail before fetching and aligning
        chosen_langs = parse_lang_list(langs) if langs else None
        documents, missing = gather_documents(sources, [], chosen_langs, FetchOptions())
        encoder = load_encoder(model, cache_dir)
        pivot_lang = normalize_lang(pivot) if pivot else None
        multi = align_documents(documents, encoder, options_from_flags(max_total), pivot=pivot_lang)
        heatmap_pair = chosen_pair or default_pair(multi.langs, pivot_lang)
        title = next((d.title for d in documents if d.lang == heatmap_pair[0] and d.title), "") or sources[0]
        options = ReportOptions(threshold, heatmap_pair, title, tuple(missing.items()))
        page = alignment_report(multi, encoder, options)
    write_report(page, output)
    if not quiet:
        console.print(f"{output}: report written", soft_wrap=True)


__all__ = ["batch_command", "batch_options_from_flags", "report_command"]
