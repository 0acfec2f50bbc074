"""Building the package: its metadata is written without setuptools' license deprecation warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_metadata_builds_with_an_spdx_license_and_no_deprecation_warning(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta; "
         "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    assert "license" not in build.stderr.lower()  # setuptools warns about a license table or classifiers
    metadata = (tmp_path / build.stdout.strip().splitlines()[-1] / "METADATA").read_text("utf-8")
    assert "License-Expression: Apache-2.0" in metadata.splitlines()
