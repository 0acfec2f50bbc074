"""The typer application, its console, and the one place errors become exit codes."""

from __future__ import annotations

import functools
import logging
import signal
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from .._io import atomic_writer
from .._version import __version__
from ..errors import AlignerError

# The parameters and contexts below are typer's own (it carries its own click, whose types are private).


def _flags_show_no_value(params: list[Any]) -> list[Any]:
    """Typer's help shows a flag as ``<bool>``, which reads as if it took one (``--bitext true``)."""
    for param in params:
        if getattr(param, "is_flag", False):
            param.metavar = ""
    return params


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_show_no_value(super().get_params(ctx))


app = typer.Typer(
    cls=_Group,
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that ``finally`` blocks and the atomic writers clean up."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


def terminate_as_interrupt() -> None:
    """Let ``kill`` stop any command the way Ctrl-C does: temporary files removed, finished work kept.

    Installed by the entry point only: a library must not take over its host's signals.
    """
    signal.signal(signal.SIGTERM, _raise_terminated)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"aligner {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Options of ``aligner`` itself, before any command."""


class _Command(TyperCommand):
    """A command whose flags show no value in its help, whose renamed flags still work with a warning,
    and whose flags may take a value (typer has no options with an optional value).

    ``renamed`` maps an old spelling to its new one; it is kept, hidden, for one release. ``valued`` maps
    a flag to the option that carries its value and a test of what looks like one: with
    ``{"--ray": ("--ray-address", is_address)}``, ``--ray HOST:PORT`` and ``--ray=HOST:PORT`` are read as
    ``--ray --ray-address HOST:PORT``, while ``--ray INPUT`` stays a flag followed by INPUT.
    """

    renamed: Mapping[str, str] = {}
    valued: Mapping[str, tuple[str, Callable[[str], bool]]] = {}

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_show_no_value(super().get_params(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        options = self._with_values([self._new_spelling(arg) for arg in args[: _end(args)]])
        return super().parse_args(ctx, [*options, *args[_end(args) :]])

    def _with_values(self, args: list[str]) -> list[str]:
        """``FLAG VALUE`` (when VALUE passes the flag's test) and ``FLAG=VALUE`` as ``FLAG OPTION VALUE``."""
        read: list[str] = []
        for arg in args:
            flag, sep, value = arg.partition("=")
            if sep and flag in self.valued:
                read += [flag, self.valued[flag][0], value]
            elif read and read[-1] in self.valued and self.valued[read[-1]][1](arg):
                read += [self.valued[read[-1]][0], arg]
            else:
                read.append(arg)
        return read

    def _new_spelling(self, arg: str) -> str:
        flag, sep, value = arg.partition("=")
        if flag not in self.renamed:
            return arg
        console.print(f"[yellow]warning:[/] {flag} is deprecated, use {self.renamed[flag]}", soft_wrap=True)
        return f"{self.renamed[flag]}{sep}{value}"


def _end(args: list[str]) -> int:
    """Where options end: at ``--``, after which every argument is taken as it is."""
    return args.index("--") if "--" in args else len(args)


def command(
    name: str | None = None,
    renamed: Mapping[str, str] | None = None,
    valued: Mapping[str, tuple[str, Callable[[str], bool]]] | None = None,
) -> Callable[[F], F]:
    """Register a CLI command whose AlignerErrors print as one line and exit with their code.

    ``renamed`` maps old flag spellings to new ones, ``valued`` flags to the option holding their value
    (see ``_Command``).
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except AlignerError as error:
                console.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False, soft_wrap=True)
                raise typer.Exit(code=error.exit_code) from None
            except KeyboardInterrupt as interruption:
                console.print("[bold red]interrupted[/]")
                raise typer.Exit(code=143 if isinstance(interruption, Terminated) else 130) from None

        cls = type("Command", (_Command,), {"renamed": dict(renamed or {}), "valued": dict(valued or {})})
        app.command(name, cls=cls)(wrapper)
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
