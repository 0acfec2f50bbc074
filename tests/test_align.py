"""Pairwise alignment with the real default encoder (multilingual USE) on short real texts."""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Sequence

import numpy as np
import pytest
from _models import PARALLEL, embedding_cache_dir
from _paths import SHARED

from aligner import _spans
from aligner.align import AlignOptions, _band, _link_moved, align, align_sentences
from aligner.embed import EmbeddingCache, Encoder, embed_spans
from aligner.errors import AlignmentError
from aligner.types import Bead, SegmentedDocument

align_module = importlib.import_module("aligner.align")  # the package's ``align`` is the function
EN = PARALLEL["en"]
UNRELATED_DE = (
    "Die Katze schläft auf dem Sofa.",
    "Morgen regnet es in Hamburg.",
    "Ich esse gern Äpfel mit Zimt.",
    "Der Zug nach Berlin hat Verspätung.",
)


@pytest.fixture(scope="module")
def encoder(use_encoder: Encoder, tmp_path_factory: pytest.TempPathFactory) -> EmbeddingCache:
    """The default encoder behind the session's cache: these tests re-align the same sentences often."""
    return EmbeddingCache(use_encoder, cache_dir=embedding_cache_dir(tmp_path_factory))


def links(beads: Sequence[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in beads]


def assert_covers(beads: Sequence[Bead], n: int, m: int) -> None:
    """Every sentence of both sides in exactly one bead, in document order."""
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))
    assert all(b.src or b.tgt for b in beads)


def diagonal(n: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [((k,), (k,)) for k in range(n)]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["de", "fr", "es", "ru"])
def test_translations_align_one_to_one(encoder: Encoder, lang: str) -> None:
    beads = align_sentences(EN, PARALLEL[lang], encoder)
    assert links(beads) == diagonal(len(EN))
    assert all(0.6 < b.score <= 1.0 for b in beads)


@pytest.mark.slow
def test_identical_texts(encoder: Encoder) -> None:
    beads = align_sentences(PARALLEL["ru"], PARALLEL["ru"], encoder)
    assert links(beads) == diagonal(len(EN))
    assert [b.kind for b in beads] == ["1-1"] * len(EN)
    assert all(b.score == pytest.approx(1.0, abs=1e-3) for b in beads)


@pytest.mark.slow
def test_a_sentence_split_in_two_gives_a_1_2_bead(encoder: Encoder) -> None:
    de = list(PARALLEL["de"])
    de[2:3] = ["Im neuen Flügel befindet sich eine Sammlung.", "Sie umfasst mittelalterliche Handschriften."]
    beads = align_sentences(EN, de, encoder)
    assert links(beads) == diagonal(2) + [((2,), (2, 3))] + [((k,), (k + 1,)) for k in range(3, 8)]
    assert beads[2].kind == "1-2"


@pytest.mark.slow
def test_two_sentences_joined_in_one_give_a_2_1_bead(encoder: Encoder) -> None:
    es = list(PARALLEL["es"])
    es[3:5] = [
        "La entrada es gratuita para los niños menores de doce años, y el director agradeció su apoyo a la ciudad."
    ]
    beads = align_sentences(EN, es, encoder)
    assert links(beads) == diagonal(3) + [((3, 4), (3,))] + [((k,), (k - 1,)) for k in range(5, 8)]


@pytest.mark.slow
def test_an_extra_sentence_is_a_0_1_bead(encoder: Encoder) -> None:
    fr = list(PARALLEL["fr"])
    fr.insert(4, "Le maire n'a pas assisté à la cérémonie en raison d'une grève des trains.")
    beads = align_sentences(EN, fr, encoder)
    assert links(beads) == diagonal(4) + [((), (4,))] + [((k,), (k + 1,)) for k in range(4, 8)]
    assert beads[4].kind == "0-1" and beads[4].score == 0.0


@pytest.mark.slow
def test_a_missing_sentence_is_a_1_0_bead(encoder: Encoder) -> None:
    ru = PARALLEL["ru"][:5] + PARALLEL["ru"][6:]
    beads = align_sentences(EN, ru, encoder)
    assert links(beads) == diagonal(5) + [((5,), ())] + [((k,), (k - 1,)) for k in range(6, 8)]


def test_an_empty_side_leaves_every_sentence_unlinked(encoder: Encoder) -> None:
    assert links(align_sentences([], PARALLEL["de"][:2], encoder)) == [((), (0,)), ((), (1,))]
    assert links(align_sentences(EN[:3], [], encoder)) == [((0,), ()), ((1,), ()), ((2,), ())]
    assert align_sentences([], [], encoder) == []


