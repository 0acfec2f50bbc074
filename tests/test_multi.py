"""Multilingual units by progressive alignment, with the real default encoder; the column mechanics on
hand-made vectors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from _models import PARALLEL, embedding_cache_dir

from aligner._spans import normalized
from aligner.align import AlignOptions
from aligner.embed import EmbeddingCache, Encoder
from aligner.errors import AlignmentError
from aligner.multi import _Columns, _join, _Language, align_multi, bitext, choose_pivot
from aligner.types import MultiAlignment, SegmentedDocument

# German joins English sentences 3 and 4; Russian adds a sentence about the mayor before sentence 6.
DE_JOINED = (
    *PARALLEL["de"][:3],
    "Für Kinder unter zwölf Jahren ist der Eintritt frei, und der Direktor dankte der Stadt für ihre Unterstützung.",
    *PARALLEL["de"][5:],
)
RU_EXTRA = "Мэр города не присутствовал на церемонии из-за забастовки на железной дороге."


@pytest.fixture(scope="module")
def encoder(use_encoder: Encoder, tmp_path_factory: pytest.TempPathFactory) -> EmbeddingCache:
    """The default encoder behind the session's cache: the same sentences are aligned in several tests."""
    return EmbeddingCache(use_encoder, cache_dir=embedding_cache_dir(tmp_path_factory))


def doc(lang: str, sentences: Sequence[str]) -> SegmentedDocument:
    return SegmentedDocument(lang=lang, paragraphs=(tuple(sentences),))


def assert_document_order(multi: MultiAlignment) -> None:
    """Every sentence of every language in exactly one unit, units in document order, no gaps inside a unit."""
    for d in multi.docs:
        indices = [i for unit in multi.units for i in unit.indices(d.lang)]
        assert indices == list(range(len(d.sentences))), d.lang
    assert all(any(ix for _, ix in unit.members) for unit in multi.units)


@pytest.fixture(scope="module")
def five_way(encoder: Encoder) -> MultiAlignment:
    ru = PARALLEL["ru"][:6] + (RU_EXTRA,) + PARALLEL["ru"][6:]
    docs = [doc("de", DE_JOINED), doc("en", PARALLEL["en"]), doc("fr", PARALLEL["fr"]), doc("ru", ru),
            doc("es", PARALLEL["es"])]  # fmt: skip
    return align_multi(docs, encoder)


@pytest.mark.slow
def test_five_languages_in_units(five_way: MultiAlignment) -> None:
    assert five_way.langs == ("de", "en", "fr", "ru", "es")
    assert five_way.model == "use"
    assert [unit.kind for unit in five_way.units] == [
        "1-1-1-1-1", "1-1-1-1-1", "1-1-1-1-1",
        "1-2-2-2-2",  # the joined German sentence
        "1-1-1-1-1",
        "0-0-0-1-0",  # the Russian-only sentence, in its own unit
        "1-1-1-1-1", "1-1-1-1-1",
    ]  # fmt: skip
    assert five_way.units[3].members == (("de", (3,)), ("en", (3, 4)), ("fr", (3, 4)), ("ru", (3, 4)), ("es", (3, 4)))
    assert five_way.units[5].members == (("de", ()), ("en", ()), ("fr", ()), ("ru", (6,)), ("es", ()))
    assert five_way.units[5].score == 0.0
    assert all(0.6 < unit.score <= 1.0 for k, unit in enumerate(five_way.units) if k != 5)
    assert_document_order(five_way)


@pytest.mark.slow
def test_unit_text(five_way: MultiAlignment) -> None:
    joined = five_way.units[3]
    assert five_way.text(joined, "en") == f"{PARALLEL['en'][3]} {PARALLEL['en'][4]}"
    assert five_way.text(joined, "de") == DE_JOINED[3]
    assert five_way.text(five_way.units[5], "ru") == RU_EXTRA
    assert five_way.text(five_way.units[5], "fr") == ""


@pytest.mark.slow
@pytest.mark.parametrize(("src", "tgt"), [("en", "ru"), ("de", "fr"), ("ru", "de"), ("es", "en")])
def test_bitext_agrees_with_the_units(five_way: MultiAlignment, src: str, tgt: str) -> None:
    alignment = bitext(five_way, src, tgt)
    assert (alignment.src.lang, alignment.tgt.lang, alignment.model) == (src, tgt, "use")
    expected = [
        (u.indices(src), u.indices(tgt), u.score if u.indices(src) and u.indices(tgt) else 0.0)
        for u in five_way.units
        if u.indices(src) or u.indices(tgt)
    ]
    assert [(b.src, b.tgt, b.score) for b in alignment.beads] == expected
    assert [i for b in alignment.beads for i in b.src] == list(range(len(alignment.src.sentences)))
    assert [j for b in alignment.beads for j in b.tgt] == list(range(len(alignment.tgt.sentences)))


