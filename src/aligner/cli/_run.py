"""``aligner run``: from files or a URL to a multilingual translation memory in one command."""

from __future__ import annotations

import json
from collections.abc import Sequence
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
)

from ..confidence import unit_confidence
from ..errors import LanguageError
from ..languages import normalize_lang, parse_lang_list
from ..pipeline import (
    OutputOptions,
    Written,
    align_documents,
    all_pairs,
    check_pairs,
    gather_documents,
    load_encoder,
    write_alignment,
)
from ..types import MultiAlignment
from ._app import command, configure_logging, console
from ._options import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_TOTAL,
    RENAMED_HTTP_CACHE,
    AllowHost,
    AsJson,
    CacheDir,
    Delay,
    HttpCache,
    Langs,
    MaxChars,
    MaxTotal,
    MinConfidence,
    MinScore,
    Model,
    NoHttpCache,
    Pivot,
    Quiet,
    RespectRobots,
    Retries,
    Timeout,
    Verbose,
    align_options_from_flags,
    fetch_options_from_flags,
    lang_pair,
    output_format,
)


class Format(str, Enum):
    tmx = "tmx"
    tsv = "tsv"
    parquet = "parquet"


#: Confidence from which a unit counts as sure in the summary (``confident``).
CONFIDENT = 0.9

#: What each output suffix is written as, unless --format says otherwise.
SUFFIXES = {".tmx": "tmx", ".tsv": "tsv", ".parquet": "parquet"}


def output_options_from_flags(
    *,
    format: Format,
    bitext: bool,
    pairs: str | None,
    langs: list[str],
    min_score: float | None,
    drop_unpaired: bool,
    locales: list[str],
    min_confidence: float | None = None,
) -> OutputOptions:
    """The one place where output flags become ``OutputOptions`` (``format`` from ``output_format``)."""
    selected: tuple[tuple[str, str], ...] = ()
    if pairs:
        selected = tuple(lang_pair(p, "--pairs wants pairs") for p in pairs.split(",") if p.strip())
        check_pairs(selected, langs)
    elif bitext:
        selected = all_pairs(langs)
    return OutputOptions(
        format=format.value,  # type: ignore[arg-type]
        pairs=selected,
        min_score=min_score,
        min_confidence=min_confidence,
        keep_unpaired=not drop_unpaired,
        locales=dict(_locale(item) for item in locales),
    )


def _locale(text: str) -> tuple[str, str]:
    lang, sep, locale = text.partition("=")
    if not sep or not locale.strip():
        raise LanguageError(f"--locale wants LL=LOCALE like en=en-US, got {text!r}")
    return normalize_lang(lang), locale.strip()


