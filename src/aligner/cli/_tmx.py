"""``aligner merge`` and ``aligner tmx2table``: combine translation memories, or tabulate one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..table import table_format, units_to_frame, write_table
from ..tmx import merge_tmx, read_tmx
from ._app import command, console
from ._options import MinConfidence, MinScore, Quiet, output_format


@command("merge")
def merge(
    inputs: Annotated[list[Path], typer.Argument(help="TMX files to merge, in order.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Merged TMX to write.", show_default=False)],
    min_score: MinScore = None,
    min_confidence: MinConfidence = None,
    dedupe: Annotated[
        bool, typer.Option("--dedupe/--no-dedupe", help="Keep only the first of units with identical texts.")
    ] = True,
    quiet: Quiet = False,
) -> None:
    """Merge TMX files into one, dropping duplicate units.

    Example: aligner merge 2023.tmx 2024.tmx -o all.tmx --min-score 0.5
    """
    output_format(output, {".tmx": "tmx"})  # refuse -o merged.xml before reading anything
    summary = merge_tmx(inputs, output, dedupe=dedupe, min_score=min_score, min_confidence=min_confidence)
    if not quiet:
        console.print(
            f"{output}: {summary.written} units written from {summary.read} read "
            f"({summary.duplicates} duplicates, {summary.below_min_score} below --min-score, "
            f"{summary.below_min_confidence} below --min-confidence dropped)",
            soft_wrap=True,
        )


@command("tmx2table")
def tmx2table(
    tmx: Annotated[Path, typer.Argument(help="TMX file to read.", show_default=False)],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Table to write: .tsv or .parquet.", show_default=False)
    ],
    quiet: Quiet = False,
) -> None:
    """Write a TMX as a long table: one row per unit and language.

    Example: aligner tmx2table all.tmx -o all.parquet
    """
    format = table_format(output)  # fail on a bad suffix before reading a large file
    frame = units_to_frame(read_tmx(tmx))
    write_table(frame, output, format)
    if not quiet:
        console.print(f"{output}: {frame.height} rows", soft_wrap=True)
