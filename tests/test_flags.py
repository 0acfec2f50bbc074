"""Reasons for doubt: each flag on a unit that earns it, and not on one that does not."""

from __future__ import annotations

import pytest

from aligner.flags import FLAGS, flags_for, identical, numbers, numbers_differ, segment_language_mismatch
from aligner.types import Unit


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1 000,5 tonnes", "fr", {"1000.5"}),
        ("1.000,5 Tonnen", "de", {"1000.5"}),
        ("1,000.5 tons", "en", {"1000.5"}),
        ("1,5 Prozent", "de", {"1.5"}),
        ("5 %", "fr", {"5"}),
        ("am 12.03.2020", "de", {"12", "3", "2020"}),
        ("March 12, 2020", "en", {"12", "2020"}),
        ("1'000 Franken", "de", {"1000"}),
    ],
)
def test_numbers_are_read_in_each_languages_format(text: str, lang: str, expected: set[str]) -> None:
    assert numbers(text, lang) == expected


def test_numbers_differ_only_when_both_sides_have_an_unmatched_number() -> None:
    assert numbers_differ({"en": "Prices rose by 1.5% in 2015.", "de": "Die Preise stiegen 2016 um 1,5 %."})
    assert not numbers_differ({"en": "Prices rose by 1.5% in 2015.", "de": "Die Preise stiegen 2015 um 1,5 %."})
    assert not numbers_differ({"en": "Two people came in 2015.", "de": "2 Personen kamen 2015."})  # spelled out
    assert not numbers_differ({"en": "In the 1970s.", "es": "En los años 70."})  # a decade


def test_each_flag_on_a_unit_that_earns_it() -> None:
    unit = Unit((("en", (0,)), ("de", (0,))))
    assert flags_for(unit, {"en": "The report is ready.", "de": "The report is ready."}) == ("identical",)
    assert flags_for(unit, {"en": "x" * 2001, "de": "y" * 2001}) == ("long",)
    assert flags_for(Unit((("en", (0,)), ("de", ()))), {"en": "Alone here."}) == ("unpaired",)
    assert flags_for(Unit((("en", (0,)), ("de", (3,))), moved=True), {"en": "Yes.", "de": "Ja."}) == ("moved",)
    assert flags_for(unit, {"en": "Short.", "de": "Ein sehr viel längerer Satz, der nicht passt, gar nicht."}) == (
        "length",
    )
    assert "numbers" in flags_for(unit, {"en": "It costs 40 euros.", "de": "Es kostet 45 Euro."})
    assert flags_for(unit, {"en": "The weather is fine today.", "de": "Das Wetter ist heute schön."}) == ()
    assert set(FLAGS) == {"numbers", "length", "language", "identical", "long", "unpaired", "moved"}


def test_language_flag_needs_a_clear_other_language() -> None:
    german = "Die Bundesregierung hat heute neue Maßnahmen zum Klimaschutz beschlossen."
    assert segment_language_mismatch(german, "en")
    assert not segment_language_mismatch(german, "de")
    assert not segment_language_mismatch("Ja.", "en")  # too short to tell
    assert not identical({"en": "2024", "de": "2024"})  # numbers alone are no untranslated text
