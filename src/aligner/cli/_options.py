"""Options shared by several commands, and the functions that turn them into the library's options.

A flag is declared once here so that its name, help and default are the same in every command.
The vocabulary: ``-o/--output`` is where a command writes, ``-l/--langs`` the languages, ``--cache-dir``
the embedding cache, ``--http-cache``/``--no-http-cache`` the web cache; a flag with the same name
means the same thing everywhere (``tests/test_cli_vocabulary.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from .._io import MAX_INPUT_CHARS
from ..align import AlignOptions
from ..errors import LanguageError, OutputError
from ..fetch import FetchOptions
from ..languages import normalize_lang

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only; no progress bars.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Print details of each step.")]
MaxChars = Annotated[
    int, typer.Option("--max-chars", min=1, help="Refuse an input file with more characters of text than this.")
]
DEFAULT_MAX_CHARS = MAX_INPUT_CHARS
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON on standard output.")]
MinScore = Annotated[
    float | None,
    typer.Option(
        "--min-score", help="Leave out units scored below this (units without a score stay).", show_default=False
    ),
]
MinConfidence = Annotated[
    float | None,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Leave out units whose confidence is below this (units without one stay).",
        show_default=False,
    ),
]
Threshold = Annotated[
    float, typer.Option("--threshold", help="Units whose confidence (or score) is below this are marked for a look.")
]

# --- languages -----------------------------------------------------------------------------------

Langs = Annotated[
    str | None,
    typer.Option(
        "--langs", "-l", help="Languages to use, e.g. de,en,es,ru,fr (default: all found).", show_default=False
    ),
]
Pivot = Annotated[
    str | None, typer.Option("--pivot", help="Language every other is aligned to (default: en if present).")
]

# --- the model and alignment ---------------------------------------------------------------------

Model = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        help="Sentence encoder: use (default, offline), e5-small, or st:NAME_OR_PATH.",
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", help="Keep sentence embeddings on disk here so that re-runs are cheap.", show_default=False
    ),
]
MaxTotal = Annotated[
    int, typer.Option("--max-total", min=2, max=8, help="Most sentences in one bead, both sides together.")
]
DEFAULT_MAX_TOTAL = AlignOptions.max_total

# --- web input -----------------------------------------------------------------------------------

HttpCache = Annotated[
    Path | None,
    typer.Option(
        "--http-cache",
        help="Web input: keep downloaded pages here (default ~/.cache/aligner/http).",
        show_default=False,
    ),
]
NoHttpCache = Annotated[bool, typer.Option("--no-http-cache", help="Web input: download again even if cached.")]
#: Old spellings of the web cache flags, accepted with a warning for one release (``command(renamed=...)``).
RENAMED_HTTP_CACHE = {"--no-cache": "--no-http-cache", "--http-cache-dir": "--http-cache"}
RespectRobots = Annotated[bool, typer.Option("--respect-robots/--ignore-robots", help="Obey the site's robots.txt.")]
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
    no_http_cache: bool = False,
    http_cache: Path | None = None,
    respect_robots: bool = True,
    timeout: float | None = None,
    delay: float | None = None,
    retries: int | None = None,
    allow_hosts: list[str] | None = None,
) -> FetchOptions:
    """The one place where command-line flags become ``FetchOptions``; unset flags keep its defaults."""
    options = FetchOptions(
        use_cache=not no_http_cache, respect_robots=respect_robots, allow_hosts=tuple(allow_hosts or ())
    )
    if http_cache is not None:
        options = replace(options, cache_dir=http_cache)
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


def output_format(path: Path, known: Mapping[str, str], chosen: str | None = None) -> str:
    """The format ``-o PATH`` is written in: ``chosen`` (``--format``), else the one its suffix names.

    An unknown suffix without ``--format``, or one that names another format, is refused before any work,
    so that ``-o out.xml`` never silently becomes something else.
    """
    suffix = path.suffix.lower()
    if chosen is None and suffix not in known:
        names = ", ".join(known)
        listed = names if len(known) < 2 else names.rpartition(", ")[0] + " or " + names.rpartition(", ")[2]
        hint = " (or give --format)" if len(set(known.values())) > 1 else ""
        raise OutputError(f"{path}: unknown output format {suffix or '(none)'!r}, expected {listed}{hint}")
    if chosen is not None and suffix in known and known[suffix] != chosen:
        raise OutputError(f"{path}: the suffix says {known[suffix]}, --format says {chosen}")
    return chosen if chosen is not None else known[suffix]