@pytest.mark.slow
def test_bitext_of_languages_without_the_extra_sentence_skips_its_unit(five_way: MultiAlignment) -> None:
    beads = bitext(five_way, "de", "fr").beads
    assert len(beads) == len(five_way.units) - 1
    assert [b.kind for b in beads] == ["1-1", "1-1", "1-1", "1-2", "1-1", "1-1", "1-1"]


@pytest.mark.slow
def test_bitext_with_an_encoder_splits_a_unit_again_for_the_pair(five_way: MultiAlignment, encoder: Encoder) -> None:
    # Unit 3 holds two sentences in English and French because German joins them; for en-fr alone
    # they are two 1-1 beads. Without an encoder the unit is kept as one 2-2 bead.
    coarse = bitext(five_way, "en", "fr")
    fine = bitext(five_way, "en", "fr", encoder)
    assert [(b.src, b.tgt) for b in coarse.beads][3] == ((3, 4), (3, 4))
    assert [(b.src, b.tgt) for b in fine.beads] == [((k,), (k,)) for k in range(8)]
    assert fine.beads[3].score != coarse.beads[3].score  # the split beads carry their own similarity
    assert bitext(five_way, "de", "fr", encoder).beads[3].kind == "1-2"  # nothing to split for German


@pytest.mark.slow
def test_sentences_the_pivot_lacks_are_aligned_among_themselves(encoder: Encoder) -> None:
    # English (the pivot) and Russian leave out sentence 3; German and French both have it.
    without_3 = {lang: PARALLEL[lang][:3] + PARALLEL[lang][4:] for lang in ("en", "ru")}
    docs = [doc("en", without_3["en"]), doc("de", PARALLEL["de"]), doc("fr", PARALLEL["fr"]),
            doc("ru", without_3["ru"])]  # fmt: skip
    multi = align_multi(docs, encoder)
    assert [unit.kind for unit in multi.units] == ["1-1-1-1"] * 3 + ["0-1-1-0"] + ["1-1-1-1"] * 4
    assert multi.units[3].members == (("en", ()), ("de", (3,)), ("fr", (3,)), ("ru", ()))
    assert multi.units[3].score > 0.6
    assert_document_order(multi)


@pytest.mark.slow
def test_three_languages_without_english_pivot_on_french(encoder: Encoder) -> None:
    calls: list[tuple[str, str]] = []
    docs = [doc("ru", PARALLEL["ru"]), doc("de", PARALLEL["de"]), doc("fr", PARALLEL["fr"])]
    multi = align_multi(docs, encoder, on_pair=lambda a, b: calls.append((a, b)))
    assert calls == [("fr", "ru"), ("fr", "de")]
    assert [unit.kind for unit in multi.units] == ["1-1-1"] * len(PARALLEL["fr"])
    assert_document_order(multi)


@pytest.mark.slow
def test_explicit_pivot(encoder: Encoder) -> None:
    calls: list[tuple[str, str]] = []
    docs = [doc("en", PARALLEL["en"][:4]), doc("es", PARALLEL["es"][:4])]
    multi = align_multi(docs, encoder, pivot="es", on_pair=lambda a, b: calls.append((a, b)))
    assert calls == [("es", "en")]
    assert [(u.indices("en"), u.indices("es")) for u in multi.units] == [((k,), (k,)) for k in range(4)]


@pytest.mark.slow
def test_an_extra_sentence_before_everything_opens_the_units(encoder: Encoder) -> None:
    fr = ("Communiqué de presse.",) + PARALLEL["fr"][:3]
    multi = align_multi([doc("en", PARALLEL["en"][:3]), doc("fr", fr)], encoder)
    assert [u.members for u in multi.units] == [(("en", ()), ("fr", (0,)))] + [
        (("en", (k,)), ("fr", (k + 1,))) for k in range(3)
    ]


@pytest.mark.slow
def test_an_extra_sentence_inside_a_merged_unit_keeps_document_order(encoder: Encoder) -> None:
    ru = PARALLEL["ru"][:4] + (RU_EXTRA,) + PARALLEL["ru"][4:]  # between the two sentences German joins
    multi = align_multi([doc("de", DE_JOINED), doc("en", PARALLEL["en"]), doc("ru", ru)], encoder)
    assert_document_order(multi)
    assert multi.units[3].members == (("de", (3,)), ("en", (3, 4)), ("ru", (3, 4, 5)))  # it joins that unit


