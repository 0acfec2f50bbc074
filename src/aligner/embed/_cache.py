"""The embedding cache: each distinct text embedded once per run, and once ever with a cache folder."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import OutputError
from ._common import Span, as_text_list, check_spans
from ._registry import Encoder, SpanEncoder, is_span_encoder

_Key = tuple[str, str]  # (cache namespace: model name, or model name + _SPANS_SUFFIX; text)
_STORE_FILE = "embeddings.sqlite3"
_SPANS_SUFFIX = "|spans"  # cache namespace of composed spans
_SQL_BATCH = 500  # keys per SELECT, under SQLite's bound-parameter limit


class EmbeddingCache:
    """An encoder that embeds every distinct text at most once per run, and once ever with ``cache_dir``.

    Aligning n languages pairwise embeds each language's sentences n - 1 times without it. The
    on-disk store is one SQLite file keyed by model name and SHA-1 of the text; every batch is written
    in one transaction, so an interrupted run leaves the cache as it was before that batch.
    Wrapping a ``SpanEncoder`` gives a ``SpanEncoder`` (``encode_spans`` is only set then): composed
    spans are cached apart from texts encoded whole, since the two differ slightly.
    """

    def __init__(self, encoder: Encoder, cache_dir: str | Path | None = None) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self._memory: dict[_Key, NDArray[np.float32]] = {}
        self._store = _DiskStore(Path(cache_dir) / _STORE_FILE) if cache_dir is not None else None
        self.hits = 0  # texts served from memory or disk
        self.disk_hits = 0  # of which read from disk
        self.misses = 0  # texts the inner encoder had to embed
        if is_span_encoder(encoder):
            self.encode_spans = partial(_cached_spans, self, encoder)

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = as_text_list(texts)
        keys = [(self.name, text) for text in texts]
        return self._lookup(keys, lambda missing: self.encoder.encode([texts[i] for i in missing]))

    def _lookup(self, keys: list[_Key], compute: Callable[[list[int]], NDArray[np.float32]]) -> NDArray[np.float32]:
        """Rows for ``keys`` from memory, then disk, then one ``compute(indices of the first occurrences)``."""
        first: dict[_Key, int] = {}
        for i, key in enumerate(keys):
            if key not in self._memory:
                first.setdefault(key, i)
        if first and self._store is not None:
            found = self._store.get(list(first), self.dim)
            self._memory.update(found)
            for key in found:
                del first[key]
            self.disk_hits += len(found)
        if first:
            missing = list(first.values())
            vectors = compute(missing)
            fresh = {keys[i]: vectors[row] for row, i in enumerate(missing)}
            self._memory.update(fresh)
            if self._store is not None:
                self._store.put(fresh)
        self.misses += len(first)
        self.hits += len(keys) - len(first)
        out = np.empty((len(keys), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = self._memory[key]
        return out


def _cached_spans(
    cache: EmbeddingCache, inner: SpanEncoder, sentences: Sequence[str], spans: Sequence[Span]
) -> NDArray[np.float32]:
    """``encode_spans`` of a cache around a ``SpanEncoder``; single-sentence spans share entries with ``encode``."""
    sentences = as_text_list(sentences)
    check_spans(spans, len(sentences))
    spans = list(spans)
    composed = cache.name + _SPANS_SUFFIX
    keys = [(cache.name if b - a == 1 else composed, " ".join(sentences[a:b])) for a, b in spans]
    return cache._lookup(keys, lambda missing: inner.encode_spans(sentences, [spans[i] for i in missing]))


class _DiskStore:
    """One SQLite file of float32 vectors keyed by (model name, SHA-1 of text)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS embeddings"
                    " (model TEXT NOT NULL, key BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, key))"
                    " WITHOUT ROWID"
                )
        except (OSError, sqlite3.Error) as error:
            raise OutputError(f"embedding cache {path}: {error}") from None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection whose ``with`` block is one transaction (rolled back on error)."""
        db = sqlite3.connect(self.path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers in parallel batch runs do not block the writer
            with db:
                yield db
        finally:
            db.close()

    def get(self, keys: list[_Key], dim: int) -> dict[_Key, NDArray[np.float32]]:
        """The stored vectors among ``keys`` (rows of another length than ``dim`` are stale, left out)."""
        by_model: dict[str, dict[bytes, _Key]] = {}
        for key in keys:
            by_model.setdefault(key[0], {})[_text_key(key[1])] = key
        found: dict[_Key, NDArray[np.float32]] = {}
        try:
            with self._connect() as db:
                for model, wanted in by_model.items():
                    hashes = list(wanted)
                    for start in range(0, len(hashes), _SQL_BATCH):
                        chunk = hashes[start : start + _SQL_BATCH]
                        query = "SELECT key, vector FROM embeddings WHERE model = ? AND key IN (%s)"
                        for digest, blob in db.execute(query % ",".join("?" * len(chunk)), [model, *chunk]):
                            if len(blob) == 4 * dim:
                                found[wanted[digest]] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error as error:
            raise OutputError(f"embedding cache {self.path}: {error} (delete it to start afresh)") from None
        return found

    def put(self, vectors: dict[_Key, NDArray[np.float32]]) -> None:
        """Store ``vectors`` in one transaction: all of them or, if interrupted, none."""
        rows = [
            (model, _text_key(text), np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for (model, text), vector in vectors.items()
        ]
        try:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO embeddings (model, key, vector) VALUES (?, ?, ?)", rows)
        except sqlite3.Error as error:
            raise OutputError(f"embedding cache {self.path}: {error} (delete it to start afresh)") from None


def _text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()
