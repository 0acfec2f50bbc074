"""Errors raised by aligner; each carries a one-line message meant for the user.

    AlignerError
    ├── InputError            unreadable, empty, binary or oversized input
    ├── LanguageError         unknown or mismatched language code
    ├── UnknownModelError     --model names no known encoder
    ├── ModelError            an encoder failed to load or run
    ├── FetchError            a URL could not be downloaded
    ├── ExtractionError       a page holds no usable text
    ├── AlignmentError        nothing to align (e.g. fewer than two languages)
    ├── TMXError              a TMX file cannot be read
    └── OutputError           a result cannot be written

``aligner.cli`` catches ``AlignerError`` once, prints the message and exits with ``exit_code``.
"""

from __future__ import annotations


def first_line(error: BaseException) -> str:
    """A foreign exception as one line for the user: its type and the first line of its message."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


class AlignerError(Exception):
    """Base class; ``str(error)`` is a complete one-line message."""

    exit_code = 1


class InputError(AlignerError):
    """Input is missing, unreadable, empty, not text, or too large."""

    exit_code = 2


class LanguageError(AlignerError):
    """A language code is unknown, or a text is not in the language it was said to be."""

    exit_code = 2


class UnknownModelError(AlignerError):
    """``--model`` names no known encoder; the message lists the choices."""

    exit_code = 2


class ModelError(AlignerError):
    """An encoder could not be loaded or failed while encoding."""

    exit_code = 3


class FetchError(AlignerError):
    """A page could not be downloaded (network, HTTP status, size cap, robots.txt)."""

    exit_code = 4


class ExtractionError(AlignerError):
    """A downloaded page holds no usable statement text."""

    exit_code = 4


class AlignmentError(AlignerError):
    """There is nothing that can be aligned (for example, fewer than two languages)."""

    exit_code = 5


class TMXError(AlignerError):
    """A TMX file is not well-formed, not TMX, or too large."""

    exit_code = 2


class OutputError(AlignerError):
    """A result could not be written."""

    exit_code = 6