@command("run", renamed=RENAMED_HTTP_CACHE)
def run_command(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="A statement: a directory of per-language files (de.txt, en.html, ru.json), files as "
            "LL=PATH, or one URL whose language versions are found from its links.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file (.tmx, .tsv or .parquet).")] = Path(
        "aligned.tmx"
    ),
    url: Annotated[
        list[str] | None,
        typer.Option("--url", help="A language version given explicitly as LL=URL (repeatable).", show_default=False),
    ] = None,
    langs: Langs = None,
    model: Model = "use",
    format: Annotated[
        Format | None, typer.Option("--format", "-f", help="Output format (default: from the output suffix).")
    ] = None,
    bitext: Annotated[bool, typer.Option("--bitext", help="Write one bitext file per language pair.")] = False,
    pairs: Annotated[
        str | None, typer.Option("--pairs", help="Bitext for these pairs only, e.g. en-ru,de-fr.", show_default=False)
    ] = None,
    pivot: Pivot = None,
    min_score: MinScore = None,
    min_confidence: MinConfidence = None,
    drop_unpaired: Annotated[
        bool, typer.Option("--drop-unpaired", help="Leave out sentences that have no counterpart (1-0, 0-1).")
    ] = False,
    locale: Annotated[
        list[str] | None,
        typer.Option("--locale", help="TMX locale for a language, e.g. en=en-US (repeatable).", show_default=False),
    ] = None,
    max_total: MaxTotal = DEFAULT_MAX_TOTAL,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
    cache_dir: CacheDir = None,
    http_cache: HttpCache = None,
    no_http_cache: NoHttpCache = False,
    respect_robots: RespectRobots = True,
    timeout: Timeout = None,
    delay: Delay = None,
    retries: Retries = None,
    allow_host: AllowHost = None,
    as_json: AsJson = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Align all language versions of a statement and write a translation memory.

    Example: aligner run samples -o samples.tmx
    Example: aligner run https://mid.ru/en/foreign_policy/news/1234567/ -o statement.tmx
    """
    configure_logging(quiet, verbose)
    chosen_format = Format(output_format(output, SUFFIXES, format.value if format else None))  # before any work
    chosen_langs = parse_lang_list(langs) if langs else None
    fetch_options = fetch_options_from_flags(
        no_http_cache=no_http_cache,
        http_cache=http_cache,
        respect_robots=respect_robots,
        timeout=timeout,
        delay=delay,
        retries=retries,
        allow_hosts=allow_host,
    )
    documents, missing = gather_documents(
        sources or [], url or [], langs=chosen_langs, fetch_options=fetch_options, max_chars=max_chars
    )
    for lang, reason in missing.items():
        console.print(f"[yellow]warning:[/] {lang} missing: {reason}", soft_wrap=True)
    out_options = output_options_from_flags(
        format=chosen_format,
        bitext=bitext,
        pairs=pairs,
        langs=[d.lang for d in documents],
        min_score=min_score,
        min_confidence=min_confidence,
        drop_unpaired=drop_unpaired,
        locales=locale or [],
    )
    encoder = load_encoder(model, cache_dir)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or as_json or not console.is_terminal,
        transient=True,
    ) as progress:
        task = progress.add_task("aligning", total=len(documents) - 1)
        multi = align_documents(
            documents,
            encoder,
            align_options_from_flags(max_total),
            pivot=normalize_lang(pivot) if pivot else None,
            on_pair=lambda a, b: progress.update(task, advance=1, description=f"aligned {a}-{b}"),
        )
    confidence = unit_confidence(multi, encoder)
    written = write_alignment(multi, output, out_options, encoder, confidence)
    summary = _summary(multi, written, missing, confidence)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    elif not quiet:
        kinds = ", ".join(f"{k} {v}" for k, v in summary["bead_types"].items())
        files = ", ".join(f"{w.units} units written to {w.path}" for w in written)
        console.print(
            f"{len(multi.units)} units in {', '.join(multi.langs)} ({kinds}); "
            f"mean score {summary['mean_score']:.3f}, {summary['confident']} with confidence >= "
            f"{CONFIDENT} -> {files}",
            soft_wrap=True,
        )


def _summary(
    multi: MultiAlignment, written: list[Written], missing: dict[str, str], confidence: Sequence[float]
) -> dict[str, Any]:
    """``units`` counts what was written (all files together); ``bead_types``, ``mean_score``,
    ``mean_confidence`` and ``confident`` (units with confidence >= 0.9) describe the alignment it was
    selected from, before ``--min-score`` and ``--drop-unpaired``."""
    mean = multi.mean_score
    return {
        "languages": list(multi.langs),
        "missing": missing,
        "sentences": {d.lang: len(d.sentences) for d in multi.docs},
        "units": sum(w.units for w in written),
        "bead_types": dict(multi.bead_types),
        "mean_score": round(mean, 4) if mean is not None else 0.0,
        "mean_confidence": round(sum(confidence) / len(confidence), 4) if confidence else 0.0,
        "confident": sum(1 for c in confidence if c >= CONFIDENT),
        "model": multi.model,
        "outputs": [str(w.path) for w in written],
    }
