"""``aligner review``: fix an alignment in the browser, all languages at once, and save it as TMX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AlignerError
from ..languages import normalize_lang, parse_lang_list
from ..pipeline import align_documents, gather_documents, load_encoder
from ..review import (
    Review,
    ReviewSession,
    journal_path,
    review_from_multi,
    review_from_tmx,
)
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
)


@command("review")
def review_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="A TMX file written by aligner, or a statement as for 'aligner run' (a folder of per-language "
            "files, LL=PATH files or a URL), which is aligned first.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="TMX to save to (default: INPUT.reviewed.tmx, or reviewed.tmx).", show_default=False
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the URL but do not open a browser.")] = False,
    threshold: Threshold = 0.5,
    langs: Langs = None,
    pivot: Pivot = None,
    model: Model = "use",
    max_total: MaxTotal = DEFAULT_MAX_TOTAL,
    cache_dir: CacheDir = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Review an alignment in the browser: one row per unit, one column per language; fix it and save.

    The page is served on 127.0.0.1 with a random token in its URL. Every edit is written at once
    to a journal beside the output (OUTPUT.journal), so a review stopped at any point resumes
    where it was when started again on the same input. Needs: pip install 'aligner[review]'.

    Example: aligner review statement.tmx -o statement.reviewed.tmx
    Example: aligner review samples --no-browser --port 8765
    """
    configure_logging(quiet, verbose)
    try:
        from ..review._server import create_app, new_token, serve
    except ImportError:
        raise AlignerError("aligner review needs Starlette and uvicorn: pip install 'aligner[review]'") from None
    tmx = _tmx_input(sources)
    if tmx is not None:
        review = review_from_tmx(tmx)
    else:
        documents, _ = gather_documents(sources, langs=parse_lang_list(langs) if langs else None)
        multi = align_documents(
            documents,
            load_encoder(model, cache_dir),
            align_options_from_flags(max_total),
            pivot=normalize_lang(pivot) if pivot else None,
        )
        review = review_from_multi(multi)
    output = output or (tmx.with_name(f"{tmx.stem}.reviewed.tmx") if tmx else Path("reviewed.tmx"))
    session = ReviewSession(review, output)
    token = new_token()
    serve(
        create_app(session, token, threshold=threshold),
        token,
        port=port,
        open_browser=not no_browser,
        on_ready=lambda url: _ready(url, session.review, output, quiet),
    )
    if not quiet:
        console.print(
            f"stopped; unsaved edits stay in {journal_path(output)} for the next 'aligner review'", soft_wrap=True
        )


def _tmx_input(sources: list[str]) -> Path | None:
    """The TMX file to review, when the input is one."""
    if len(sources) == 1 and sources[0].lower().endswith(".tmx"):
        return Path(sources[0])
    return None


def _ready(url: str, review: Review, output: Path, quiet: bool) -> None:
    # The URL goes to stdout even with --quiet: without it the review cannot be opened.
    typer.echo(url)
    if not quiet:
        resumed = f", {review.version} journaled edits restored" if review.version else ""
        console.print(
            f"reviewing {len(review.units)} units in {', '.join(review.langs)}{resumed}; saving to {output}. "
            "Ctrl-C stops.",
            soft_wrap=True,
        )
