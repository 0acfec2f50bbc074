"""One batch per output folder: ``aligner batch`` holds an exclusive lock on ``OUTDIR/.aligner.lock``.

The lock is ``fcntl.flock`` on an open file, so the kernel releases it when the process ends, however it
ends: a killed run never leaves a stale lock behind. The file itself stays; it only names the holder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

LOCK_NAME = ".aligner.lock"


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock for the block, or fail at once with one line naming the process that has it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115 - closed below, which unlocks
    except OSError as error:
        raise OutputError(f"{folder}: cannot write ({error.strerror or error})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputError(
                f"{folder}: another aligner batch is writing here ({holder}); wait for it, or use another -o folder"
            ) from None
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        yield
