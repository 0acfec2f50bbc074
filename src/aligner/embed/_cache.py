"""The embedding cache: recent texts embedded once per run, and every text once ever with a cache folder."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import OutputError
from ._common import Span, as_text_list, check_spans
from ._registry import Encoder, SpanEncoder, is_span_encoder

_Key = tuple[str, bytes]  # (cache namespace: model name, or model name + _SPANS_SUFFIX; SHA-1 of the text)
_STORE_FILE = "embeddings.sqlite3"
_SPANS_SUFFIX = "|spans"  # cache namespace of composed spans
_SQL_BATCH = 500  # keys per SELECT, under SQLite's bound-parameter limit
#: Vectors kept in memory by default (32 MB at 512 dimensions): enough for what a run asks twice.
MAX_VECTORS = 16_384


class EmbeddingCache:
    """An encoder that embeds a text again only when it has left the cache, and once ever with ``cache_dir``.

    In memory it keeps the ``max_vectors`` texts used last (``None``: every one, for benchmarks that
    time the search alone), keyed by SHA-1 so that long span texts are not kept: a run's spans would
    otherwise stay in memory to its end. Aligning n languages pairwise asks for each language's
    sentences n - 1 times; a statement's units split again per pair ask for a few spans twice. The
    on-disk store is one SQLite file keyed by model name and SHA-1 of the text; every batch is written
    in one transaction, so an interrupted run leaves the cache as it was before that batch.
    Wrapping a ``SpanEncoder`` gives a ``SpanEncoder`` (``encode_spans`` is only set then): composed
    spans are cached apart from texts encoded whole, since the two differ slightly.
    """

    def __init__(self, encoder: Encoder, cache_dir: str | Path | None = None, *, max_vectors: int | None = MAX_VECTORS):
        self.encoder = encoder
        self.name = encoder.name
        self.max_vectors = max_vectors
        self._memory = _Memory(max_vectors)
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
        keys = [(self.name, _text_key(text)) for text in texts]
        return self._lookup(keys, lambda missing: self.encoder.encode([texts[i] for i in missing]))

    def _lookup(self, keys: list[_Key], compute: Callable[[list[int]], NDArray[np.float32]]) -> NDArray[np.float32]:
        """Rows for ``keys`` from memory, then disk, then one ``compute(indices of the first occurrences)``."""
        found: dict[_Key, NDArray[np.float32]] = {}
        first: dict[_Key, int] = {}
        for i, key in enumerate(keys):
            if key in self._memory:
                found[key] = self._memory[key]
            else:
                first.setdefault(key, i)
        if first and self._store is not None:
            stored = self._store.get(list(first), self.dim)
            for key, vector in stored.items():
                del first[key]
                found[key] = vector
            self._remember(stored)
            self.disk_hits += len(stored)
        self.misses += len(first)
        self.hits += len(keys) - len(first)
        if not first:
            return np.array([found[key] for key in keys], dtype=np.float32).reshape(len(keys), self.dim)
        missing = list(first.values())
        vectors = compute(missing)
        fresh = {keys[i]: vectors[row] for row, i in enumerate(missing)}
        if self._store is not None:
            self._store.put(fresh)
        if len(missing) == len(keys):  # all new and distinct: the encoder's rows as they are
            self._remember(fresh)
            return vectors
        found.update(fresh)
        self._remember(fresh)
        out = np.empty((len(keys), vectors.shape[1]), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = found[key]
        return out

    def _remember(self, vectors: dict[_Key, NDArray[np.float32]]) -> None:
        items = list(vectors.items())
        if self.max_vectors is not None:
            items = items[max(len(items) - self.max_vectors, 0) :]
        for key, vector in items:
            self._memory[key] = vector


class _Memory:
    """Vectors by key, the least recently used dropped beyond ``capacity`` (None: never).

    A bounded memory copies vectors into rows of one array: copies, since a view would keep the
    encoder's whole output alive, and one array, since many small ones would scatter over the heap
    and keep the space that large temporary arrays free from going back to the system.
    """

    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self._slots: OrderedDict[_Key, int] = OrderedDict()  # least recently used first
        self._rows: NDArray[np.float32] | None = None
        self._vectors: dict[_Key, NDArray[np.float32]] = {}  # when unbounded

    def __contains__(self, key: _Key) -> bool:
        return key in self._slots or key in self._vectors

    def __len__(self) -> int:
        return len(self._slots) + len(self._vectors)

    def __getitem__(self, key: _Key) -> NDArray[np.float32]:
        if self.capacity is None:
            return self._vectors[key]
        self._slots.move_to_end(key)
        return self._rows[self._slots[key]].copy()  # type: ignore[index]  # the slot may be given to another key before it is used

    def __setitem__(self, key: _Key, vector: NDArray[np.float32]) -> None:
        if self.capacity is None:
            self._vectors[key] = np.array(vector, dtype=np.float32)
            return
        if self._rows is None:
            self._rows = np.empty((self.capacity, len(vector)), dtype=np.float32)
        if key in self._slots:
            slot = self._slots[key]
            self._slots.move_to_end(key)
        elif len(self._slots) < self.capacity:
            slot = self._slots[key] = len(self._slots)
        else:
            _, slot = self._slots.popitem(last=False)
            self._slots[key] = slot
        self._rows[slot] = vector


def _cached_spans(
    cache: EmbeddingCache, inner: SpanEncoder, sentences: Sequence[str], spans: Sequence[Span]
) -> NDArray[np.float32]:
    """``encode_spans`` of a cache around a ``SpanEncoder``; single-sentence spans share entries with ``encode``."""
    sentences = as_text_list(sentences)
    check_spans(spans, len(sentences))
    spans = list(spans)
    composed = cache.name + _SPANS_SUFFIX
    keys = [(cache.name if b - a == 1 else composed, _text_key(" ".join(sentences[a:b]))) for a, b in spans]
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
            by_model.setdefault(key[0], {})[key[1]] = key
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
            (model, digest, np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for (model, digest), vector in vectors.items()
        ]
        try:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO embeddings (model, key, vector) VALUES (?, ?, ?)", rows)
        except sqlite3.Error as error:
            raise OutputError(f"embedding cache {self.path}: {error} (delete it to start afresh)") from None


def _text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).digest()
