"""``aligner discover``: list a site's statements, from listing pages or sitemaps, as input for ``aligner batch``."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ..discover import DiscoverOptions, discover, state_path_for, write_url_list
from ._app import command, configure_logging, console
from ._options import (
    AllowHost,
    AsJson,
    Delay,
    HttpCache,
    NoHttpCache,
    Quiet,
    RespectRobots,
    Retries,
    Timeout,
    Verbose,
    fetch_options_from_flags,
)


@command("discover")
def discover_command(
    urls: Annotated[
        list[str],
        typer.Argument(
            help="Listing pages (their pagination is followed), sitemap.xml files or sitemap indexes.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The URL list to write (input for aligner batch).", show_default=False),
    ],
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            show_default=False,
            help="Only statements dated on or after this day (YYYY-MM-DD).",
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d"],
            show_default=False,
            help="Only statements dated on or before this day (YYYY-MM-DD).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--max", min=1, show_default=False, help="Stop after this many statements.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            show_default=False,
            help="List each statement's version in this language (default: as "
            "found); statements without one are left out.",
        ),
    ] = None,
    max_pages: Annotated[
        int, typer.Option("--max-pages", min=1, help="Read at most this many listing pages.")
    ] = DiscoverOptions.max_pages,
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
    """List the statements of a site section, one URL each, for aligner batch. Exits 1 if a page failed.

    Interrupted, or with pages that failed, the walk keeps its state beside OUTPUT;
    the same command again resumes it (and retries those pages).

    Example: aligner discover https://mid.ru/en/foreign_policy/news/ --since 2024-01-01 -o urls.txt
    """
    configure_logging(quiet, verbose)
    options = DiscoverOptions(
        since=since.date() if since else None,
        until=until.date() if until else None,
        lang=lang,
        limit=limit,
        max_pages=max_pages,
        fetch=fetch_options_from_flags(
            no_http_cache=no_http_cache,
            http_cache=http_cache,
            respect_robots=respect_robots,
            timeout=timeout,
            delay=delay,
            retries=retries,
            allow_hosts=allow_host,
        ),
    )
    with console.status("reading listings") if not (quiet or as_json) else contextlib.nullcontext() as status:

        def progress(url: str, found: int) -> None:
            if status is not None:
                status.update(f"{found} statements found; read {url}")

        found = discover(urls, options, state=state_path_for(output), on_page=progress)
    write_url_list(found, output)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "output": str(output),
                    "statements": len(found.statements),
                    "pages_read": found.pages_read,
                    "complete": found.complete,
                    "failed_pages": dict(found.failed_pages),
                    "problems": list(found.problems),
                },
                ensure_ascii=False,
            )
        )
    elif not quiet:
        for url, reason in found.failed_pages:
            console.print(f"failed: {url}: {reason}", markup=False, soft_wrap=True)
        for problem in found.problems:
            console.print(f"left out: {problem}", markup=False, soft_wrap=True)
        resume = "" if found.complete else f"; run again to {'retry' if found.failed_pages else 'continue'}"
        console.print(
            f"{output}: {len(found.statements)} statements from {found.pages_read} pages{resume}",
            markup=False,
            soft_wrap=True,
        )
    if found.failed_pages:
        raise typer.Exit(code=1)
