"""``aligner run``: from files or a URL to a multilingual translation memory in one command."""

from __future__ import annotations

import json
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import InputError, LanguageError
from ..fetch import FetchOptions, fetch_statement
from ..languages import CORE_LANGUAGES, normalize_lang, parse_lang_list
from ..pipeline import OutputOptions, align_documents, all_pairs, check_pairs, write_alignment
from ..sources import load_statement
from ..types import Document, MultiAlignment
from ._align import DEFAULT_MAX_TOTAL, CacheDir, MaxTotal, Model, load_encoder, options_from_flags
from ._app import DEFAULT_MAX_CHARS, MaxChars, Quiet, Verbose, command, configure_logging, console
from ._fetch import Delay, NoCache, RespectRobots, Retries, Timeout, fetch_options_from_flags


Langs = Annotated[
    str | None, typer.Option("--langs", help="Languages to use, e.g. de,en,es,ru,fr (default: all found).")
]
Pivot = Annotated[
    str | None, typer.Option("--pivot", help="Language every other is aligned to (default: en if present).")
]


class Format(str, Enum):
    tmx = "tmx"
    tsv = "tsv"
    parquet = "parquet"


def output_options_from_flags(
    format: Format | None,
    output: Path,
    bitext: bool,
    pairs: str | None,
    langs: list[str],
    min_score: float | None,
    drop_unpaired: bool,
    locales: list[str],
) -> OutputOptions:
    """The one place where output flags become ``OutputOptions``."""
    chosen = format.value if format else {".tsv": "tsv", ".parquet": "parquet"}.get(output.suffix.lower(), "tmx")
    selected: tuple[tuple[str, str], ...] = ()
    if pairs:
        selected = tuple(lang_pair(p, "--pairs wants pairs") for p in pairs.split(",") if p.strip())
        check_pairs(selected, langs)
    elif bitext:
        selected = all_pairs(langs)
    return OutputOptions(
        format=chosen,  # type: ignore[arg-type]
        pairs=selected,
        min_score=min_score,
        keep_unpaired=not drop_unpaired,
        locales=dict(_locale(item) for item in locales),
    )


def lang_pair(text: str, wants: str) -> tuple[str, str]:
    """``"en-ru"`` -> ``("en", "ru")``; ``wants`` opens the error, e.g. ``"--pairs wants pairs"``."""
    src, sep, tgt = text.strip().partition("-")
    if not sep:
        raise LanguageError(f"{wants} like en-ru, got {text.strip()!r}")
    return normalize_lang(src), normalize_lang(tgt)


def _locale(text: str) -> tuple[str, str]:
    lang, sep, locale = text.partition("=")
    if not sep or not locale.strip():
        raise LanguageError(f"--locale wants LL=LOCALE like en=en-US, got {text!r}")
    return normalize_lang(lang), locale.strip()


def _explicit_urls(items: list[str]) -> dict[str, str]:
    urls = {}
    for item in items:
        lang, sep, url = item.partition("=")
        if not sep or not url.strip():
            raise InputError(f"--url wants LL=URL like en=https://example.org/en/1, got {item!r}")
        urls[normalize_lang(lang)] = url.strip()
    return urls


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def gather_documents(
    sources: list[str],
    urls: list[str],
    langs: tuple[str, ...] | None,
    fetch_options: FetchOptions,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> tuple[list[Document], dict[str, str]]:
    """Documents of the statement and, for web input, the languages missing with their reasons."""
    web = [s for s in sources if _is_url(s)]
    if urls or web:
        if len(web) > 1 or (web and len(sources) > 1):
            raise InputError("give one URL (its language versions are found from it) or --url LL=URL options")
        explicit = _explicit_urls(urls) or None
        start = web[0] if web else next(iter(explicit.values()))  # type: ignore[union-attr]
        fetched = fetch_statement(start, langs or CORE_LANGUAGES, options=fetch_options, explicit=explicit)
        return list(fetched.documents.values()), dict(fetched.missing)
    return load_statement(sources, langs, max_chars=max_chars), {}


@command("run")
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
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Leave out units scored below this.", show_default=False)
    ] = None,
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
    no_cache: NoCache = False,
    http_cache_dir: Annotated[
        Path | None, typer.Option("--http-cache-dir", help="Web input: HTTP cache folder.", show_default=False)
    ] = None,
    respect_robots: RespectRobots = True,
    timeout: Timeout = None,
    delay: Delay = None,
    retries: Retries = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on standard output.")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Align all language versions of a statement and write a translation memory.

    Example: aligner run samples -o samples.tmx
    Example: aligner run https://mid.ru/en/foreign_policy/news/1234567/ -o statement.tmx
    """
    configure_logging(quiet, verbose)
    chosen_langs = parse_lang_list(langs) if langs else None
    fetch_options = fetch_options_from_flags(no_cache, http_cache_dir, respect_robots, timeout, delay, retries)
    documents, missing = gather_documents(sources or [], url or [], chosen_langs, fetch_options, max_chars)
    for lang, reason in missing.items():
        console.print(f"[yellow]warning:[/] {lang} missing: {reason}", soft_wrap=True)
    out_options = output_options_from_flags(
        format, output, bitext, pairs, [d.lang for d in documents], min_score, drop_unpaired, locale or []
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
            options_from_flags(max_total),
            pivot=normalize_lang(pivot) if pivot else None,
            on_pair=lambda a, b: progress.update(task, advance=1, description=f"aligned {a}-{b}"),
        )
    written = write_alignment(multi, output, out_options, encoder)
    summary = _summary(multi, written, missing)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    elif not quiet:
        kinds = ", ".join(f"{k} {v}" for k, v in summary["bead_types"].items())
        console.print(
            f"{len(multi.units)} units in {', '.join(multi.langs)} ({kinds}); "
            f"mean score {summary['mean_score']:.3f} -> {', '.join(map(str, written))}",
            soft_wrap=True,
        )


def _summary(multi: MultiAlignment, written: list[Path], missing: dict[str, str]) -> dict:
    linked = [u.score for u in multi.units if sum(1 for _, ix in u.members if ix) > 1]
    return {
        "languages": list(multi.langs),
        "missing": missing,
        "sentences": {d.lang: len(d.sentences) for d in multi.docs},
        "units": len(multi.units),
        "bead_types": dict(Counter(u.kind for u in multi.units).most_common()),
        "mean_score": round(sum(linked) / len(linked), 4) if linked else 0.0,
        "model": multi.model,
        "outputs": [str(p) for p in written],
    }
