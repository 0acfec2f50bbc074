"""``aligner merge`` and ``aligner tmx2table`` from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from aligner.cli import app
from aligner.tmx import TranslationUnit, read_tmx, write_tmx

runner = CliRunner()


def unit(n: int, score: float) -> TranslationUnit:
    return TranslationUnit(
        f"id{n}", (("en", f"Sentence {n}."), ("de", f"Satz {n}.")), (("x-score", f"{score:.3f}"), ("x-bead", "1-1"))
    )


@pytest.fixture
def memories(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.tmx", tmp_path / "b.tmx"
    date = datetime(2024, 1, 1, tzinfo=UTC)
    write_tmx(a, [unit(1, 0.9), unit(2, 0.3)], srclang="en", creationdate=date)
    write_tmx(b, [unit(2, 0.3), unit(3, 0.8)], srclang="en", creationdate=date)
    return a, b


def test_merge(tmp_path: Path, memories: tuple[Path, Path]) -> None:
    out = tmp_path / "merged.tmx"
    result = runner.invoke(app, ["merge", *map(str, memories), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 units written from 4 read (1 duplicates" in result.output
    assert [u.tuid for u in read_tmx(out)] == ["id1", "id2", "id3"]


def test_merge_options(tmp_path: Path, memories: tuple[Path, Path]) -> None:
    out = tmp_path / "merged.tmx"
    result = runner.invoke(app, ["merge", *map(str, memories), "-o", str(out), "--no-dedupe", "--quiet"])
    assert (result.exit_code, result.output) == (0, "")
    assert [u.tuid for u in read_tmx(out)] == ["id1", "id2", "id2", "id3"]

    result = runner.invoke(app, ["merge", *map(str, memories), "--output", str(out), "--min-score", "0.5", "-q"])
    assert result.exit_code == 0
    assert [u.tuid for u in read_tmx(out)] == ["id1", "id3"]


def test_merge_min_confidence_keeps_confident_units_and_those_without_one(tmp_path: Path) -> None:
    def rated(n: int, confidence: str | None) -> TranslationUnit:
        props = (("x-confidence", confidence),) if confidence else ()
        return TranslationUnit(f"id{n}", (("en", f"Sentence {n}."), ("de", f"Satz {n}.")), props)

    memory, out = tmp_path / "a.tmx", tmp_path / "kept.tmx"
    write_tmx(memory, [rated(1, "0.950"), rated(2, "0.420"), rated(3, None)], srclang="en")
    result = runner.invoke(app, ["merge", str(memory), "-o", str(out), "--min-confidence", "0.9"])
    assert result.exit_code == 0, result.output
    assert [u.tuid for u in read_tmx(out)] == ["id1", "id3"]  # another tool's unit has no confidence: kept
    assert "2 units written from 3 read (0 duplicates, 0 below --min-score, 1 below --min-confidence" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "missing.tmx: no such file"), ("<tmx><body>", "missing.tmx: not well-formed XML")],
)
def test_merge_bad_input_is_one_line(
    tmp_path: Path, memories: tuple[Path, Path], content: str | None, message: str
) -> None:
    bad = tmp_path / "missing.tmx"
    if content is not None:
        bad.write_text(content)
    out = tmp_path / "merged.tmx"
    result = runner.invoke(app, ["merge", str(memories[0]), str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("suffix", ["tsv", "parquet"])
def test_tmx2table(tmp_path: Path, memories: tuple[Path, Path], suffix: str) -> None:
    out = tmp_path / f"a.{suffix}"
    result = runner.invoke(app, ["tmx2table", str(memories[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 rows" in result.output

    frame = pl.read_parquet(out) if suffix == "parquet" else pl.read_csv(out, separator="\t")
    assert frame.select("unit", "tuid", "lang", "text", "n_sentences").rows() == [
        (0, "id1", "en", "Sentence 1.", 1),
        (0, "id1", "de", "Satz 1.", 1),
        (1, "id2", "en", "Sentence 2.", 1),
        (1, "id2", "de", "Satz 2.", 1),
    ]
    assert frame["score"].to_list() == [0.9, 0.9, 0.3, 0.3]


def test_tmx2table_errors(tmp_path: Path, memories: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["tmx2table", str(memories[0]), "-o", str(tmp_path / "a.csv")])
    assert result.exit_code == 6
    assert "unknown table format '.csv'" in result.output and "Traceback" not in result.output

    html = tmp_path / "page.tmx"
    html.write_text("<html><body/></html>")
    result = runner.invoke(app, ["tmx2table", str(html), "-o", str(tmp_path / "a.tsv")])
    assert result.exit_code == 2
    assert "page.tmx: not a TMX file" in result.output
    assert not (tmp_path / "a.tsv").exists()


def test_help_shows_examples() -> None:
    for name in ("merge", "tmx2table"):
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0
        assert f"aligner {name}" in result.output


def test_merge_reports_what_was_written_and_refuses_an_empty_result(
    tmp_path: Path, memories: tuple[Path, Path]
) -> None:
    out = tmp_path / "merged.tmx"
    result = runner.invoke(app, ["merge", *map(str, memories), "-o", str(out), "--min-score", "2"])
    assert result.exit_code == 6
    assert result.output.strip().splitlines() == [
        f"error: {out}: nothing to write: 4 units read, 0 duplicates, 4 below --min-score, 0 below --min-confidence"
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "name", "known"), [("merge", "merged.xml", ".tmx"), ("report", "page.pdf", ".html")]
)
def test_an_unknown_output_suffix_is_refused(
    tmp_path: Path, memories: tuple[Path, Path], command: str, name: str, known: str
) -> None:
    result = runner.invoke(app, [command, str(memories[0]), "-o", str(tmp_path / name)])
    assert result.exit_code == 6
    assert result.output.strip().splitlines() == [
        f"error: {tmp_path / name}: unknown output format '{Path(name).suffix}', expected {known}"
    ]
    assert not (tmp_path / name).exists()
