"""The review model: every edit keeps each language in document order with each sentence in one unit."""

from __future__ import annotations

import random

import pytest

from aligner.review import Edit, EditError, Review, ReviewUnit


def review(*units: tuple[int, ...], langs: tuple[str, ...] = ("en", "ru")) -> Review:
    """Units given as counts; sentence i of language xx reads "xx<i>"."""
    totals = [sum(unit[k] for unit in units) for k in range(len(langs))]
    sentences = {lang: tuple(f"{lang}{i}" for i in range(n)) for lang, n in zip(langs, totals, strict=False)}
    return Review(langs=langs, sentences=sentences, units=tuple(ReviewUnit(counts=u, score=0.9) for u in units))


def table(r: Review) -> list[dict[str, list[str]]]:
    """Each unit as {lang: sentences}, languages without sentences left out: easy to read in asserts."""
    return [{lang: list(s) for lang, s in texts.items() if s} for _, texts in r.texts()]


def test_move_a_sentence_to_the_previous_unit() -> None:
    r = review((1, 1), (1, 2))
    r.apply(Edit("move-prev", unit=1, lang="ru", sentence=1))
    assert table(r) == [{"en": ["en0"], "ru": ["ru0", "ru1"]}, {"en": ["en1"], "ru": ["ru2"]}]
    assert [u.edits for u in r.units] == [("move-prev",), ("move-prev",)]


def test_moving_a_later_sentence_takes_the_ones_before_it_along() -> None:
    r = review((1, 1), (1, 3))
    r.apply(Edit("move-prev", unit=1, lang="ru", sentence=2))
    assert table(r) == [{"en": ["en0"], "ru": ["ru0", "ru1", "ru2"]}, {"en": ["en1"], "ru": ["ru3"]}]


def test_move_a_sentence_to_the_next_unit() -> None:
    r = review((1, 2), (1, 1))
    r.apply(Edit("move-next", unit=0, lang="ru", sentence=1))
    assert table(r) == [{"en": ["en0"], "ru": ["ru0"]}, {"en": ["en1"], "ru": ["ru1", "ru2"]}]


def test_a_unit_emptied_by_a_move_disappears() -> None:
    r = review((1, 1), (0, 1), (1, 1))
    r.apply(Edit("move-prev", unit=1, lang="ru", sentence=1))
    assert table(r) == [{"en": ["en0"], "ru": ["ru0", "ru1"]}, {"en": ["en1"], "ru": ["ru2"]}]


def test_merge_with_the_next_unit() -> None:
    r = review((1, 1), (1, 0), (1, 1))
    r.apply(Edit("merge", unit=0))
    assert table(r) == [{"en": ["en0", "en1"], "ru": ["ru0"]}, {"en": ["en2"], "ru": ["ru1"]}]
    assert r.units[0].edited and not r.units[1].edited


def test_split_cuts_the_other_languages_at_the_same_fraction() -> None:
    r = review((2, 2, 1), langs=("de", "en", "ru"))
    r.apply(Edit("split", unit=0, lang="en", sentence=1))
    assert table(r) == [{"de": ["de0"], "en": ["en0"], "ru": ["ru0"]}, {"de": ["de1"], "en": ["en1"]}]


def test_split_needs_a_sentence_that_is_not_the_first_of_its_unit() -> None:
    r = review((2, 2))
    with pytest.raises(EditError, match="not its unit's first"):
        r.apply(Edit("split", unit=0, lang="en", sentence=0))


def test_mark_the_last_sentence_as_having_no_counterpart() -> None:
    r = review((1, 2))
    r.apply(Edit("unpair", unit=0, lang="ru", sentence=1))
    assert table(r) == [{"en": ["en0"], "ru": ["ru0"]}, {"ru": ["ru1"]}]
    assert not r.units[1].linked


def test_mark_the_first_sentence_as_having_no_counterpart() -> None:
    r = review((1, 2))
    r.apply(Edit("unpair", unit=0, lang="ru", sentence=0))
    assert table(r) == [{"ru": ["ru0"]}, {"en": ["en0"], "ru": ["ru1"]}]


