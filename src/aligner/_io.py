"""File input and atomic output shared by every command.

Reading is strict (UTF-8 text, size-capped) so that bad input fails with one clear line instead of
producing garbage alignments; writing goes through a temporary file and a rename so that an
interrupted run never leaves a half-written result behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import AlignerError, InputError, OutputError

#: Largest input file read, in bytes (a very long book is ~10 MB).
MAX_INPUT_BYTES = 200 * 1024 * 1024

#: Most characters read from one input (``--max-chars``): about 20 MB of Latin text. Memory grows with
#: the sentences in a text, so this bounds a run's memory; raise it for longer books.
MAX_INPUT_CHARS = 20_000_000

_PART_SUFFIX = ".part"

#: Names of the temporary files of ``atomic_writer``/``atomic_write_path``: ``.NAME.PID.RANDOM.part``.
#: One is left behind only when its process is killed, so whoever owns a folder can sweep them.
PARTIAL_GLOB = f".*{_PART_SUFFIX}"
_WRITER_PID = re.compile(rf"\.(\d+)\.[a-z0-9_]+{re.escape(_PART_SUFFIX)}$")


def read_bytes(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES, kind: str = "text file") -> bytes:
    """The bytes of a file (``"-"`` for stdin), or a one-line InputError saying what is wrong with it."""
    name = _display_name(path)
    too_large = InputError(f"{name}: larger than {max_bytes // (1024 * 1024)} MB")
    with _read_errors(name, InputError):
        if str(path) == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            if file_size(path, kind=kind) > max_bytes:
                raise too_large
            data = Path(path).read_bytes()
    if len(data) > max_bytes:
        raise too_large
    return data


def file_size(path: str | Path, *, kind: str = "text file", error: type[AlignerError] = InputError) -> int:
    """The size of a file to read, checked first so that a huge input fails before it is loaded.

    A directory, a missing or unreadable file raises one line of ``error`` (``TMXError`` for TMX input).
    """
    name = str(path)
    with _read_errors(name, error):
        if Path(path).is_dir():
            raise error(f"{name}: is a directory, expected a {kind}")
        size = Path(path).stat().st_size
    return size


@contextlib.contextmanager
def _read_errors(name: str, error: type[AlignerError]) -> Iterator[None]:
    """Turn the OSError of reading ``name`` into one line for the user."""
    try:
        yield
    except FileNotFoundError:
        raise error(f"{name}: no such file") from None
    except PermissionError:
        raise error(f"{name}: permission denied") from None
    except OSError as os_error:
        raise error(f"{name}: cannot read ({os_error.strerror or os_error})") from None


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
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=_PART_SUFFIX, dir=target.parent)
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


def remove_dead_partials(paths: Iterable[Path]) -> None:
    """Remove the temporary files among ``paths`` whose writer is gone: killed before it could clean up.

    A file named after a live process is left alone: it may be that process's output in the making.
    """
    for path in paths:
        if not (path.name.startswith(".") and path.name.endswith(_PART_SUFFIX)):
            continue
        writer = _WRITER_PID.search(path.name)
        if writer is None or not _alive(int(writer.group(1))):  # no pid: an older version's file
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # it exists, and belongs to another user
        return True
    return True
