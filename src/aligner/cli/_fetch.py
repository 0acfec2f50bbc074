"""``aligner fetch``: download a statement's language versions and save raw pages and documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from .._io import atomic_writer
from .._urls import redact
from ..errors import LanguageError
from ..fetch import FetchedStatement, fetch_statement
from ..languages import CORE_LANGUAGES, normalize_lang, parse_lang_list
from ..sources import save_document
from ._app import command, configure_logging, console
from ._options import (
    RENAMED_HTTP_CACHE,
    AllowHost,
    AsJson,
    Delay,
    HttpCache,
    Langs,
    NoHttpCache,
    Quiet,
    RespectRobots,
    Retries,
    Timeout,
    Verbose,
    fetch_options_from_flags,
)

#: Spellings before the flags of all commands were made one vocabulary; they go in the next release.
RENAMED = {**RENAMED_HTTP_CACHE, "--cache-dir": "--http-cache", "--out": "--output"}


def _save(result: FetchedStatement, out: Path) -> dict[str, dict[str, Any]]:
    """Write raw pages and documents; return what was written per language (for the summary)."""
    for lang, body in result.raw_pages.items():
        with atomic_writer(out / "raw" / f"{lang}.html", "wb") as handle:
            handle.write(body)
    found = {}
    for lang, doc in result.documents.items():
        path = out / f"{lang}.json"
        save_document(doc, path)
        found[lang] = {
            "url": doc.source,
            "title": doc.title,
            "date": doc.date,
            "doc_id": doc.doc_id,
            "paragraphs": len(doc.paragraphs),
            "json": str(path),
            "raw": str(out / "raw" / f"{lang}.html"),
        }
    return found


def _remove_stale(result: FetchedStatement, out: Path) -> list[str]:
    """Delete the ``LL.json`` and ``raw/LL.html`` an earlier fetch left in ``out`` for languages this one
    did not find, so that ``aligner run OUT`` never mixes two statements; other files are kept."""
    stale = [p for p in out.glob("*.json") if _is_lang(p.stem) and p.stem not in result.documents]
    stale += [p for p in out.glob("raw/*.html") if _is_lang(p.stem) and p.stem not in result.raw_pages]
    for path in stale:
        path.unlink(missing_ok=True)
    return sorted({path.stem for path in stale})


def _is_lang(name: str) -> bool:
    try:
        return normalize_lang(name) == name
    except LanguageError:
        return False


@command("fetch", renamed=RENAMED)
def fetch_command(
    url: Annotated[str, typer.Argument(help="Address of the statement in any of its languages.")],
    out: Annotated[Path, typer.Option("--output", "-o", help="Folder for raw/LL.html and LL.json files.")],
    langs: Langs = None,
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
    """Download the language versions of a statement and extract their text.

    OUT then holds this statement only: language files an earlier fetch left there are removed.

    Example: aligner fetch https://mid.ru/en/foreign_policy/news/1987654/ --langs de,en,ru -o statement/
    """
    configure_logging(quiet, verbose)
    options = fetch_options_from_flags(
        no_http_cache=no_http_cache,
        http_cache=http_cache,
        respect_robots=respect_robots,
        timeout=timeout,
        delay=delay,
        retries=retries,
        allow_hosts=allow_host,
    )
    result = fetch_statement(url, parse_lang_list(langs) if langs else CORE_LANGUAGES, options=options)
    found = _save(result, out)
    removed = _remove_stale(result, out)
    if as_json:
        typer.echo(
            json.dumps(
                {"url": redact(url), "out": str(out), "found": found, "missing": result.missing},
                ensure_ascii=False,
                indent=1,
            )
        )
    if quiet:
        return
    for lang, info in found.items():
        console.print(
            f"found   {lang}: {info['paragraphs']} paragraphs from {info['url']}", markup=False, soft_wrap=True
        )
    for lang, reason in result.missing.items():
        console.print(f"missing {lang}: {reason}", markup=False, soft_wrap=True)
    for lang in removed:
        console.print(f"removed {lang}: left by an earlier fetch", markup=False, soft_wrap=True)
    console.print(f"saved {len(found)} languages to {out}", markup=False, soft_wrap=True)
