"""File input and atomic output shared by every command.

Reading is strict (UTF-8 text, size-capped) so that bad input fails with one clear line instead of
producing garbage alignments; writing goes through a temporary file and a rename so that an
interrupted run never leaves a half-written result behind.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import InputError, OutputError

#: Largest input file read, in bytes (a very long book is ~10 MB).
MAX_INPUT_BYTES = 200 * 1024 * 1024

#: Most characters read from one input (``--max-chars``): about 20 MB of Latin text. Memory grows with
#: the sentences in a text, so this bounds a run's memory; raise it for longer books.
MAX_INPUT_CHARS = 20_000_000

_PART_SUFFIX = ".part"

#: Names of the temporary files of ``atomic_writer``/``atomic_write_path``; one is left behind only
#: when the process is killed, so whoever owns a folder can sweep them.
PARTIAL_GLOB = f".*{_PART_SUFFIX}"


def read_bytes(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES, kind: str = "text file") -> bytes:
    """The bytes of a file (``"-"`` for stdin), or a one-line InputError saying what is wrong with it."""
    name = _display_name(path)
    too_large = InputError(f"{name}: larger than {max_bytes // (1024 * 1024)} MB")
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            p = Path(path)
            if p.is_dir():
                raise InputError(f"{name}: is a directory, expected a {kind}")
            if p.stat().st_size > max_bytes:
                raise too_large
            data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read ({error.strerror or error})") from None
    if len(data) > max_bytes:
        raise too_large
    return data


def read_text(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES, max_chars: int | None = None) -> str:
    """Read a UTF-8 text file (``"-"`` for stdin), NFC-normalised, with a one-line error on bad input."""
    name = _display_name(path)
    data = read_bytes(path, max_bytes=max_bytes)
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: binary data, expected UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text (bad byte at offset {error.start})") from None
    if not text.strip():
        raise InputError(f"{name}: empty, no text to process")
    if max_chars is not None:
        check_chars(name, len(text), max_chars)
    return unicodedata.normalize("NFC", text)


def check_chars(name: str | Path, count: int, max_chars: int) -> None:
    """Refuse an input of more than ``max_chars`` characters, naming the flag that raises the cap."""
    if count > max_chars:
        raise InputError(f"{name}: {count:,} characters, more than --max-chars {max_chars:,}")


def _display_name(path: str | Path) -> str:
    return "standard input" if str(path) == "-" else str(path)


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs are separated by blank lines; lines inside a paragraph are joined by a space."""
    paragraphs, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return tuple(paragraphs)


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if the block succeeds."""
    binary = "b" in mode
    with _atomic_path(Path(path)) as tmp:
        with open(tmp, mode, encoding=None if binary else encoding, newline=None if binary else "") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())


def atomic_write_path(path: str | Path) -> contextlib.AbstractContextManager[Path]:
    """Like ``atomic_writer`` for libraries that want a file name (polars, lxml): yields a temp path."""
    return _atomic_path(Path(path))


@contextlib.contextmanager
def _atomic_path(target: Path) -> Iterator[Path]:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_PART_SUFFIX, dir=target.parent)
        os.close(fd)
    except OSError as error:
        raise OutputError(f"{target}: cannot write ({error.strerror or error})") from None
    try:
        yield Path(tmp)
        _publish(tmp, target)
    except OSError as error:
        _remove_quietly(tmp)
        raise OutputError(f"{target}: cannot write ({error.strerror or error})") from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def _publish(tmp: str, target: Path) -> None:
    """Give the finished temporary file the permissions a new file would get, then rename it."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