def test_choose_pivot() -> None:
    assert choose_pivot(["de", "en", "ru"]) == "en"
    assert choose_pivot(["ru", "de", "fr"]) == "fr"
    assert choose_pivot(["ru", "es", "de"]) == "de"
    assert choose_pivot(["ru", "es"]) == "es"
    assert choose_pivot(["it", "pl"]) == "it"


def test_errors(encoder: Encoder) -> None:
    en = doc("en", PARALLEL["en"][:2])
    with pytest.raises(AlignmentError, match="need at least two languages to align, got en$"):
        align_multi([en], encoder)
    with pytest.raises(AlignmentError, match="got none$"):
        align_multi([], encoder)
    with pytest.raises(AlignmentError, match="each language may appear once, got en, de, en"):
        align_multi([en, doc("de", PARALLEL["de"][:2]), en], encoder)
    with pytest.raises(AlignmentError, match="pivot language fr is not among en, de"):
        align_multi([en, doc("de", PARALLEL["de"][:2])], encoder, pivot="fr")


def language(
    lang: str,
    rows: Sequence[Sequence[float]],
    lengths: Sequence[float],
    max_span: int = 4,
    paragraphs: Sequence[int] = (),
) -> _Language:
    """A language from hand-made sentence vectors: spans are normalised sums, as from the encoder."""
    vectors = np.array(rows, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    spans = [np.zeros((0, vectors.shape[1]), dtype=np.float32)]
    for a in range(1, max_span + 1):
        table = np.zeros((len(vectors) + 1, vectors.shape[1]), dtype=np.float32)
        for e in range(a, len(vectors) + 1):
            table[e] = normalized(vectors[e - a : e].sum(axis=0))
        spans.append(table)
    return _Language(lang, tuple(spans), np.array(lengths, dtype=np.float64), frozenset(paragraphs))


X, Y, Z = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)


def test_a_sentence_over_two_columns_joins_them_into_one_unit() -> None:
    columns = _Columns({"en": [(0, 1), (1, 2), (2, 3)], "de": [(0, 2), (2, 3)]}, [{"de": 0.9}, {}, {"de": 0.8}])
    groups = columns.groups()
    assert [g.members for g in groups] == [{"en": [0, 1], "de": [0]}, {"en": [2], "de": [1]}]
    assert [g.scores for g in groups] == [[0.9], [0.8]]


def test_taking_a_language_out_leaves_the_columns_the_others_tell_apart() -> None:
    # English splits what German says in its first sentence; French alone has a fourth sentence.
    columns = _Columns(
        {"en": [(0, 1), (1, 2), (2, 3)], "de": [(0, 2), (2, 3)], "fr": [(0, 1), (1, 2), (2, 3), (3, 4)]},
        [{"de": 0.9, "fr": 0.7}, {"fr": 0.8}, {"de": 0.8, "fr": 0.6}, {}],
    )
    assert columns.without("fr") == _Columns(
        {"en": [(0, 1), (1, 2), (2, 3)], "de": [(0, 2), (2, 3)]}, [{"de": 0.9}, {}, {"de": 0.8}]
    )
    without_en_and_fr = columns.without("fr").without("en")  # nothing splits German's first sentence now
    assert without_en_and_fr == _Columns({"de": [(0, 1), (1, 2)]}, [{"de": 0.9}, {"de": 0.8}])


LONG_AND_SHORT = {  # a long sentence, then a short one; Russian runs them together below
    "en": ("The director thanked the city for its financial support, which covered almost half of the cost of the "
           "renovation and paid for the new climate control system in the archive.", "The mayor smiled."),
    "de": ("Der Direktor dankte der Stadt für ihre finanzielle Unterstützung, die fast die Hälfte der "
           "Renovierungskosten deckte und die neue Klimaanlage im Archiv bezahlte.", "Der Bürgermeister lächelte."),
    "fr": ("Le directeur a remercié la ville pour son soutien financier, qui a couvert près de la moitié du coût de la "
           "rénovation et payé le nouveau système de climatisation des archives.", "Le maire a souri."),
    "es": ("El director agradeció a la ciudad su apoyo financiero, que cubrió casi la mitad del coste de la "
           "renovación y pagó el nuevo sistema de climatización del archivo.", "El alcalde sonrió."),
    "ru": ("Директор поблагодарил город за финансовую поддержку, которая покрыла почти половину стоимости ремонта и "
           "оплатила новую систему климат-контроля в архиве.", "Мэр улыбнулся."),
}  # fmt: skip


