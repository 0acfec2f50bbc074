"""The typer application, its console, and the one place errors become exit codes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from .._io import atomic_writer
from ..errors import AlignerError

app = typer.Typer(
    name="aligner",
    help="Align translations sentence by sentence and write translation memories (TMX).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Messages and progress go to stderr so that stdout stays machine-readable.
console = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])


def command(name: str | None = None) -> Callable[[F], F]:
    """Register a CLI command whose AlignerErrors print as one line and exit with their code."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except AlignerError as error:
                console.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False, soft_wrap=True)
                raise typer.Exit(code=error.exit_code) from None
            except KeyboardInterrupt:
                console.print("[bold red]interrupted[/]")
                raise typer.Exit(code=130) from None

        app.command(name)(wrapper)
        return func

    return decorate


def emit(text: str, output: Path | None, done: str, quiet: bool) -> None:
    """Print ``text`` to stdout, or write it atomically to ``output`` and say ``done`` on stderr."""
    if output is None:
        typer.echo(text, nl=False)
        return
    with atomic_writer(output) as handle:
        handle.write(text)
    if not quiet:
        console.print(f"{output}: {done}", soft_wrap=True)


def configure_logging(quiet: bool = False, verbose: bool = False) -> None:
    """Route aligner's log records to stderr at the level the flags ask for."""
    level = logging.ERROR if quiet else logging.DEBUG if verbose else logging.WARNING
    logger = logging.getLogger("aligner")
    logger.handlers[:] = []
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
