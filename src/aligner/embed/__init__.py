"""Sentence encoders: text in, unit-norm float32 vectors out.

    get_encoder("use" | "e5-small" | "st:NAME_OR_PATH") -> Encoder
    embed_spans(encoder, sentences, spans)              -> one vector per run of consecutive sentences
    EmbeddingCache(encoder, cache_dir)                  -> the same encoder, a recent or stored text not embedded again

The aligner compares every sentence and every short run of consecutive sentences across languages, so
most of its model time goes into spans. The default encoder (multilingual USE v3) sums per-token
features before a small dense head; it therefore composes a span from per-sentence sums without
running the model again (``SpanEncoder``). Weights load on the first ``encode``, never at import.

Modules: ``_registry`` (the protocol and the model registry), ``_cache``, one per backend (``_use``,
``_e5``, ``_sentence_transformers``), ``_use_composer`` (USE spans) and ``_common`` (their shared edges).
"""

from __future__ import annotations

from ._cache import EmbeddingCache
from ._registry import Encoder, ModelInfo, SpanEncoder, available_models, embed_spans, get_encoder
from ._registry import available_cores as available_cores  # not in __all__: batch sizes its workers with it

__all__ = [
    "EmbeddingCache",
    "Encoder",
    "ModelInfo",
    "SpanEncoder",
    "available_models",
    "embed_spans",
    "get_encoder",
]
