"""``kill`` or Ctrl-C in the middle of writing leaves the old result and no temporary file behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _paths import ROOT


def big_memory(path: Path, units: int) -> None:
    """A TMX large enough that ``aligner merge`` is still writing it when the signal comes."""
    body = "".join(
        f'<tu tuid="{i}"><tuv xml:lang="en"><seg>Sentence number {i} of a long memory.</seg></tuv>'
        f'<tuv xml:lang="de"><seg>Satz Nummer {i} eines langen Speichers.</seg></tuv></tu>\n'
        for i in range(units)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="test" '
        'creationtoolversion="1" datatype="plaintext" segtype="sentence" adminlang="en" srclang="en" '
        f'o-tmf="test"/><body>\n{body}</body></tmx>\n',
        encoding="utf-8",
    )


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_merge_removes_the_temporary_file(tmp_path: Path, signum: int, exit_code: int) -> None:
    if signal.getsignal(signum) == signal.SIG_IGN:
        pytest.skip("the signal is ignored in this test run, and so in the aligner it starts")
    big_memory(tmp_path / "big.tmx", 60_000)
    out = tmp_path / "merged.tmx"
    out.write_text("previous result", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from aligner.cli import main; main()",
            "merge",
            str(tmp_path / "big.tmx"),
            "-o",
            str(out),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".merged.tmx.*.part")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, "merge finished before it could be interrupted"
        time.sleep(0.2)  # well into writing
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == exit_code, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.tmx", "merged.tmx"]
    assert out.read_text(encoding="utf-8") == "previous result"
