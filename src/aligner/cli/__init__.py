"""Command-line interface: ``aligner COMMAND --help`` documents each command.

Each command lives in its own module and registers itself on the shared ``app``.
"""

from __future__ import annotations

from . import _align, _batch, _fetch, _run, _segment, _tmx  # noqa: F401  (they register commands)
from ._app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
