"""``aligner report``: one statement, or a TMX file, as a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..languages import normalize_lang, parse_lang_list
from ..report import ReportOptions, statement_report, write_report
from ._app import command, configure_logging, console
from ._options import (
    DEFAULT_MAX_TOTAL,
    CacheDir,
    Langs,
    MaxTotal,
    Model,
    Pivot,
    Quiet,
    Threshold,
    Verbose,
    align_options_from_flags,
    lang_pair,
    output_format,
)


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
        typer.Option(
            "--pair", help="Heatmap languages, e.g. en-ru (default: pivot and the first other).", show_default=False
        ),
    ] = None,
    threshold: Threshold = 0.5,
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
    output_format(output, {".html": "html"})  # refuse -o report.pdf before any work
    options = ReportOptions(threshold=threshold, pair=lang_pair(pair, "--pair wants two languages") if pair else None)
    page = statement_report(
        sources,
        options,
        langs=parse_lang_list(langs) if langs else None,
        pivot=normalize_lang(pivot) if pivot else None,
        model=model,
        cache_dir=cache_dir,
        align_options=align_options_from_flags(max_total),
    )
    write_report(page, output)
    if not quiet:
        console.print(f"{output}: report written", soft_wrap=True)
