"""Span tables: the aligner's embeddings of sentences and short runs of sentences, stored small.

A table has one row per end position ``e = 0..n`` (see ``_dp``). For long documents these tables are
most of a run's memory, so they are kept as float16 (cosines move by about 1e-4, the beads do not;
tests/test_align.py) and every read returns float32 rows, so products stay float32:

    SpanTable(rows, dim, spill=...)  stored rows; beyond ``SPILL_BYTES`` in an unlinked temporary file
    SummedSpans(vectors, a)          normalised sums of ``a`` consecutive rows, computed when read

Indexing with an int or an int array reads rows (a float32 copy); a slice is a view, read later.
The dynamic programme reads a block of rows at a time, in order, so a table in a file keeps only the
last rows it read (at least ``WINDOW_ROWS``) in memory.
"""

from __future__ import annotations

import tempfile
from typing import Any, BinaryIO, cast

import numpy as np
from numpy.typing import NDArray

#: Span tables of one document larger than this (float16 bytes, all lengths above 1 together) go to a
#: temporary file: about 22,000 sentences at 512 dimensions and spans of up to 4 sentences.
SPILL_BYTES = 64 * 2**20
#: Rows read from a file at a time at least (1 MB at 512 dimensions).
WINDOW_ROWS = 1024

Index = int | slice | NDArray[np.integer] | list[int]


def normalized(vector: NDArray) -> NDArray[np.float32]:
    """``vector`` scaled to unit length (a zero vector stays zero): a sum of embeddings made comparable."""
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)


class _Rows:
    """What every table shares: ``shape``, and indexing by int, int array (negatives from the end) or slice
    (a ``_RowView``, read later); subclasses read the rows of a non-negative int array in ``_rows``."""

    shape: tuple[int, int]

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key: Index) -> Any:
        if isinstance(key, slice):
            return _RowView(self, *key.indices(len(self))[:2])
        rows = np.asarray(key)
        return self._rows(np.where(rows < 0, rows + len(self), rows))

    def _rows(self, rows: NDArray[np.integer]) -> NDArray[np.float32]:
        raise NotImplementedError

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray[np.float32]:
        return np.asarray(self[np.arange(len(self))], dtype=dtype)


class SpanTable(_Rows):
    """Rows of float16, in memory or in a temporary file (``spill``); reads give float32."""

    def __init__(self, rows: int, dim: int, *, spill: bool = False) -> None:
        self.shape: tuple[int, int] = (rows, dim)
        self._data: NDArray[np.float16] | None = None
        self._file: BinaryIO | None = None
        if spill:
            self._file = tempfile.TemporaryFile()  # unlinked: gone when closed, or when the process dies
            self._file.truncate(rows * dim * 2)  # a sparse file of zero rows
            self._window_start = 0
            self._window: NDArray[np.float16] = np.zeros((0, dim), dtype=np.float16)
        else:
            self._data = np.zeros((rows, dim), dtype=np.float16)

    @classmethod
    def of(cls, vectors: NDArray[np.floating]) -> SpanTable:
        """A table in memory holding ``vectors``."""
        table = cls(*vectors.shape)
        table.write(0, vectors)
        return table

    def write(self, start: int, vectors: NDArray[np.floating]) -> None:
        """Store ``vectors`` as rows ``start ..``."""
        if self._file is None:
            self._data[start : start + len(vectors)] = vectors  # type: ignore[index]
            return
        self._file.seek(start * self.shape[1] * 2)
        self._file.write(np.ascontiguousarray(vectors, dtype=np.float16).tobytes())
        self._window = self._window[:0]

    def _rows(self, rows: NDArray[np.integer]) -> NDArray[np.float32]:
        if self._data is not None:
            return self._data[rows].astype(np.float32)
        if not rows.size:
            return np.zeros((*rows.shape, self.shape[1]), dtype=np.float32)
        lo, hi = int(rows.min()), int(rows.max()) + 1
        if lo < self._window_start or hi > self._window_start + len(self._window):
            self._read(lo, max(hi, lo + WINDOW_ROWS))
        return self._window[rows - self._window_start].astype(np.float32)

    def _read(self, lo: int, hi: int) -> None:
        file = cast(BinaryIO, self._file)
        hi = min(hi, len(self))
        file.seek(lo * self.shape[1] * 2)
        data = file.read((hi - lo) * self.shape[1] * 2)
        self._window_start, self._window = lo, np.frombuffer(data, dtype=np.float16).reshape(hi - lo, -1)


class SummedSpans(_Rows):
    """Row ``e``: the unit-norm sum of ``vectors[e - a : e]`` (zero for ``e < a``), computed when read.

    The spans of a run of units or of coarse blocks, which cost a few additions each: storing them as
    tables would take ``a`` times the memory of ``vectors``.
    """

    def __init__(self, vectors: NDArray[np.float32] | SpanTable, a: int) -> None:
        self.vectors, self.a = vectors, a
        self.shape = (len(vectors) + 1, vectors.shape[1])

    def _rows(self, rows: NDArray[np.integer]) -> NDArray[np.float32]:
        valid = rows >= self.a
        out = np.zeros((*rows.shape, self.shape[1]), dtype=np.float32)
        for k in range(1, self.a + 1):
            out += self.vectors[np.where(valid, rows - k, 0)]
        out *= valid[..., None]
        out /= np.maximum(np.linalg.norm(out, axis=-1, keepdims=True), 1e-9)
        return out


class _RowView(_Rows):
    """Rows ``start .. stop - 1`` of a table, read when indexed (as the table's)."""

    def __init__(self, table: _Rows, start: int, stop: int) -> None:
        self.table, self.start = table, start
        self.shape = (max(stop - start, 0), table.shape[1])

    def _rows(self, rows: NDArray[np.integer]) -> NDArray[np.float32]:
        return cast(NDArray[np.float32], self.table[rows + self.start])


#: What the aligner accepts as span table: stored, computed, or a plain float32 array.
Table = SpanTable | SummedSpans | _RowView | NDArray[np.float32]


def read_rows(table: Table, start: int, stop: int) -> NDArray[np.float32]:
    """Rows ``start .. stop - 1`` of any table as one float32 array."""
    return np.asarray(table[np.arange(start, stop)], dtype=np.float32)
