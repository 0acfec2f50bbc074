"""The journal: every edit appended to a file beside the output the moment it is made.

A review killed at any point (server, browser, machine) loses nothing: started again on the same
input, it replays the journal. The first line names the alignment the edits belong to, so that a
journal is never replayed onto another one; a last line cut short by a crash is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from ..errors import InputError, OutputError
from ._model import Edit, Review

_FORMAT = "aligner-review-journal/1"


def journal_path(output: Path) -> Path:
    """``out.tmx`` -> ``out.tmx.journal``."""
    return output.with_name(output.name + ".journal")


def fingerprint(review: Review) -> str:
    """A hash of the languages, sentences and units as loaded: what the journal's edits apply to."""
    digest = hashlib.blake2b(digest_size=16)
    for lang in review.langs:
        digest.update(json.dumps([lang, review.sentences[lang]], ensure_ascii=False).encode())
    digest.update(json.dumps([unit.counts for unit in review.units]).encode())
    return digest.hexdigest()


class Journal:
    """An append-only file of edits for one alignment; ``edits()`` reads back what is there."""

    def __init__(self, path: Path, review: Review) -> None:
        self.path = path
        self._fingerprint = fingerprint(review)

    def edits(self) -> list[Edit]:
        """The edits journaled so far (none when there is no journal yet)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise InputError(f"{self.path}: cannot read the journal ({error.strerror or error})") from None
        if not lines:
            return []
        header = _parse(lines[0]) or {}
        if header.get("format") != _FORMAT or header.get("alignment") != self._fingerprint:
            raise InputError(
                f"{self.path}: this journal holds edits of another alignment; move it away or choose another -o"
            )
        records = [_parse(line) for line in lines[1:]]
        if records and records[-1] is None:
            records.pop()  # written while the process was killed
        try:
            return [Edit(**record) for record in records]  # type: ignore[arg-type]
        except TypeError:  # a None record, or keys that are no Edit's
            raise InputError(f"{self.path}: the journal is damaged") from None

    def append(self, edit: Edit) -> None:
        """Write one edit and force it to disk before the page hears that it was made."""
        line = json.dumps(asdict(edit), ensure_ascii=False) + "\n"
        try:
            new = not self.path.exists() or self.path.stat().st_size == 0
            with self.path.open("a", encoding="utf-8") as handle:
                if new:
                    handle.write(json.dumps({"format": _FORMAT, "alignment": self._fingerprint}) + "\n")
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise OutputError(f"{self.path}: cannot write the journal ({error.strerror or error})") from None


def _parse(line: str) -> dict[str, object] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
