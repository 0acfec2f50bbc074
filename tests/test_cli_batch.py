"""``aligner batch`` reports what it wrote, and writes nothing when nothing is left."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aligner.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
runner = CliRunner()

pytestmark = pytest.mark.slow  # the batch loads the real default model before it reads a statement


def test_a_batch_where_every_statement_failed_writes_no_combined_memory(tmp_path: Path) -> None:
    broken = tmp_path / "in" / "broken"
    broken.mkdir(parents=True)
    shutil.copy(SAMPLES / "en.txt", broken)
    (broken / "de.txt").write_text("", "utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert (summary["failed"], summary["combined"], summary["combined_units"]) == (1, None, 0)
    assert not (out / "combined.tmx").exists()
    assert (out / "summary.csv").exists()  # the summary still says what failed and why
