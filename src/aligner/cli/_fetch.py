"""``aligner fetch``: download a statement's language versions and save raw pages and documents."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from .._io import atomic_writer
from .._urls import redact
from ..fetch import FetchedStatement, FetchOptions, fetch_statement
from ..languages import CORE_LANGUAGES, parse_lang_list
from ..sources import document_to_json
from ._app import Quiet, Verbose, command, configure_logging, console


NoCache = Annotated[bool, typer.Option("--no-cache", help="Download again even if a page is cached.")]
RespectRobots = Annotated[
    bool, typer.Option("--respect-robots/--ignore-robots", help="Obey the site's robots.txt.")
]
Timeout = Annotated[
    float | None,
    typer.Option("--timeout", min=0.1, help="Seconds one request may take in all (default 60); a statement's "
                 "requests and retries share twice that."),
]
AllowHost = Annotated[
    list[str] | None,
    typer.Option("--allow-host", help="Also follow links to this host and its subdomains (repeatable); by "
                 "default only the start URL's site is followed.", show_default=False),
]
Delay = Annotated[
    float | None, typer.Option("--delay", min=0.0, help="Seconds between two requests to one host (default 1).")
]
Retries = Annotated[
    int | None, typer.Option("--retries", min=0, help="Extra attempts after a network error, 429 or 5xx (default 3).")
]


def fetch_options_from_flags(
    no_cache: bool,
    cache_dir: Path | None,
    respect_robots: bool,
    timeout: float | None,
    delay: float | None,
    retries: int | None,
    allow_hosts: list[str] | None = None,
) -> FetchOptions:
    """The one place where command-line flags become ``FetchOptions``."""
    options = FetchOptions(use_cache=not no_cache, respect_robots=respect_robots, allow_hosts=tuple(allow_hosts or ()))
    if cache_dir is not None:
        options = replace(options, cache_dir=cache_dir)
    if timeout is not None:
        options = replace(options, timeout=timeout, connect_timeout=min(options.connect_timeout, timeout))
    if delay is not None:
        options = replace(options, delay=delay)
    if retries is not None:
        options = replace(options, retries=retries)
    return options


def _save(result: FetchedStatement, out: Path) -> dict[str, dict[str, Any]]:
    """Write raw pages and documents; return what was written per language (for the summary)."""
    for lang, body in result.raw_pages.items():
        with atomic_writer(out / "raw" / f"{lang}.html", "wb") as handle:
            handle.write(body)
    found = {}
    for lang, doc in result.documents.items():
        path = out / f"{lang}.json"
        with atomic_writer(path) as handle:
            json.dump(document_to_json(doc), handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        found[lang] = {"url": doc.source, "title": doc.title, "date": doc.date, "doc_id": doc.doc_id,
                       "paragraphs": len(doc.paragraphs), "json": str(path), "raw": str(out / "raw" / f"{lang}.html")}
    return found


@command("fetch")
def fetch_command(
    url: Annotated[str, typer.Argument(help="Address of the statement in any of its languages.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for raw/LL.html and LL.json files.")],
    langs: Annotated[str, typer.Option("--langs", "-l", help="Languages to fetch, comma-separated.")] = ",".join(
        CORE_LANGUAGES
    ),
    no_cache: NoCache = False,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="HTTP cache folder (default ~/.cache/aligner/http).")
    ] = None,
    respect_robots: RespectRobots = True,
    timeout: Timeout = None,
    delay: Delay = None,
    retries: Retries = None,
    allow_host: AllowHost = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Download the language versions of a statement and extract their text.

    Example: aligner fetch https://mid.ru/en/foreign_policy/news/1987654/ --langs de,en,ru -o statement/
    """
    configure_logging(quiet, verbose)
    options = fetch_options_from_flags(no_cache, cache_dir, respect_robots, timeout, delay, retries, allow_host)
    result = fetch_statement(url, parse_lang_list(langs), options=options)
    found = _save(result, out)
    if as_json:
        typer.echo(json.dumps({"url": redact(url), "out": str(out), "found": found, "missing": result.missing},
                              ensure_ascii=False, indent=1))
    if quiet:
        return
    for lang, info in found.items():
        console.print(f"found   {lang}: {info['paragraphs']} paragraphs from {info['url']}", markup=False,
                      soft_wrap=True)
    for lang, reason in result.missing.items():
        console.print(f"missing {lang}: {reason}", markup=False, soft_wrap=True)
    console.print(f"saved {len(found)} languages to {out}", markup=False, soft_wrap=True)
