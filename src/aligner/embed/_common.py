"""What every backend does at its edges: check the input, normalise the vectors, make errors one line."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import AlignerError, ModelError, first_line

Span = tuple[int, int]  # (a, b): the run of sentences[a:b]


def as_text_list(texts: Sequence[str]) -> list[str]:
    """``texts`` as a list; a bare str is refused, since it is a sequence of one-letter texts."""
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got a single str")
    return list(texts)


def check_spans(spans: Sequence[Span], n: int) -> None:
    for a, b in spans:
        if not 0 <= a < b <= n:
            raise ValueError(f"span ({a}, {b}) is empty or outside the {n} sentences")


def unit_rows(vectors: Any, dim: int, name: str) -> NDArray[np.float32]:
    """(n, dim) float32, C-contiguous, rows re-normalised: backends differ in dtype and rounding."""
    out = np.array(vectors, dtype=np.float32, order="C", copy=True).reshape(-1, dim)
    if not np.isfinite(out).all():
        raise ModelError(f"{name}: the model produced non-finite values")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    out /= np.maximum(norms, np.float32(1e-12))
    return out


@contextlib.contextmanager
def model_errors(name: str) -> Iterator[None]:
    """Turn whatever a backend raises into a one-line ModelError."""
    try:
        yield
    except AlignerError:
        raise
    except Exception as error:  # noqa: BLE001 - third-party code raises anything
        raise ModelError(f"{name}: {first_line(error)}") from None
