"""Shared fixtures: the shared data folder, the default encoder, a tiny sentence-transformers model, a slow web site."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _paths import SHARED
from _servers import SlowSite

if TYPE_CHECKING:
    from aligner.embed import Encoder


@pytest.fixture(autouse=True)
def _aligner_logger_as_it_was() -> Iterator[None]:
    """A CLI test routes the ``aligner`` logger to its own stderr (``configure_logging``); later tests see
    the logger as the library leaves it, so ``caplog`` hears them."""
    logger = logging.getLogger("aligner")
    saved = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:], logger.propagate = saved[0], saved[2]
    logger.setLevel(saved[1])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (read-only corpora); tests that need it skip when it is absent."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip(f"shared data not found at {data}")
    return data


@pytest.fixture(scope="session")
def use_encoder() -> Encoder:
    """The default encoder (multilingual USE), shared so that its weights load once per session."""
    from aligner.embed import get_encoder

    return get_encoder("use")


# Enough WordPiece entries that any lower-case Latin text tokenizes (letter by letter at worst).
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßéèêàâçôîûœ0123456789"
_WORDS = ("the", "a", "of", "and", "to", "in", "is", "der", "die", "das", "und", "le", "la", "les", "et", "de")
_PUNCT = tuple(".,;:!?'\"()-")


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer BERT saved as a sentence-transformers folder (no hub access needed).

    Built with the same classes a real model uses (Transformer + mean Pooling + Normalize), so
    ``get_encoder("st:" + folder)`` exercises the loading code users run.
    """
    reason = "sentence-transformers tests need: pip install torch==2.13.0 'aligner[transformers]'"
    torch = pytest.importorskip("torch", reason=reason)
    pytest.importorskip("sentence_transformers", reason=reason)
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizer

    try:  # sentence-transformers >= 6 moved the module classes
        from sentence_transformers.sentence_transformer import modules
    except ImportError:
        from sentence_transformers import models as modules  # type: ignore[attr-defined,no-redef]

    root = tmp_path_factory.mktemp("tiny-st")
    bert_dir, model_dir = root / "bert", root / "model"
    bert_dir.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *_WORDS, *_PUNCT, *_LETTERS]
    vocab += [f"##{c}" for c in _LETTERS]
    (bert_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizer(vocab_file=str(bert_dir / "vocab.txt"), do_lower_case=True).save_pretrained(bert_dir)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(bert_dir)

    transformer = modules.Transformer(str(bert_dir), max_seq_length=64)
    pooling = modules.Pooling(config.hidden_size, pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling, modules.Normalize()], device="cpu").save(str(model_dir))
    return model_dir


@pytest.fixture
def slow_site() -> Iterator[SlowSite]:
    """A threaded server on 127.0.0.1 that can answer one byte at a time (``tests/_servers.py``)."""
    site = SlowSite()
    site.start()
    yield site
    site.stop()