@pytest.mark.slow
def test_a_short_sentence_run_onto_a_long_one_is_a_merge_in_every_language(encoder: Encoder) -> None:
    # The five-way units see the two sentences as the Russian one, not as a 1-1 unit and an unpaired one.
    def sentences(lang: str) -> tuple[str, ...]:
        extra = (" ".join(LONG_AND_SHORT[lang]),) if lang == "ru" else LONG_AND_SHORT[lang]
        return PARALLEL[lang][:4] + extra + PARALLEL[lang][5:]

    multi = align_multi([doc(lang, sentences(lang)) for lang in ("en", "de", "fr", "es", "ru")], encoder)
    assert [unit.kind for unit in multi.units] == ["1-1-1-1-1"] * 4 + ["2-2-2-2-1"] + ["1-1-1-1-1"] * 3
    assert_document_order(multi)


def test_a_merge_keeps_both_columns_for_the_languages_after_it() -> None:
    # German joins what English says in two sentences: its sentence covers both columns, and the
    # profile the next language meets still has one column per English sentence.
    languages = {"en": language("en", [X, Y, Z], [10, 10, 10]), "de": language("de", [(1, 1, 0), Z], [20, 10])}
    columns = _join(_Columns.of(languages["en"]), languages, languages["de"], AlignOptions())
    assert columns.ranges["de"] == [(0, 2), (2, 3)]
    vectors, _ = columns.profile(languages, 2)
    assert [int(np.argmax(v)) for v in vectors] == [0, 1, 2]


@pytest.mark.parametrize(("length", "covers"), [(40, (1, 2)), (80, (0, 2))])
def test_length_tells_a_merge_from_a_sentence_the_language_lacks(length: int, covers: tuple[int, int]) -> None:
    # German's first sentence matches the second column and a little of the first, as much as a merge
    # would. As long as one column, it is that column's translation and German lacks the first; as
    # long as two, it is the two run together.
    languages = {
        "en": language("en", [X, Y, Z], [40, 40, 40]),
        "de": language("de", [(0.45, 1.0, 0.0), Z], [length, 40]),
    }
    columns = _join(_Columns.of(languages["en"]), languages, languages["de"], AlignOptions())
    assert columns.ranges["de"] == [covers, (2, 3)]


def test_a_merge_across_a_paragraph_break_the_other_languages_keep_is_still_a_merge() -> None:
    # German runs a short first sentence onto the long one that opens the next paragraph in English.
    # Its line is as long as the two and mostly says the second: a merge, although it straddles a
    # break (at the pairwise paragraph weight it would take the second column and lack the first).
    languages = {
        "en": language("en", [X, Y, Z], [20, 80, 40], paragraphs=[1]),
        "de": language("de", [(0.2, 1.0, 0.0), Z], [100, 40], paragraphs=[1]),
    }
    columns = _join(_Columns.of(languages["en"]), languages, languages["de"], AlignOptions())
    assert columns.ranges["de"] == [(0, 2), (2, 3)]


def test_a_split_splits_the_column_under_the_sentence_it_splits() -> None:
    languages = {"en": language("en", [(1, 1, 0), Z], [20, 10]), "de": language("de", [X, Y, Z], [10, 10, 10])}
    columns = _join(_Columns.of(languages["en"]), languages, languages["de"], AlignOptions())
    assert columns.ranges == {"en": [(0, 2), (2, 3)], "de": [(0, 1), (1, 2), (2, 3)]}
    assert [g.members for g in columns.groups()] == [{"en": [0], "de": [0, 1]}, {"en": [1], "de": [2]}]


def test_may_link_matches_the_plain_definition() -> None:
    """Two partial units may be linked as moved when they share no language and some unit between
    them holds a language of each; the vectorised check agrees with that definition on random units."""
    from aligner.multi import _Group, _may_link

    rng = np.random.default_rng(7)
    langs = ["en", "de", "fr", "es"]
    for _ in range(20):
        groups = [
            _Group({lang: [0] for lang in langs if rng.random() < 0.6} or {"en": [0]})
            for _ in range(int(rng.integers(3, 30)))
        ]
        partial = [k for k, g in enumerate(groups) if len(g.members) < len(langs)]
        expected = np.array(
            [
                [
                    not (groups[a].members.keys() & groups[b].members.keys())
                    and any(
                        g.members.keys() & groups[a].members.keys() and g.members.keys() & groups[b].members.keys()
                        for g in groups[min(a, b) + 1 : max(a, b)]
                    )
                    for b in partial
                ]
                for a in partial
            ]
        ).reshape(len(partial), len(partial))
        assert (_may_link(groups, partial, langs) == expected).all()


@pytest.mark.slow
def test_an_empty_pivot_leaves_the_others_aligned_among_themselves(encoder: Encoder) -> None:
    docs = [SegmentedDocument(lang="en", paragraphs=()), doc("de", PARALLEL["de"]), doc("fr", PARALLEL["fr"])]
    multi = align_multi(docs, encoder)
    assert [unit.kind for unit in multi.units] == ["0-1-1"] * len(PARALLEL["de"])
    assert_document_order(multi)
