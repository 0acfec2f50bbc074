"""Calibrated confidence: a probability per unit or bead, higher for right units than for wrong ones."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np
import pytest

from aligner.align import align
from aligner.confidence import FEATURES, as_multi, bead_confidence, load_models, unit_confidence, unit_features
from aligner.embed import EmbeddingCache
from aligner.multi import align_multi
from aligner.types import MultiAlignment, SegmentedDocument, Unit

WORDS = "river mountain village winter bread music letter garden window doctor station market".split()


class WordEncoder:
    """A stand-in model: a text is the sum of its words' random vectors, language tags (``_de``) ignored."""

    name = "words"
    dim = 64

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            vector = np.zeros(self.dim)
            for word in re.findall(r"[a-z]+", re.sub(r"_[a-z]{2}\b", "", text.lower())):
                vector += np.random.default_rng(zlib.crc32(word.encode())).standard_normal(self.dim)
            rows.append(vector / max(np.linalg.norm(vector), 1e-9))
        return np.asarray(rows, dtype=np.float32)


def document(lang: str, n: int = 8) -> SegmentedDocument:
    tag = "" if lang == "en" else f"_{lang}"
    sentences = tuple(" ".join(f"{WORDS[(k + i) % 12]}{tag}" for i in range(3)) + "." for k in range(0, 3 * n, 3))
    return SegmentedDocument(lang=lang, paragraphs=(sentences,))


def test_every_unit_gets_a_probability() -> None:
    encoder = EmbeddingCache(WordEncoder())
    multi = align_multi([document("en"), document("de"), document("fr")], encoder)

    confidence = unit_confidence(multi, encoder)
    assert len(confidence) == len(multi.units)
    assert all(0.0 <= c <= 1.0 for c in confidence)
    assert unit_features(multi, encoder).shape == (len(multi.units), len(FEATURES))


def test_a_wrong_unit_is_less_sure_than_a_right_one() -> None:
    encoder = EmbeddingCache(WordEncoder())
    docs = (document("en"), document("de"), document("fr"))
    right = [Unit((("en", (k,)), ("de", (k,)), ("fr", (k,))), 0.9) for k in range(8)]
    swapped = (
        right[:3]
        + [  # German sentences 3 and 4 put in each other's unit
            Unit((("en", (3,)), ("de", (4,)), ("fr", (3,))), 0.3),
            Unit((("en", (4,)), ("de", (3,)), ("fr", (4,))), 0.3),
        ]
        + right[5:]
    )
    confidence = unit_confidence(MultiAlignment(docs=docs, units=tuple(swapped)), encoder)

    assert max(confidence[3:5]) < min(confidence[:3] + confidence[5:])


def test_units_the_pairwise_alignments_cut_otherwise_are_marked() -> None:
    encoder = EmbeddingCache(WordEncoder())
    docs = (document("en"), document("de"), document("fr"))
    right = [Unit((("en", (k,)), ("de", (k,)), ("fr", (k,))), 0.9) for k in range(8)]
    wrong = (
        right[:2]
        + [  # English and French sentence 3 pulled into unit 2; German sentence 3 left alone
            Unit((("en", (2, 3)), ("de", (2,)), ("fr", (2, 3))), 0.6),
            Unit((("en", ()), ("de", (3,)), ("fr", ())), 0.0),
        ]
        + right[4:]
    )
    features = unit_features(MultiAlignment(docs=docs, units=tuple(wrong)), encoder)
    disagree = features[:, FEATURES.index("disagree")].tolist()
    # Unit 2: en-de and de-fr link sentence 3 across its edge, en-fr does not; unit 3: both pairs with German.
    assert disagree == [0.0, 0.0, 2 / 3, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert features[:, FEATURES.index("disagree_any")].tolist() == [float(d > 0) for d in disagree]


def test_two_languages_never_disagree_with_themselves() -> None:
    encoder = EmbeddingCache(WordEncoder())
    alignment = align(document("en"), document("de", 7), encoder)
    features = unit_features(as_multi(alignment), encoder)
    assert not features[:, FEATURES.index("disagree")].any()


def test_beads_of_a_bitext_get_the_pair_model() -> None:
    encoder = EmbeddingCache(WordEncoder())
    alignment = align(document("en"), document("de"), encoder)

    confidence = bead_confidence(alignment, encoder)
    assert len(confidence) == len(alignment.beads)
    assert min(confidence) > 0.5  # a clean parallel text


def test_the_shipped_models_match_the_features() -> None:
    models = load_models()
    assert set(models) == {"pair", "multi"}
    assert all(len(m.weights) == len(FEATURES) for m in models.values())


@pytest.mark.slow
def test_the_real_model_is_sure_of_a_clean_statement(use_encoder, tmp_path) -> None:
    from _models import PARALLEL

    encoder = EmbeddingCache(use_encoder, cache_dir=tmp_path)
    docs = [SegmentedDocument(lang=lang, paragraphs=(sentences,)) for lang, sentences in PARALLEL.items()]
    multi = align_multi(docs, encoder)

    assert np.mean(unit_confidence(multi, encoder)) > 0.8
