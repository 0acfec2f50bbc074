"""What a batch is made of: its statements (read from a URL list or a folder of folders), the options
that decide their results, and one statement's result as the summary and ``result.json`` hold it.

    read_batch_input(path)   -> [StatementJob]
    input_digest(job)        -> what the statement is made from, for resuming

``aligner.batch`` re-exports the public names; this module only keeps the batch's records apart from
the code that runs them.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from ._io import MAX_INPUT_CHARS, read_text
from ._urls import redact
from .align import AlignOptions
from .embed import available_cores
from .errors import InputError
from .fetch import FetchOptions
from .sources import is_url
from .table import TableFormat

__all__ = ["BatchOptions", "StatementJob", "StatementResult", "Status", "input_digest", "read_batch_input"]

Status = Literal["ok", "failed", "skipped"]

_SLUG = re.compile(r"[^A-Za-z0-9]+")
_UNSAFE = re.compile(r"[^\w-]+")  # keeps letters and digits of every script
_MAX_NAME = 60  # characters; at most 240 bytes in UTF-8 for any script we expect


@dataclass(frozen=True)
class StatementJob:
    """One statement to align: a URL (its language versions are discovered) or a folder of per-language files."""

    name: str  # folder name under OUTDIR/statements
    source: str  # as written to results: a URL without its credentials
    url: str = field(default="", repr=False)  # the URL to fetch, credentials included: never written

    @property
    def is_url(self) -> bool:
        return is_url(self.source)


@dataclass(frozen=True)
class BatchOptions:
    """Everything that decides a batch's results; built from CLI flags in ``aligner.cli._batch``."""

    model: str = "use"
    langs: tuple[str, ...] | None = None  # None: every language found
    workers: int = 1
    table_format: TableFormat = "parquet"
    align: AlignOptions = field(default_factory=AlignOptions)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    cache_dir: Path | None = None  # on-disk embedding cache shared by all workers and runs
    threads: int | None = None  # encoder threads per worker; None: the cores divided among the workers
    max_chars: int = MAX_INPUT_CHARS  # a longer input file fails its statement

    def threads_per_worker(self) -> int:
        return self.threads or max(1, available_cores() // self.workers)

    def settings(self) -> dict[str, Any]:
        """What a finished statement must have been made with to be skipped on a later run (as JSON reads it)."""
        return json.loads(
            json.dumps(
                {
                    "model": self.model,
                    "langs": list(self.langs) if self.langs else None,
                    "table_format": self.table_format,
                    "align": asdict(self.align),
                }
            )
        )


@dataclass(frozen=True)
class StatementResult:
    """One row of the summary; ``result.json`` holds it for a finished statement."""

    name: str
    source: str
    status: Status
    languages: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    sentences: tuple[tuple[str, int], ...] = ()  # (lang, count) in language order
    bead_types: tuple[tuple[str, int], ...] = ()  # (unit kind, count), most frequent first
    units: int = 0  # in the statement's memory, as written
    mean_score: float | None = None  # over units linking two or more languages
    min_score: float | None = None
    warnings: tuple[str, ...] = ()
    error: str = ""
    elapsed: float = 0.0  # seconds this statement took when it was aligned
    outputs: tuple[str, ...] = ()  # files written, relative to the statement folder

    def to_json(self, settings: dict[str, Any], inputs: str | None) -> dict[str, Any]:
        data = asdict(self)
        data["sentences"], data["bead_types"] = dict(self.sentences), dict(self.bead_types)
        return {**data, "settings": settings, "inputs": inputs}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatementResult:
        return cls(
            name=str(data["name"]),
            source=str(data["source"]),
            status=data["status"],
            languages=tuple(data["languages"]),
            missing=tuple(data["missing"]),
            sentences=tuple((str(k), int(v)) for k, v in data["sentences"].items()),
            bead_types=tuple((str(k), int(v)) for k, v in data["bead_types"].items()),
            units=int(data["units"]),
            mean_score=data["mean_score"],
            min_score=data["min_score"],
            warnings=tuple(data["warnings"]),
            error=str(data["error"]),
            elapsed=float(data["elapsed"]),
            outputs=tuple(data["outputs"]),
        )


# --- input ---------------------------------------------------------------------------------------


def read_batch_input(path: str | Path) -> list[StatementJob]:
    """Statements named by ``path``: a text file of URLs (one a line, ``#`` comments) or a folder of folders."""
    path = Path(path)
    if path.is_dir():
        return _folder_jobs(path)
    jobs: dict[str, StatementJob] = {}
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if not is_url(url) or not urlsplit(url).hostname:
            raise InputError(f"{path}: line {number}: not an http(s) URL: {url[:80]!r}")
        job = StatementJob(_url_name(redact(url)), redact(url), url)
        jobs.setdefault(job.name, job)  # the same URL twice is one statement
    if not jobs:
        raise InputError(f"{path}: no URLs (expected one http(s) URL a line; # starts a comment)")
    return list(jobs.values())


def _folder_jobs(directory: Path) -> list[StatementJob]:
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(
            f"{directory}: no statement folders (expected one folder per statement, each holding de.txt, en.txt, ...)"
        )
    return [StatementJob(_folder_name(p.name), str(p)) for p in folders]


def _folder_name(name: str) -> str:
    """The input folder's own name when it is safe as it is (``Заявление``, ``a-full``); otherwise its
    letters and digits joined by ``-`` plus a short hash of the name, so two folders never share one."""
    safe = _UNSAFE.sub("-", unicodedata.normalize("NFC", name)).strip("-")[:_MAX_NAME].strip("-")
    return safe if safe == name else f"{safe or 'statement'}-{_short_hash(name)}"


def _url_name(url: str) -> str:
    """A readable, unique folder name: the URL's host and path as a slug, plus a short hash of the whole URL."""
    parts = urlsplit(url)
    slug = _SLUG.sub("-", f"{parts.hostname}{parts.path}-{parts.query}").strip("-")[-_MAX_NAME:].strip("-")
    return f"{slug}-{_short_hash(url)}"


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def input_digest(job: StatementJob) -> str | None:
    """What a statement is made from: its URL, or the names and bytes of its folder's files (None: unreadable)."""
    digest = hashlib.blake2b(job.source.encode(), digest_size=16)
    if job.is_url:
        return digest.hexdigest()
    try:
        for path in sorted(Path(job.source).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                with path.open("rb") as handle:
                    digest.update(f"\0{path.name}\0".encode() + hashlib.file_digest(handle, "sha256").digest())
    except OSError:
        return None
    return digest.hexdigest()
