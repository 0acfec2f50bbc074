"""Options shared by several commands, and the functions that turn them into the library's options.

A flag is declared once here so that its name, help and default are the same in every command.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..align import AlignOptions
from ..errors import LanguageError
from ..fetch import FetchOptions
from ..languages import normalize_lang

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only; no progress bars.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Print details of each step.")]

# --- languages -----------------------------------------------------------------------------------

Langs = Annotated[
    str | None, typer.Option("--langs", help="Languages to use, e.g. de,en,es,ru,fr (default: all found).")
]
Pivot = Annotated[
    str | None, typer.Option("--pivot", help="Language every other is aligned to (default: en if present).")
]

# --- the model and alignment ---------------------------------------------------------------------

Model = Annotated[
    str,
    typer.Option(
        "--model", "-m", help="Sentence encoder: use (default, offline), e5-small, or st:NAME_OR_PATH.",
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Keep embeddings on disk here so that re-runs are cheap.", show_default=False),
]
MaxTotal = Annotated[
    int, typer.Option("--max-total", min=2, max=8, help="Most sentences in one bead, both sides together.")
]
DEFAULT_MAX_TOTAL = AlignOptions.max_total

# --- web input -----------------------------------------------------------------------------------

NoCache = Annotated[bool, typer.Option("--no-cache", help="Download again even if a page is cached.")]
RespectRobots = Annotated[
    bool, typer.Option("--respect-robots/--ignore-robots", help="Obey the site's robots.txt.")
]
Timeout = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0.1,
        help="Seconds one request may take in all (default 60); a statement's requests and retries share twice that.",
    ),
]
AllowHost = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        help="Also follow links to this host and its subdomains (repeatable); by default only the start URL's site "
        "is followed.",
        show_default=False,
    ),
]
Delay = Annotated[
    float | None, typer.Option("--delay", min=0.0, help="Seconds between two requests to one host (default 1).")
]
Retries = Annotated[
    int | None, typer.Option("--retries", min=0, help="Extra attempts after a network error, 429 or 5xx (default 3).")
]


def align_options_from_flags(max_total: int) -> AlignOptions:
    """The one place where command-line flags become ``AlignOptions``."""
    return AlignOptions(max_total=max_total)


def fetch_options_from_flags(
    *,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    respect_robots: bool = True,
    timeout: float | None = None,
    delay: float | None = None,
    retries: int | None = None,
    allow_hosts: list[str] | None = None,
) -> FetchOptions:
    """The one place where command-line flags become ``FetchOptions``; unset flags keep its defaults."""
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


def lang_pair(text: str, wants: str) -> tuple[str, str]:
    """``"en-ru"`` -> ``("en", "ru")``; ``wants`` opens the error, e.g. ``"--pairs wants pairs"``."""
    src, sep, tgt = text.strip().partition("-")
    if not sep:
        raise LanguageError(f"{wants} like en-ru, got {text.strip()!r}")
    return normalize_lang(src), normalize_lang(tgt)
