"""``aligner batch``: many statements in one resumable run, with a progress bar and a summary."""

from __future__ import annotations

import json
import re
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .._ray_engine import RayEngine
from ..batch import BatchOptions, StatementResult, read_batch_input, run_batch
from ..languages import parse_lang_list
from ._app import command, configure_logging, console
from ._options import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_TOTAL,
    AllowHost,
    AsJson,
    CacheDir,
    HttpCache,
    Langs,
    MaxChars,
    MaxTotal,
    Model,
    NoHttpCache,
    Timeout,
    Verbose,
    align_options_from_flags,
    fetch_options_from_flags,
)

#: What ``--ray`` takes as a cluster's address: ``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``.
_RAY_ADDRESS = re.compile(r"auto|(?:ray://)?(?:\[[0-9A-Fa-f:.]+\]|[\w.-]+):\d{1,5}")


def _is_ray_address(arg: str) -> bool:
    """Whether ``--ray ARG`` names a cluster; an existing file or folder is INPUT, whatever its name."""
    return _RAY_ADDRESS.fullmatch(arg) is not None and not Path(arg).exists()


class TableFormat(str, Enum):
    parquet = "parquet"
    tsv = "tsv"


def batch_options_from_flags(
    *,
    model: str,
    langs: str | None,
    workers: int,
    threads: int | None,
    table: TableFormat,
    max_total: int,
    cache_dir: Path | None,
    http_cache: Path | None,
    no_http_cache: bool,
    timeout: float | None,
    allow_hosts: list[str] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> BatchOptions:
    """The one place where ``aligner batch`` flags become ``BatchOptions``."""
    return BatchOptions(
        model=model,
        langs=parse_lang_list(langs) if langs else None,
        workers=workers,
        threads=threads,
        table_format=table.value,  # type: ignore[arg-type]
        align=align_options_from_flags(max_total),
        fetch=fetch_options_from_flags(
            no_http_cache=no_http_cache, http_cache=http_cache, timeout=timeout, allow_hosts=allow_hosts
        ),
        cache_dir=cache_dir,
        max_chars=max_chars,
    )


@command("batch", valued={"--ray": ("--ray-address", _is_ray_address)})
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
        typer.Option(
            "--threads", min=1, help="Encoder threads per worker (default: cores / workers).", show_default=False
        ),
    ] = None,
    model: Model = "use",
    langs: Langs = None,
    table: Annotated[
        TableFormat, typer.Option("--table", help="Format of each statement's table.")
    ] = TableFormat.parquet,
    max_total: MaxTotal = DEFAULT_MAX_TOTAL,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
    cache_dir: CacheDir = None,
    http_cache: HttpCache = None,
    no_http_cache: NoHttpCache = False,
    timeout: Timeout = None,
    allow_host: AllowHost = None,
    force: Annotated[
        bool, typer.Option("--force", help="Align every statement again, even those finished with the same inputs.")
    ] = False,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray",
            help="--ray [ADDRESS]: run on a Ray cluster, a local one (or "
            "RAY_ADDRESS's), or join ADDRESS (auto, HOST:PORT, ray://HOST:PORT). "
            "OUTDIR must be shared by its nodes. Needs the ray extra.",
        ),
    ] = False,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", hidden=True, help="What --ray ADDRESS is read as.")
    ] = None,
    as_json: AsJson = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar: one log line per statement.")] = False,
    verbose: Verbose = False,
) -> None:
    """Align many statements; re-running skips those finished from the same inputs. Exits 1 if any failed.

    Writes OUTDIR/statements/NAME/aligned.tmx (+ table), OUTDIR/combined.tmx (duplicates removed) and
    OUTDIR/summary.csv + summary.parquet (one row per statement).

    Example: aligner batch urls.txt -o out --workers 2   (on a cluster: --ray HOST:6379 --workers 16)
    """
    configure_logging(quiet=False, verbose=verbose)  # --quiet means no bar, not no messages
    options = batch_options_from_flags(
        model=model,
        langs=langs,
        workers=workers,
        threads=threads,
        table=table,
        max_total=max_total,
        cache_dir=cache_dir,
        http_cache=http_cache,
        no_http_cache=no_http_cache,
        timeout=timeout,
        allow_hosts=allow_host,
        max_chars=max_chars,
    )
    engine = RayEngine(ray_address) if ray or ray_address else None
    jobs = read_batch_input(input)
    counts: Counter[str] = Counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "[green]{task.fields[ok]} ok[/] [dim]{task.fields[skipped]} skipped[/] [red]{task.fields[failed]} failed[/]"
        ),
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

        outcome = run_batch(jobs, outdir, options, on_result=report, force=force, engine=engine)
    if as_json:
        summary = {
            "statements": len(jobs),
            **{status: outcome.count(status) for status in ("ok", "skipped", "failed")},
            "combined": str(outcome.combined) if outcome.combined else None,
            "combined_units": outcome.merge.written,
            "duplicates": outcome.merge.duplicates,
            "summary": [str(p) for p in outcome.summary_files],
            "results": outcome.summary.to_dicts(),
        }
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        combined = (
            f"{outcome.combined}: {outcome.merge.written} units ({outcome.merge.duplicates} duplicates dropped)"
            if outcome.combined
            else "no combined memory"
        )
        console.print(
            f"{len(jobs)} statements: {outcome.count('ok')} aligned, {outcome.count('skipped')} already done, "
            f"{outcome.count('failed')} failed; {combined}; summary in {outcome.summary_files[0]}",
            soft_wrap=True,
        )
    if outcome.count("failed"):
        raise typer.Exit(code=1)


__all__ = ["batch_command", "batch_options_from_flags"]
