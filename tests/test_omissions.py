"""Omissions, additions and moved passages in five-way units and pairwise beads, on the statement in
``samples/`` with the real default encoder: what a translator's memory should hold in each case."""

from __future__ import annotations

from pathlib import Path

import pytest
from _models import PARALLEL, embedding_cache_dir

from aligner.align import align
from aligner.embed import EmbeddingCache, Encoder
from aligner.multi import align_multi, bitext
from aligner.segment import segment
from aligner.tmx import translation_units
from aligner.types import Document, MultiAlignment, SegmentedDocument

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
LANGS = ("de", "en", "es", "fr", "ru")
FR_DELETED = " Nos approches ne coïncident pas toujours."
FR_NOTE = "(Note du traducteur : le Nordland est un pays imaginaire.)"

pytestmark = pytest.mark.slow  # the real default encoder


@pytest.fixture(scope="module")
def encoder(use_encoder: Encoder, tmp_path_factory: pytest.TempPathFactory) -> EmbeddingCache:
    return EmbeddingCache(use_encoder, cache_dir=embedding_cache_dir(tmp_path_factory))


def paragraphs(lang: str) -> list[str]:
    return [p for p in (SAMPLES / f"{lang}.txt").read_text(encoding="utf-8").splitlines() if p.strip()]


def statement(edits: dict[str, list[str]] | None = None) -> list[SegmentedDocument]:
    """The five sample versions, segmented; ``edits`` replaces some languages' paragraphs."""
    edits = edits or {}
    return [segment(Document(lang=lang, paragraphs=tuple(edits.get(lang) or paragraphs(lang)))) for lang in LANGS]


def clean_kinds(encoder: Encoder) -> list[str]:
    """The units of the unedited statement: all 1-1-1-1-1 but one, where German joins two sentences."""
    kinds = [u.kind for u in align_multi(statement(), encoder).units]
    assert kinds.count("1-2-2-2-2") == 1 and kinds.count("1-1-1-1-1") == len(kinds) - 1
    return kinds


def where(multi: MultiAlignment, lang: str, text: str) -> int:
    """The index of the unit holding the sentence of ``lang`` that contains ``text``."""
    sentences = multi.doc(lang).sentences
    return next(k for k, u in enumerate(multi.units) if any(text in sentences[i] for i in u.indices(lang)))


def test_a_sentence_one_language_leaves_out_stays_unpaired(encoder: Encoder) -> None:
    # French drops "Our approaches do not always coincide.": the English sentence must not be merged
    # 2-1 into the French "However, we are convinced..." (a wrong memory entry), in units or pairwise.
    fr = [p.replace(FR_DELETED, "") for p in paragraphs("fr")]
    docs = statement({"fr": fr})
    multi = align_multi(docs, encoder)
    gap = multi.units[where(multi, "en", "do not always coincide")]
    assert gap.kind == "1-1-1-0-1"
    convinced = multi.units[where(multi, "fr", "convaincus")]
    assert convinced.kind == "1-1-1-1-1"
    assert multi.text(convinced, "en").startswith("However, we are convinced")
    pair = align(docs[1], docs[3], encoder)
    coincide = next(b for b in pair.beads if any("coincide" in docs[1].sentences[i] for i in b.src))
    assert coincide.tgt == ()


def test_a_sentence_the_pivot_leaves_out_is_aligned_among_the_others(encoder: Encoder) -> None:
    en = [p.replace(" Our approaches do not always coincide.", "") for p in paragraphs("en")]
    multi = align_multi(statement({"en": en}), encoder)
    gap = where(multi, "fr", "coïncident")
    assert multi.units[gap].kind == "1-0-1-1-1"
    assert multi.units[gap].score > 0.6
    kinds = [u.kind for u in multi.units]
    assert kinds[:gap] + ["1-1-1-1-1"] + kinds[gap + 1 :] == clean_kinds(encoder)


def test_a_translators_note_in_one_language_gets_its_own_unit(encoder: Encoder) -> None:
    fr = paragraphs("fr")
    fr[4] = fr[4].replace("Nous pensons", f"{FR_NOTE} Nous pensons")
    multi = align_multi(statement({"fr": fr}), encoder)
    note = where(multi, "fr", "Note du traducteur")
    assert multi.units[note].kind == "0-0-0-1-0"
    assert multi.units[note].score == 0.0
    assert [u.kind for k, u in enumerate(multi.units) if k != note] == clean_kinds(encoder)


def test_two_swapped_paragraphs_are_linked_as_moved_units(encoder: Encoder) -> None:
    # Russian puts the paragraph on trade before the welcome (3 and 4 sentences).
    ru = paragraphs("ru")
    ru[3], ru[4] = ru[4], ru[3]
    multi = align_multi(statement({"ru": ru}), encoder)
    assert [u.kind for u in multi.units] == clean_kinds(encoder)
    moved = [u for u in multi.units if u.moved]
    assert len(moved) in (3, 4)  # one paragraph's sentences are moved, the other's stay in place
    original, russian = statement()[4].sentences, multi.doc("ru").sentences
    for unit in multi.units:  # every Russian sentence is in the unit of its translation
        assert [original.index(russian[j]) for j in unit.indices("ru")] == list(unit.indices("en"))
    moved_tmx = [tu.prop("x-moved") for unit, tu in translation_units(multi) if unit.moved]
    assert moved_tmx == ["yes"] * len(moved)
    assert all(tu.prop("x-moved") is None for unit, tu in translation_units(multi) if not unit.moved)
    pair = bitext(multi, "en", "ru")
    assert sum(b.moved for b in pair.beads) == len(moved)


def test_a_2_3_unit(encoder: Encoder) -> None:
    # German joins English sentences 3 and 4 into one; French splits sentence 4 in two. The unit holds
    # all of them (2 English, 3 French sentences), and the bitext splits it again where a pair allows.
    de = (*PARALLEL["de"][:3], " ".join(PARALLEL["de"][3:5]).replace(". Der", ", und der"), *PARALLEL["de"][5:])
    fr = (
        *PARALLEL["fr"][:4],
        "Le directeur a remercié la ville.",
        "Il a salué son soutien financier.",
        *PARALLEL["fr"][5:],
    )
    docs = [SegmentedDocument(lang="de", paragraphs=(de,)), SegmentedDocument(lang="en", paragraphs=(PARALLEL["en"],)),
            SegmentedDocument(lang="fr", paragraphs=(fr,))]  # fmt: skip
    multi = align_multi(docs, encoder)
    assert [u.kind for u in multi.units] == ["1-1-1"] * 3 + ["1-2-3"] + ["1-1-1"] * 3
    assert multi.units[3].members == (("de", (3,)), ("en", (3, 4)), ("fr", (3, 4, 5)))
    en_fr = [(b.src, b.tgt) for b in bitext(multi, "en", "fr", encoder).beads]
    assert en_fr[3:5] == [((3,), (3,)), ((4,), (4, 5))]
    assert [(b.src, b.tgt) for b in bitext(multi, "de", "fr", encoder).beads][3] == ((3,), (3, 4, 5))
