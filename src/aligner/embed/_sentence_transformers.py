"""Any sentence-transformers model, by hub name or local folder (extra ``aligner[transformers]``)."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelError, first_line
from ._common import as_text_list, model_errors, unit_rows

ST_PREFIX = "st:"
_HUB_TIMEOUT_S = 10


class SentenceTransformerEncoder:
    """A sentence-transformers model by hub name or local folder, named ``st:`` + the name or absolute path.

    ``dim`` is only known once the model is loaded, so reading it loads the model.
    """

    def __init__(self, target: str, threads: int | None) -> None:
        local = Path(target).expanduser()
        self._is_local = local.exists() or target.startswith(("/", "./", "../", "~", ".\\"))
        self.target = str(local.resolve()) if self._is_local else target
        self.name = ST_PREFIX + self.target
        self.threads = threads
        self._model: Any = None

    @property
    def dim(self) -> int:
        model = self._load()
        # renamed in sentence-transformers 6; the old name warns there
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(dimension())

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = as_text_list(texts)
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with model_errors(self.name):
            vectors = model.encode(
                texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False, batch_size=32
            )
            return unit_rows(vectors, self.dim, self.name)

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
