"""``aligner review`` on the command line: documented, and bad input fails before any server starts."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aligner.cli import app
from aligner.tmx import TranslationUnit, write_tmx

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


@pytest.mark.slow
def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    pytest.importorskip("starlette", reason="aligner review needs: pip install 'aligner[review]'")
    tmx = tmp_path / "in.tmx"
    write_tmx(tmx, [TranslationUnit("1", (("en", "Thank you."), ("ru", "Спасибо.")))], srclang="*all*")
    process = subprocess.Popen(
        [sys.executable, "-c", "from aligner.cli import main; main()", "review", str(tmx), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline()
    assert url.startswith("http://127.0.0.1:") and "?token=" in url
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "stopped; unsaved edits stay in" in err and "in.reviewed.tmx.journal" in err
    assert "token" not in err  # the URL is printed once, on stdout; no access log repeats it
