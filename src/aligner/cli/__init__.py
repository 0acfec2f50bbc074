"""Command-line interface: ``aligner COMMAND --help`` documents each command.

Each command lives in its own module and registers itself on the shared ``app``.
"""

from __future__ import annotations

# The modules register their commands on import, in the order `aligner --help` lists them.
# isort: off
from . import _align, _fetch, _discover, _run, _batch, _report, _review, _segment, _tmx, _filter, _lint  # noqa: F401

# isort: on
from ._app import app, terminate_as_interrupt


def main() -> None:
    terminate_as_interrupt()
    app()


__all__ = ["app", "main"]
