"""``aligner review`` on the command line: documented, and bad input fails before any server starts."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aligner.cli import app

runner = CliRunner()


def test_help_shows_the_options_and_an_example() -> None:
    result = runner.invoke(app, ["review", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for text in ("--output", "--port", "--no-browser", "--threshold", "Example: aligner review"):
        assert text in result.output


def test_a_missing_tmx_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(tmp_path / "absent.tmx"), "--no-browser"])
    assert result.exit_code == 2
    assert "absent.tmx: no such file" in result.output
    assert not (tmp_path / "absent.reviewed.tmx.journal").exists()


def test_a_broken_tmx_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tmx"
    broken.write_text("<tmx><body><tu>", encoding="utf-8")
    result = runner.invoke(app, ["review", str(broken), "--no-browser"])
    assert result.exit_code == 2 and "not well-formed XML" in result.output
