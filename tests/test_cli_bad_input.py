"""Input that is too large or the wrong shape: every command that reads text fails with one line and no file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from aligner.cli import app

runner = CliRunner()

EN = "The ministers met in Moscow on Tuesday. They discussed trade and transport between the two countries.\n"
DE = "Die Minister trafen sich am Dienstag in Moskau. Sie sprachen über Handel und Verkehr zwischen beiden Ländern.\n"
RU = "Министры встретились во вторник в Москве. Они обсудили торговлю и транспорт между двумя странами."


def assert_refused(result: Result, message: str, output: Path) -> None:
    """One 'error:' line naming the problem, a non-zero exit, no traceback and no output file."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert message in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert not output.exists()


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    folder = tmp_path / "statement"
    folder.mkdir()
    (folder / "en.txt").write_text(EN, encoding="utf-8")
    (folder / "de.txt").write_text(DE, encoding="utf-8")
    return folder


# --- --max-chars --------------------------------------------------------------------------------


def test_run_refuses_a_text_over_max_chars(statement: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.tmx"
    result = runner.invoke(app, ["run", str(statement), "--max-chars", "50", "-o", str(out)])
    assert_refused(result, f"{statement / 'de.txt'}: 110 characters, more than --max-chars 50", out)


def test_align_refuses_a_text_over_max_chars(statement: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    args = ["align", str(statement / "en.txt"), str(statement / "de.txt"), "-s", "en", "-t", "de"]
    result = runner.invoke(app, [*args, "--max-chars", "50", "-o", str(out)])
    assert_refused(result, "en.txt: 102 characters, more than --max-chars 50", out)


def test_segment_refuses_a_text_over_max_chars(statement: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    result = runner.invoke(app, ["segment", str(statement / "en.txt"), "-l", "en", "--max-chars", "50", "-o", str(out)])
    assert_refused(result, "en.txt: 102 characters, more than --max-chars 50", out)


@pytest.mark.slow
def test_batch_refuses_a_statement_over_max_chars(statement: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(tmp_path), "-o", str(out), "--max-chars", "50", "-q", "--json"])
    summary = json.loads(result.stdout)
    assert result.exit_code != 0
    assert "more than --max-chars 50" in json.dumps(summary)
    assert "Traceback" not in result.output
    assert not list(out.glob("statement/*.tmx"))


def test_max_chars_is_a_cap_not_a_target(statement: Path) -> None:
    result = runner.invoke(app, ["segment", str(statement / "en.txt"), "-l", "en", "--max-chars", "102"])
    assert result.exit_code == 0, result.output


# --- JSON documents -----------------------------------------------------------------------------


def document(**fields: object) -> str:
    return json.dumps({"lang": "ru", "title": "", "paragraphs": [RU], **fields})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000, "ru.json: not a document JSON written by 'aligner fetch' (nested too deeply)"),
        ('{"lang": "ru", "paragraphs": ', "(invalid JSON at line 1, column 30: Expecting value)"),
        ('["a", "b"]', '(expected an object with "paragraphs", got a list)'),
        ('{"lang": "ru"}', '(no "paragraphs")'),
        (document(paragraphs=RU), '"paragraphs" must be a list of strings, got a string'),
        (document(paragraphs=[RU, 5]), '"paragraphs"[1] must be a string, got a number'),
        (document(paragraphs=[RU, ["nested"]]), '"paragraphs"[1] must be a string, got a list'),
        (document(title=["x"]), '"title" must be a string, got a list'),
        (document(meta="x"), '"meta" must be an object, got a string'),
        (document(paragraphs=[" ", ""]), "ru.json: no paragraphs"),
    ],
)
def test_run_refuses_a_json_document_of_the_wrong_shape(
    statement: Path, tmp_path: Path, content: str, message: str
) -> None:
    (statement / "ru.json").write_text(content, encoding="utf-8")
    out = tmp_path / "out.tmx"
    assert_refused(runner.invoke(app, ["run", str(statement), "-o", str(out)]), message, out)


def test_run_names_the_file_and_place_of_a_lone_surrogate(statement: Path, tmp_path: Path) -> None:
    # json.dumps writes the escape "\ud800", which json.loads turns into a lone surrogate.
    (statement / "ru.json").write_text(document(paragraphs=[RU, "Итоги \ud800 встречи."]), encoding="ascii")
    out = tmp_path / "out.tmx"
    result = runner.invoke(app, ["run", str(statement), "-o", str(out)])
    assert_refused(result, 'ru.json: a lone surrogate U+D800 in "paragraphs"[1] at character 7', out)
    assert "use:" not in result.output
