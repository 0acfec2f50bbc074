"""``aligner filter``: keep the units a translator can trust, set the others aside with their reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..filter import filter_tmx
from ..flags import FLAGS
from ._app import command, console
from ._options import MinConfidence, Quiet, output_format


def _flag_list(text: str | None) -> tuple[str, ...]:
    flags = tuple(dict.fromkeys(flag.strip() for flag in (text or "").split(",") if flag.strip()))
    unknown = [flag for flag in flags if flag not in FLAGS]
    if unknown:
        raise typer.BadParameter(
            f"unknown flag {unknown[0]!r}; the flags are {', '.join(FLAGS)}", param_hint="--drop-flags"
        )
    return flags


@command("filter")
def filter_command(
    tmx: Annotated[
        Path, typer.Argument(help="TMX file to filter: the aligner's, or another tool's.", show_default=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="TMX of the units kept.", show_default=False)],
    min_confidence: MinConfidence = None,
    drop_flags: Annotated[
        str | None,
        typer.Option(
            "--drop-flags",
            help=f"Leave out units with any of these flags, comma-separated: {', '.join(FLAGS)}.",
            show_default=False,
        ),
    ] = None,
    rejected: Annotated[
        Path | None, typer.Option("--rejected", help="Also write the units left out to this TMX.", show_default=False)
    ] = None,
    reasons: Annotated[
        Path | None,
        typer.Option("--reasons", help="Write a CSV with one row per unit left out and why.", show_default=False),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Keep the units with enough confidence and none of the flags to drop.

    A TMX from another tool has no confidence: --min-confidence cannot apply to it, and its flags are
    computed from the texts (numbers, length, language, identical, long, unpaired).

    Example: aligner filter all.tmx -o sure.tmx --min-confidence 0.9 --drop-flags numbers,language --reasons why.csv
    """
    flags = _flag_list(drop_flags)
    if min_confidence is None and not flags:
        raise typer.BadParameter("none given, so nothing to filter on", param_hint="--min-confidence / --drop-flags")
    for path in (output, rejected):  # refuse a bad suffix before reading a large file
        if path is not None:
            output_format(path, {".tmx": "tmx"})
    if reasons is not None:
        output_format(reasons, {".csv": "csv"})
    summary = filter_tmx(
        tmx, output, min_confidence=min_confidence, drop_flags=flags, rejected=rejected, reasons=reasons
    )
    if quiet:
        return
    if min_confidence is not None and summary.without_confidence:
        console.print(
            f"{tmx}: {_of(summary.without_confidence, summary.read)} no confidence (not scored by aligner): "
            "--min-confidence cannot apply to them",
            soft_wrap=True,
        )
    if flags and summary.flags_computed:
        console.print(
            f"{tmx}: {_of(summary.flags_computed, summary.read)} no x-flags: their flags were computed from the texts",
            soft_wrap=True,
        )
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.removed_by.items(), key=lambda item: -item[1]))
    console.print(
        f"{output}: {summary.kept} units written, {summary.removed} left out of {summary.read} read"
        + (f" ({why})" if why else ""),
        soft_wrap=True,
    )


def _of(count: int, total: int) -> str:
    return f"all {total} units have" if count == total else f"{count} of {total} units have"
