"""Long tables of alignments and translation memories, written as TSV or Parquet."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from aligner.errors import OutputError
from aligner.table import multi_to_frame, table_format, units_to_frame, write_table
from aligner.tmx import read_tmx, units_from_multi, write_tmx
from aligner.types import MultiAlignment, SegmentedDocument, Unit

COLUMNS = ["unit", "tuid", "lang", "text", "n_sentences", "score", "confidence", "bead", "flags", "document"]


def statement() -> MultiAlignment:
    """English, Spanish and Russian aligned by hand: a 1-1-1, a 2-1-1, and a Russian-only sentence."""
    en = SegmentedDocument("en", (("One.", "Two.", "Three."),), "https://example.org/en", "7")
    es = SegmentedDocument("es", (("Uno.", "Dos\ty tres."),), "https://example.org/es", "7")
    ru = SegmentedDocument("ru", (("Один.", 'Два "и"\nтри.', "Четыре."),))
    units = (
        Unit((("en", (0,)), ("es", (0,)), ("ru", (0,))), 0.9),
        Unit((("en", (1, 2)), ("es", (1,)), ("ru", (1,))), 0.6),
        Unit((("en", ()), ("es", ()), ("ru", (2,))), 0.0),
    )
    return MultiAlignment(docs=(en, es, ru), units=units)


def test_multi_to_frame_is_one_row_per_unit_and_language() -> None:
    multi = statement()
    frame = multi_to_frame(multi)

    assert frame.columns == COLUMNS
    assert frame.height == 9  # 3 units x 3 languages, gaps included
    assert frame.schema["unit"] == pl.Int64 and frame.schema["score"] == pl.Float64
    second = frame.filter(pl.col("unit") == 1)
    assert second.select("lang", "text", "n_sentences").rows() == [
        ("en", "Two. Three.", 2),
        ("es", "Dos\ty tres.", 1),
        ("ru", 'Два "и"\nтри.', 1),
    ]
    assert set(second["bead"]) == {"2-1-1"} and set(second["score"]) == {0.6}
    assert set(frame["document"]) == {"https://example.org/en"}
    gap = frame.filter((pl.col("unit") == 2) & (pl.col("lang") == "en")).row(0, named=True)
    assert (gap["text"], gap["n_sentences"]) == ("", 0)

    # The ids are those of the TMX written from the same alignment.
    assert frame["tuid"].unique(maintain_order=True).to_list() == [u.tuid for u in units_from_multi(multi)]
    assert set(multi_to_frame(multi, document="statement 7")["document"]) == {"statement 7"}


def test_multi_to_frame_carries_confidence_and_flags() -> None:
    frame = multi_to_frame(statement(), confidence=[0.95, 0.4, 0.7])

    by_unit = frame.group_by("unit", maintain_order=True).first()
    assert by_unit["confidence"].to_list() == [0.95, 0.4, 0.7]
    assert by_unit["flags"].to_list()[2] == "unpaired"  # only Russian has text
    assert multi_to_frame(statement())["confidence"].is_null().all()  # not computed: null


def test_units_to_frame_from_a_tmx(tmp_path: Path) -> None:
    multi = statement()
    write_tmx(tmp_path / "m.tmx", units_from_multi(multi), srclang="*all*")
    frame = units_to_frame(read_tmx(tmp_path / "m.tmx"))

    # A TMX holds only languages with text, so the gaps of multi_to_frame are absent.
    expected = multi_to_frame(multi).filter(pl.col("n_sentences") > 0)
    assert frame.columns == COLUMNS
    assert frame.with_columns(pl.col("score").round(3)).equals(expected.with_columns(pl.col("score").round(3)))


def test_units_to_frame_of_other_tools_units_has_nulls() -> None:
    from aligner.tmx import TranslationUnit

    frame = units_to_frame([TranslationUnit("", (("en", "Hi"), ("de", "Hallo")), (("x-bead", "weird"),))])
    assert frame.row(0, named=True) == {
        "unit": 0, "tuid": "", "lang": "en", "text": "Hi", "n_sentences": None,
        "score": None, "confidence": None, "bead": "weird", "flags": "", "document": None,
    }  # fmt: skip


@pytest.mark.parametrize("suffix", [".tsv", ".parquet"])
def test_write_table_reads_back(tmp_path: Path, suffix: str) -> None:
    frame = multi_to_frame(statement())
    path = tmp_path / f"table{suffix}"
    write_table(frame, path)

    if suffix == ".tsv":
        back = pl.read_csv(path, separator="\t", schema=frame.schema)
        assert path.read_text(encoding="utf-8").splitlines()[0] == "\t".join(COLUMNS)
    else:
        back = pl.read_parquet(path)
    assert back.equals(frame)  # tabs, quotes and newlines inside texts survive
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_write_table_formats() -> None:
    assert table_format("x/y.PARQUET") == "parquet"
    with pytest.raises(OutputError, match=r"out\.csv: unknown table format '\.csv'"):
        table_format("out.csv")


def test_write_table_explicit_format_and_failure(tmp_path: Path) -> None:
    frame = multi_to_frame(statement())
    write_table(frame, tmp_path / "table.data", "parquet")
    assert pl.read_parquet(tmp_path / "table.data").equals(frame)

    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot write"):
        write_table(frame, blocker / "table.tsv")