@pytest.mark.slow
@pytest.mark.parametrize(("position", "others"), [(0, "ru"), (4, "ru"), (7, "es"), (0, "de")])
def test_one_sentence_against_many_links_only_its_translation(encoder: Encoder, position: int, others: str) -> None:
    # A regression test: the whole-document length ratio once pulled unrelated neighbours into a 1-4 bead.
    beads = align_sentences(EN[position : position + 1], PARALLEL[others], encoder)
    assert links(beads) == [((0,), (k,)) if k == position else ((), (k,)) for k in range(len(EN))]
    reverse = align_sentences(PARALLEL[others], EN[position : position + 1], encoder)
    assert links(reverse) == [((k,), (0,)) if k == position else ((k,), ()) for k in range(len(EN))]


@pytest.mark.slow
def test_unrelated_texts_score_low_and_log_a_warning(encoder: Encoder, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aligner.align"):
        beads = align_sentences(EN[:4], UNRELATED_DE, encoder)
    assert_covers(beads, 4, 4)
    assert all(b.score < 0.3 for b in beads)
    warnings = [r for r in caplog.records if r.name == "aligner.align" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "may not be translations of each other" in warnings[0].getMessage()


@pytest.mark.slow
def test_translations_log_no_warning(encoder: Encoder, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aligner.align"):
        align_sentences(EN, PARALLEL["fr"], encoder)
    assert not [r for r in caplog.records if r.name == "aligner.align"]


@pytest.mark.slow
def test_a_very_long_sentence_does_not_break_anything(encoder: Encoder) -> None:
    long_en = "The museum shows " + ", ".join(f"manuscript {k} from the old library" for k in range(140)) + "."
    long_de = "Das Museum zeigt " + ", ".join(f"Handschrift {k} aus der alten Bibliothek" for k in range(140)) + "."
    assert len(long_en) > 5000
    src = [EN[0], long_en, EN[3]]
    tgt = [PARALLEL["de"][0], long_de, PARALLEL["de"][3]]
    beads = align_sentences(src, tgt, encoder)
    assert links(beads) == diagonal(3)


@pytest.mark.slow
def test_align_documents_keeps_paragraph_breaks(encoder: Encoder) -> None:
    # The German moves "two years" of the first sentence into a paragraph of its own. Without paragraph
    # information the aligner joins it to the first sentence (1-2: it adds to the match); with it, that
    # bead would straddle a paragraph break while a 1-1 alternative exists, so it stays on its own.
    en = ("The museum reopened on Saturday after two years of renovation.", "Entry is free for children under twelve.")
    de = (
        "Das Museum wurde am Samstag nach der Renovierung wiedereröffnet.",
        "Die Renovierung hatte zwei Jahre gedauert.",
        "Für Kinder unter zwölf Jahren ist der Eintritt frei.",
    )
    assert links(align_sentences(en, de, encoder))[0] == ((0,), (0, 1))

    src = SegmentedDocument(lang="en", paragraphs=((en[0],), (en[1],)))
    tgt = SegmentedDocument(lang="de", paragraphs=((de[0],), (de[1],), (de[2],)))
    alignment = align(src, tgt, encoder)
    assert links(alignment.beads) == [((0,), (0,)), ((), (1,)), ((1,), (2,))]
    assert (alignment.src, alignment.tgt, alignment.model) == (src, tgt, "use")


@pytest.mark.slow
def test_at_most_max_total_sentences_per_bead(encoder: Encoder) -> None:
    de = list(PARALLEL["de"])
    de[2:3] = ["Im neuen Flügel befindet sich eine Sammlung.", "Sie umfasst mittelalterliche Handschriften."]
    beads = align_sentences(EN, de, encoder, AlignOptions(max_total=2))
    assert {b.kind for b in beads} <= {"1-1", "1-0", "0-1"}
    assert_covers(beads, len(EN), len(de))


@pytest.mark.parametrize("max_total", [1, 0, -3])
def test_max_total_below_two_is_refused(max_total: int) -> None:
    with pytest.raises(AlignmentError, match=f"max_total must be at least 2 \\(got {max_total}\\)"):
        AlignOptions(max_total=max_total)


def _long_parallel(n: int) -> tuple[list[str], list[str]]:
    """``n`` English sentences and their German translations: UD PUD when available, else ours repeated.

    Only PUD's shorter sentences are used, to keep the embedding time down.
    """
    pud = SHARED / "data" / "ud-pud"
    if (pud / "en_pud-ud-test.conllu").is_file() and (pud / "de_pud-ud-test.conllu").is_file():
        conllu = [(pud / f"{lang}_pud-ud-test.conllu").read_text(encoding="utf-8") for lang in ("en", "de")]
        texts = [re.findall(r"^# text = (.*)$", text, re.MULTILINE) for text in conllu]
        short = [k for k, text in enumerate(texts[0]) if len(text) < 100][:n]
        return [texts[0][k] for k in short], [texts[1][k] for k in short]
    repeats = -(-n // len(EN))
    return list(EN * repeats)[:n], list(PARALLEL["de"] * repeats)[:n]


@pytest.mark.slow
def test_long_documents_search_a_band_and_find_the_same_path(encoder: Encoder) -> None:
    en, de = _long_parallel(200)
    del de[100]  # a gap in the middle: the band must follow the path off the main diagonal
    expected = diagonal(100) + [((100,), ())] + [((k,), (k - 1,)) for k in range(101, 200)]
    # Beads of at most 1-1 keep embedding cheap (no spans); the band logic does not depend on it.
    banded = AlignOptions(max_total=2, exact_cells=1_000, coarse_ratio=8, band_pad=4)
    exact = AlignOptions(max_total=2)
    # The band really is narrow, and holds the expected path.
    lo, hi = _band(encoder.encode(en), encoder.encode(de), banded)
    assert (hi - lo).max() < len(de) // 2
    assert all(lo[src[-1] + 1] <= tgt[-1] + 1 <= hi[src[-1] + 1] for src, tgt in expected if src and tgt)
    banded_beads = align_sentences(en, de, encoder, banded)
    assert links(banded_beads) == expected
    assert banded_beads == align_sentences(en, de, encoder, exact)


def spans_of(rows: Sequence[Sequence[float]], max_span: int = 2) -> tuple[np.ndarray, ...]:
    """Span tables as ``align_sentences`` builds them, from hand-made sentence vectors."""
    vectors = np.array(rows, dtype=np.float32)
    spans = [np.zeros((0, vectors.shape[1]), dtype=np.float32)]
    for a in range(1, max_span + 1):
        table = np.zeros((len(vectors) + 1, vectors.shape[1]), dtype=np.float32)
        for e in range(a, len(vectors) + 1):
            total = vectors[e - a : e].sum(axis=0)
            table[e] = total / np.linalg.norm(total)
        spans.append(table)
    return tuple(spans)


def test_a_sentence_a_merge_swallowed_at_its_edge_is_linked_where_it_belongs() -> None:
    # Target sentence 0 translates source sentence 2, which the path put at the end of a 2-1 bead
    # where it adds nothing: it is linked as a moved bead and the bead keeps its own sentence.
    x, y, z = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
    src, tgt = spans_of([x, y, z]), spans_of([z, x, y])
    path = [Bead((), (0,)), Bead((0,), (1,), 1.0), Bead((1, 2), (2,), 0.7)]
    beads = _link_moved(path, src, tgt, 0.05, above=0.5)
    assert [(b.src, b.tgt, b.moved) for b in beads] == [
        ((0,), (1,), False),
        ((1,), (2,), False),
        ((2,), (0,), True),
    ]
    assert beads[1].score == 1.0


def test_a_passage_swallowed_by_a_bead_is_linked_sentence_by_sentence() -> None:
    # Source sentences 2 and 3 translate target 0 and 1, which the target puts first; the path ran both
    # onto the bead of sentence 1, where they add nothing. Both move, and the bead keeps its own pair.
    x, y, z, w = np.eye(4)
    src, tgt = spans_of([x, y, z, w], max_span=3), spans_of([z, w, x, y], max_span=3)
    path = [Bead((), (0,)), Bead((), (1,)), Bead((0,), (2,), 1.0), Bead((1, 2, 3), (3,), 0.58)]
    beads = _link_moved(path, src, tgt, 0.05, above=0.5)
    assert [(b.src, b.tgt, b.moved) for b in beads] == [
        ((0,), (2,), False),
        ((1,), (3,), False),
        ((2,), (0,), True),
        ((3,), (1,), True),
    ]
    assert beads[1].score == 1.0


def test_a_text_with_too_many_free_sentences_is_left_as_the_path_put_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Moved passages are sought among at most MAX_MOVED_CANDIDATES free sentences a side: the matrix
    # between them grows with the square of the gaps in a long text.
    x, y, z, w = np.eye(4)
    src, tgt = spans_of([x, y, z, w], max_span=3), spans_of([z, w, x, y], max_span=3)
    path = [Bead((), (0,)), Bead((), (1,)), Bead((0,), (2,), 1.0), Bead((1, 2, 3), (3,), 0.58)]
    monkeypatch.setattr(align_module, "MAX_MOVED_CANDIDATES", 1)
    assert _link_moved(path, src, tgt, 0.05, above=0.5) == path


def test_a_sentence_from_the_middle_of_a_bead_moves_and_leaves_the_bead_its_two_ends() -> None:
    # The target puts z first; the path ran it into the middle of the bead x z y : "x y".
    x, y, z = np.eye(3)
    src, tgt = spans_of([x, z, y], max_span=3), spans_of([z, (x + y) / np.sqrt(2)], max_span=3)
    path = [Bead((), (0,)), Bead((0, 1, 2), (1,), 0.82)]
    beads = _link_moved(path, src, tgt, 0.05, above=0.5)
    assert [(b.src, b.tgt, b.moved) for b in beads] == [((0, 2), (1,), False), ((1,), (0,), True)]
    assert beads[0].score == pytest.approx(1.0, abs=1e-3)


def test_a_sentence_shifted_into_the_next_bead_is_not_a_move() -> None:
    # Source 1 translates target 1, which the path put in the next bead: linking them crosses nothing,
    # so it is the path's choice to make, not a moved passage.
    x, y, z = np.eye(3)
    src, tgt = spans_of([x, y, z]), spans_of([x, y, z])
    path = [Bead((0, 1), (0,), 0.7), Bead((2,), (1, 2), 0.7)]
    assert _link_moved(path, src, tgt, 0.05, above=0.5) == path


def test_a_merge_keeps_an_edge_sentence_that_adds_to_it() -> None:
    x, y = (1.0, 0.0), (0.0, 1.0)
    src, tgt = spans_of([x, y]), spans_of([(1.0, 1.0), y])
    path = [Bead((0, 1), (0,), 1.0), Bead((), (1,))]
    assert _link_moved(path, src, tgt, 0.05, above=0.5) == path


def _float32_tables(encoder: Encoder, sentences: Sequence[str], max_span: int) -> tuple[np.ndarray, ...]:
    """The span tables as plain float32 arrays, all embedded in one call (how they were before float16)."""
    n = len(sentences)
    tables = [np.zeros((0, encoder.dim), dtype=np.float32)]
    for a in range(1, max_span + 1):
        table = np.zeros((n + 1, encoder.dim), dtype=np.float32)
        if a <= n:
            table[a:] = embed_spans(encoder, sentences, [(e - a, e) for e in range(a, n + 1)])
        tables.append(table)
    return tuple(tables)


@pytest.mark.parametrize("spill", [False, True], ids=["in-memory", "in-a-file"])
def test_float16_span_tables_give_the_beads_of_float32_ones(
    encoder: Encoder, spill: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables stored as float16 (in memory, or in a file read a few rows at a time) and embedded a few
    sentences per call align a short document as float32 tables embedded at once do."""
    en, de = list(PARALLEL["en"]), list(PARALLEL["de"])
    del de[3]
    de[5:7] = [de[5] + " " + de[6]]
    monkeypatch.setattr(align_module, "_span_embeddings", _float32_tables)
    expected = align_sentences(en, de, encoder)
    monkeypatch.undo()
    monkeypatch.setattr(align_module, "_EMBED_CHUNK", 3)
    if spill:
        monkeypatch.setattr(_spans, "SPILL_BYTES", 0)
        monkeypatch.setattr(_spans, "WINDOW_ROWS", 2)
    tables = align_module._span_embeddings(encoder, en, 4)
    assert all(
        isinstance(t, _spans.SpanTable) and (t._file is not None) == (spill and a > 1)
        for a, t in enumerate(tables)
        if a
    )
    beads = align_sentences(en, de, encoder)
    assert links(beads) == links(expected)
    assert [b.score for b in beads] == pytest.approx([b.score for b in expected], abs=2e-3)


def test_summed_spans_are_normalised_sums_of_consecutive_rows() -> None:
    vectors = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    spans = _spans.SummedSpans(vectors, 3)
    assert spans.shape == (7, 4)
    np.testing.assert_array_equal(spans[np.array([0, 2])], np.zeros((2, 4)))
    total = vectors[2:5].sum(axis=0)
    np.testing.assert_allclose(spans[5], total / np.linalg.norm(total), rtol=1e-6)
    np.testing.assert_allclose(spans[1:][4], spans[5])  # a slice is a view, read when indexed
