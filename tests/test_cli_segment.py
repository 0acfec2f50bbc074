"""``aligner segment``: text file in, one sentence per line out; bad input gives one line and exit != 0."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aligner.cli import app

runner = CliRunner()

TEXT = "Министр С.В.Лавров провел переговоры 5 нояб. 2020 г. в Москве. Стороны\nобсудили Сирию.\n\n\nЧто дальше? Посмотрим!\n"
SENTENCES = "Министр С.В.Лавров провел переговоры 5 нояб. 2020 г. в Москве.\nСтороны обсудили Сирию.\n\nЧто дальше?\nПосмотрим!\n"


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    path = tmp_path / "statement.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_sentences_go_to_stdout(statement: Path) -> None:
    result = runner.invoke(app, ["segment", str(statement), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert result.stdout == SENTENCES


def test_standard_input_is_read_with_a_dash() -> None:
    result = runner.invoke(app, ["segment", "-", "-l", "RU"], input=TEXT)
    assert result.exit_code == 0, result.output
    assert result.stdout == SENTENCES


def test_output_file_is_written_and_summarised(statement: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "sentences.txt"
    result = runner.invoke(app, ["segment", str(statement), "--lang", "ru", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == SENTENCES
    assert result.stdout == ""
    assert "4 sentences in 2 paragraphs" in result.stderr
    assert [p.name for p in out.parent.iterdir()] == ["sentences.txt"]  # no temporary file left


def test_quiet_prints_nothing(statement: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["segment", str(statement), "--lang", "ru", "-o", str(tmp_path / "s.txt"), "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""


def test_language_without_tuned_rules_warns_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "sv.txt"
    path.write_text("Mötet hölls i Stockholm. Dr. Svensson talade.\n", encoding="utf-8")
    result = runner.invoke(app, ["segment", str(path), "--lang", "sv"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Mötet hölls i Stockholm.\nDr. Svensson talade.\n"
    assert "generic rules" in result.stderr


def test_help_shows_an_example() -> None:
    result = runner.invoke(app, ["segment", "--help"])
    assert result.exit_code == 0
    assert "Example: aligner segment" in result.stdout


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("make_input", "lang", "message"),
    [
        (lambda d: _write(d, "empty.txt", b" \n\n \n"), "en", "empty"),
        (lambda d: _write(d, "data.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "en", "binary"),
        (lambda d: _write(d, "latin1.txt", "Grüße.".encode("latin-1")), "de", "not UTF-8"),
        (lambda d: _write(d, "ok.txt", b"Hello. World."), "english", "not a language code"),
        (lambda d: _write(d, "ok.txt", b"Hello. World."), "xx", "unknown language code"),
        (lambda d: str(d / "missing.txt"), "en", "no such file"),
        (lambda d: str(d), "en", "is a directory"),
        (lambda d: _write(d, "file.txt", b"Hello.") + "/inner.txt", "en", "cannot read"),
    ],
    ids=["empty", "binary", "not-utf8", "bad-code", "unknown-code", "missing", "directory", "unreadable-path"],
)
def test_bad_input_is_one_line_and_non_zero_exit(
    make_input: Callable[[Path], str], lang: str, message: str, tmp_path: Path
) -> None:
    out = tmp_path / "result" / "sentences.txt"
    result = runner.invoke(app, ["segment", make_input(tmp_path), "--lang", lang, "-o", str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_file_is_one_line_and_non_zero_exit(statement: Path) -> None:
    statement.chmod(0)
    result = runner.invoke(app, ["segment", str(statement), "--lang", "ru"])
    assert result.exit_code != 0
    assert result.stderr.strip() == f"error: {statement}: permission denied"


def test_a_text_in_another_language_than_given_is_refused(statement: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.txt"
    result = runner.invoke(app, ["segment", str(statement), "--lang", "de", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {statement}: the text reads as 'ru', expected 'de' (is it the right file for de?)"
    ]
    assert not out.exists()
