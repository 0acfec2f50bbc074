"""``aligner segment``: split a text file into sentences, one per line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .._io import read_text, split_paragraphs
from ..languages import normalize_lang
from ..segment import segment
from ..sources import check_language
from ..types import Document, SegmentedDocument
from ._app import command, configure_logging, emit
from ._options import DEFAULT_MAX_CHARS, MaxChars, Quiet, Verbose


@command("segment")
def segment_command(
    input: Annotated[
        Path,
        typer.Argument(
            help="UTF-8 text file with paragraphs separated by blank lines ('-' for standard input).",
            show_default=False,
        ),
    ],
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Language of the text, e.g. de, en, es, ru, fr.", show_default=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write instead of standard output.", show_default=False),
    ] = None,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Split a text into sentences: one sentence per line, a blank line between paragraphs.

    Example: aligner segment statement.txt --lang ru -o statement.sentences.txt
    """
    configure_logging(quiet, verbose)
    code = normalize_lang(lang)  # a bad code fails before a large file is read
    text = read_text(input, max_chars=max_chars)
    check_language(text, code, input)
    document = Document(lang=code, paragraphs=split_paragraphs(text), source=str(input))
    result = segment(document)
    done = f"{len(result.sentences)} sentences in {len(result.paragraphs)} paragraphs"
    emit(_sentence_lines(result), output, done, quiet)


def _sentence_lines(result: SegmentedDocument) -> str:
    """One sentence per line, paragraphs separated by a blank line, final newline."""
    return "\n\n".join("\n".join(sentences) for sentences in result.paragraphs) + "\n"
