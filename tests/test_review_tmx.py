"""A review loads aligner's TMX (or a fresh alignment) and saves back TMX with x-reviewed; nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aligner.errors import InputError
from aligner.review import (
    Edit,
    Journal,
    ReviewSession,
    StaleEditError,
    journal_path,
    review_from_multi,
    review_from_tmx,
    save_review,
)
from aligner.tmx import TranslationUnit, read_tmx, units_from_multi, write_tmx
from aligner.types import MultiAlignment, SegmentedDocument, Unit

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)


def statement() -> MultiAlignment:
    """Three English and four Russian sentences; the last unit is 1-2, and a title without a period."""
    en = SegmentedDocument("en", (("Opening remarks",), ("Dear colleagues.", "We met in Geneva.")), source="en.txt")
    ru = SegmentedDocument(
        "ru",
        (("Вступительное слово",), ("Уважаемые коллеги.", "Мы встречались в Женеве.", "Это было в ноябре.")),
        source="ru.txt",
    )
    units = (
        Unit(members=(("en", (0,)), ("ru", (0,))), score=0.9),
        Unit(members=(("en", (1,)), ("ru", (1,))), score=0.3),
        Unit(members=(("en", (2,)), ("ru", (2, 3))), score=0.8),
    )
    return MultiAlignment(docs=(en, ru), units=units)


@pytest.fixture()
def tmx(tmp_path: Path) -> Path:
    path = tmp_path / "statement.tmx"
    write_tmx(path, units_from_multi(statement()), srclang="*all*")
    return path


def test_a_fresh_alignment_keeps_its_sentences_exactly() -> None:
    review = review_from_multi(statement())
    assert review.langs == ("en", "ru")
    assert review.sentences["ru"][2:] == ("Мы встречались в Женеве.", "Это было в ноябре.")
    assert [u.counts for u in review.units] == [(1, 1), (1, 1), (1, 2)]
    assert [u.score for u in review.units] == [0.9, 0.3, 0.8]


def test_a_moved_unit_shows_the_sentences_it_holds() -> None:
    # The last English sentence translates the first Russian one: a moved unit placed where English has it.
    en = SegmentedDocument("en", (("We met in Geneva.", "Dear colleagues.", "It was November."),))
    ru = SegmentedDocument("ru", (("Это было в ноябре.", "Мы встречались в Женеве.", "Уважаемые коллеги."),))
    units = (
        Unit(members=(("en", (0,)), ("ru", (1,))), score=0.9),
        Unit(members=(("en", (1,)), ("ru", (2,))), score=0.9),
        Unit(members=(("en", (2,)), ("ru", (0,))), score=0.8, moved=True),
    )
    multi = MultiAlignment(docs=(en, ru), units=units)
    review = review_from_multi(multi)
    shown = [{lang: " ".join(texts[lang]) for lang in review.langs} for _, texts in review.texts()]
    assert shown == [{lang: multi.text(unit, lang) for lang in multi.langs} for unit in units]


def test_an_aligner_tmx_is_segmented_again(tmx: Path) -> None:
    review = review_from_tmx(tmx)
    assert [u.counts for u in review.units] == [(1, 1), (1, 1), (1, 2)]
    assert review.sentences["ru"] == review_from_multi(statement()).sentences["ru"]
    assert [u.tuid for u in review.units] == [tu.tuid for tu in read_tmx(tmx)]


def test_saving_marks_reviewed_units_and_keeps_the_others_as_they_were(tmx: Path, tmp_path: Path) -> None:
    review = review_from_tmx(tmx)
    review.apply(Edit("confirm", unit=0, at="2025-03-12T09:00:00+00:00"))
    review.apply(Edit("move-next", unit=1, lang="ru", sentence=1, at="2025-03-12T09:01:00+00:00"))
    out = tmp_path / "reviewed.tmx"
    assert save_review(review, out, now=NOW) == 3
    first, second, third = read_tmx(out)
    original = list(read_tmx(tmx))

    assert first.tuid == original[0].tuid and first.prop("x-score") == "0.900"
    assert first.prop("x-reviewed") == "2025-03-12T09:00:00+00:00"
    assert first.prop("x-confidence") == "1.000"
    assert first.prop("x-confidence-reason") == "confirmed by a reviewer"

    assert second.variants == (("en", "Dear colleagues."),)
    assert third.text("ru") == "Уважаемые коллеги. Мы встречались в Женеве. Это было в ноябре."
    for unit in (second, third):
        assert unit.prop("x-review-edits") == "move-next"
        assert unit.prop("x-confidence-reason") == "edited by a reviewer"
        assert unit.prop("x-score") is None  # it measured sentences the unit no longer holds
        assert unit.tuid not in {tu.tuid for tu in original}
    assert third.prop("x-bead") == "1-3" and third.prop("x-sentences") == "ru:18,24,18"
    assert third.prop("x-document") == original[2].prop("x-document")


def test_a_saved_review_loads_back_with_the_same_sentences_and_reviews(tmx: Path, tmp_path: Path) -> None:
    review = review_from_tmx(tmx)
    review.apply(Edit("merge", unit=0, at="2025-03-12T09:00:00+00:00"))  # joins a title and a sentence
    out = tmp_path / "reviewed.tmx"
    save_review(review, out, now=NOW)
    again = review_from_tmx(out)
    assert again.sentences == review.sentences  # x-sentences keeps "Opening remarks" apart
    assert [u.counts for u in again.units] == [u.counts for u in review.units]
    assert [(u.edited, u.reviewed) for u in again.units] == [(True, True), (False, False)]


def test_the_journal_brings_edits_back_after_a_crash(tmx: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.tmx"
    session = ReviewSession(review_from_tmx(tmx), out)
    session.edit(Edit("merge", unit=1), seen_version=0)
    session.edit(Edit("confirm", unit=0), seen_version=1)
    # The process dies here; a new one starts on the same input.
    restarted = ReviewSession(review_from_tmx(tmx), out)
    assert restarted.review.units == session.review.units
    assert restarted.review.version == 2
    assert journal_path(out) == tmp_path / "out.tmx.journal"


def test_a_line_cut_short_by_a_crash_is_ignored(tmx: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.tmx"
    ReviewSession(review_from_tmx(tmx), out).edit(Edit("merge", unit=1), seen_version=0)
    with journal_path(out).open("a", encoding="utf-8") as handle:
        handle.write('{"op": "confi')
    assert ReviewSession(review_from_tmx(tmx), out).review.version == 1


def test_a_journal_of_another_alignment_is_refused(tmx: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.tmx"
    ReviewSession(review_from_multi(statement()), out).edit(Edit("merge", unit=0), seen_version=0)
    other = review_from_tmx(tmx)
    other.apply(Edit("merge", unit=1))
    with pytest.raises(InputError, match="another alignment"):
        Journal(journal_path(out), other).edits()


def test_an_edit_made_on_a_stale_view_is_rejected(tmx: Path, tmp_path: Path) -> None:
    session = ReviewSession(review_from_tmx(tmx), tmp_path / "out.tmx")
    session.edit(Edit("confirm", unit=0), seen_version=0)  # first tab
    with pytest.raises(StaleEditError, match="changed elsewhere"):
        session.edit(Edit("merge", unit=0), seen_version=0)  # second tab, still showing version 0
    assert session.review.version == 1
    assert len(Journal(journal_path(tmp_path / "out.tmx"), review_from_tmx(tmx)).edits()) == 1


def test_confidence_and_flags_come_from_the_props(tmp_path: Path) -> None:
    path = tmp_path / "other.tmx"
    variants = (("en", "Thank you."), ("ru", "Спасибо."))
    write_tmx(
        path,
        [
            TranslationUnit("a", variants, (("x-score", "0.400"), ("x-confidence", "0.950"))),
            TranslationUnit("b", variants, (("x-score", "0.900"), ("x-flag", "date mismatch"))),
            TranslationUnit("c", variants, ()),
        ],
        srclang="*all*",
    )
    review = review_from_tmx(path)
    assert [(u.score, u.flagged) for u in review.units] == [(0.95, False), (0.9, True), (None, False)]