def test_mark_a_middle_sentence_as_having_no_counterpart() -> None:
    r = review((1, 3))
    r.apply(Edit("unpair", unit=0, lang="ru", sentence=1))
    assert table(r) == [{"en": ["en0"], "ru": ["ru0"]}, {"ru": ["ru1"]}, {"ru": ["ru2"]}]


def test_a_sentence_alone_already_has_no_counterpart() -> None:
    r = review((1, 1), (0, 1))
    with pytest.raises(EditError, match="already"):
        r.apply(Edit("unpair", unit=1, lang="ru", sentence=1))


def test_confirm_marks_a_unit_reviewed_without_editing_it() -> None:
    r = review((1, 1), (1, 1))
    r.apply(Edit("confirm", unit=1, at="2025-03-12T10:00:00+00:00"))
    assert [u.reviewed for u in r.units] == [False, True]
    assert r.units[1].confirmed and not r.units[1].edited
    assert r.units[1].reviewed_at == "2025-03-12T10:00:00+00:00"
    assert r.reviewed == 1


def test_undo_and_redo() -> None:
    r = review((1, 1), (1, 1))
    before = table(r)
    r.apply(Edit("merge", unit=0))
    merged = table(r)
    r.apply(Edit("undo"))
    assert table(r) == before and r.can_redo
    r.apply(Edit("redo"))
    assert table(r) == merged and not r.can_redo
    assert r.version == 3


def test_a_new_edit_clears_redo() -> None:
    r = review((1, 1), (1, 1), (1, 1))
    r.apply(Edit("merge", unit=0))
    r.apply(Edit("undo"))
    r.apply(Edit("confirm", unit=2))
    assert not r.can_redo
    with pytest.raises(EditError, match="nothing to redo"):
        r.apply(Edit("redo"))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (Edit("move-prev", unit=0, lang="en", sentence=0), "no previous unit"),
        (Edit("move-next", unit=1, lang="en", sentence=1), "no next unit"),
        (Edit("merge", unit=1), "no next unit"),
        (Edit("merge", unit=7), "no unit 7"),
        (Edit("move-next", unit=0, lang="en", sentence=1), "not in unit 0"),
        (Edit("move-next", unit=0, lang="fr", sentence=0), "unknown language 'fr'"),
        (Edit("undo"), "nothing to undo"),
    ],
)
def test_impossible_edits_are_refused_and_change_nothing(edit: Edit, message: str) -> None:
    r = review((1, 1), (1, 1))
    with pytest.raises(EditError, match=message):
        r.apply(edit)
    assert table(r) == [{"en": ["en0"], "ru": ["ru0"]}, {"en": ["en1"], "ru": ["ru1"]}]
    assert r.version == 0


def test_invariants_hold_after_any_sequence_of_edits() -> None:
    """Random edits on a five-language review: every one keeps each sentence in one unit, in order."""
    rng = random.Random(14)
    langs = ("de", "en", "es", "fr", "ru")
    r = review(*[tuple(rng.choice((0, 1, 1, 2)) or 1 for _ in langs) for _ in range(30)], langs=langs)
    originals = {lang: list(r.sentences[lang]) for lang in langs}
    applied = 0
    for _ in range(2000):
        unit = rng.randrange(len(r.units))
        op = rng.choice(("move-prev", "move-next", "merge", "split", "unpair", "confirm", "undo", "redo"))
        lang = rng.choice(langs)
        members = r.members(unit)[lang]
        sentence = rng.choice(members) if members else 0
        try:
            r.apply(Edit(op, unit=unit, lang=lang, sentence=sentence))
            applied += 1
        except EditError:
            continue
        # Concatenating the units gives back every language's document, sentence by sentence.
        for lang_ in langs:
            assert [s for unit_ in table(r) for s in unit_.get(lang_, [])] == originals[lang_]
        assert all(any(u.counts) for u in r.units)
    assert applied > 500 and r.version == applied


def test_replaying_the_edits_gives_the_same_review() -> None:
    edits = [
        Edit("merge", unit=0),
        Edit("split", unit=0, lang="en", sentence=1),
        Edit("undo"),
        Edit("unpair", unit=1, lang="ru", sentence=2),
    ]
    first, second = review((1, 1), (1, 1), (1, 2)), review((1, 1), (1, 1), (1, 2))
    for edit in edits:
        first.apply(edit)
    second.replay(edits)
    assert second.units == first.units and second.version == first.version
