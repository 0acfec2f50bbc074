"""Warnings logged while one piece of work runs, kept for its result instead of printed.

A batch records each statement's warnings in its summary row; printing them as they come would
interleave thousands of statements' messages with the progress bar.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


class _Collector(logging.Handler):
    """Keeps warnings for the statement's summary row; passes lower levels on to the usual handlers."""

    def __init__(self, messages: list[str], passthrough: list[logging.Handler]) -> None:
        super().__init__(logging.DEBUG)
        self.messages, self.passthrough = messages, passthrough

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.messages.append(record.getMessage())
        else:
            for handler in self.passthrough:
                if record.levelno >= handler.level:
                    handler.handle(record)


@contextlib.contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Warnings aligner logs while one statement is processed (in any process), instead of printing them."""
    logger = logging.getLogger("aligner")
    saved = logger.handlers[:], logger.level, logger.propagate
    messages: list[str] = []
    logger.handlers[:] = [_Collector(messages, saved[0])]
    logger.propagate = False
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield messages
    finally:
        logger.handlers[:], logger.propagate = saved[0], saved[2]
        logger.setLevel(saved[1])
