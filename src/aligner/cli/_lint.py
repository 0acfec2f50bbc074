"""``aligner lint``: what CAT tools choke on in a TMX file, one line per problem, and a repaired copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..lint import fix_tmx, lint_tmx
from ._app import command, console
from ._options import Quiet, output_format


@command("lint")
def lint(
    tmx: Annotated[Path, typer.Argument(help="TMX file to check.", show_default=False)],
    fix: Annotated[
        bool, typer.Option("--fix", help="Write a repaired copy to -o (the input is left as it is).")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Repaired TMX to write, with --fix.", show_default=False)
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Report what OmegaT, Trados, memoQ and Phrase choke on in a TMX file; exit 1 if there are errors.

    Errors make a tool refuse the file or misread units; warnings leave it loadable. With --fix, the
    exit status is that of the repaired copy.

    Example: aligner lint memory.tmx --fix -o memory.fixed.tmx
    """
    if fix != (output is not None):
        raise typer.BadParameter("--fix and -o go together: aligner lint IN.tmx --fix -o FIXED.tmx", param_hint="--fix")
    if output is not None:
        output_format(output, {".tmx": "tmx"})
    report = lint_tmx(tmx)
    for problem in report.problems:
        typer.echo(problem.describe(tmx))
    if not quiet:
        console.print(
            f"{tmx}: {_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')} "
            f"in {_count(report.units, 'unit')}",
            soft_wrap=True,
        )
    if output is None:
        raise typer.Exit(1 if report.errors else 0)
    summary = fix_tmx(report, output)
    after = lint_tmx(output)
    for problem in after.problems:
        typer.echo(problem.describe(output))
    if not quiet:
        fixed = ", ".join(f"{code} {n}" for code, n in summary.fixed.items()) or "nothing to fix"
        dropped = f", {_count(summary.dropped_units, 'unit')} left with fewer than two languages dropped"
        console.print(
            f"{output}: {_count(summary.written, 'unit')} written (fixed: {fixed}"
            f"{dropped if summary.dropped_units else ''}); {_count(len(after.errors), 'error')} left",
            soft_wrap=True,
        )
    raise typer.Exit(1 if after.errors else 0)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
