"""Strict text input and all-or-nothing output files."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from aligner._io import atomic_write_path, atomic_writer, read_text, remove_dead_partials, split_paragraphs
from aligner.errors import InputError, OutputError


def test_read_text_returns_nfc_text_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "de.txt"
    decomposed = unicodedata.normalize("NFD", "Grüße aus Zürich.")
    path.write_bytes(b"\xef\xbb\xbf" + decomposed.encode("utf-8"))
    assert read_text(path) == "Grüße aus Zürich."


def test_read_text_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("Привет, мир.\n".encode())))
    assert read_text("-") == "Привет, мир.\n"


def test_read_text_empty_standard_input_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n")))
    with pytest.raises(InputError, match="^standard input: empty"):
        read_text("-")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty, no text to process"),
        (b"  \n\t\n", "empty, no text to process"),
        (b"PK\x03\x04\x00\x00binary", "binary data, expected UTF-8 text"),
        (b"caf\xe9 au lait", "not UTF-8 text \\(bad byte at offset 3\\)"),
    ],
)
def test_read_text_bad_files_give_one_line_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        read_text(path)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_read_text_rejects_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory, expected a text file"):
        read_text(tmp_path)


def test_read_text_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000, encoding="utf-8")
    assert read_text(path, max_bytes=5000) == "word " * 1000
    with pytest.raises(InputError, match="larger than"):
        read_text(path, max_bytes=4999)


def test_split_paragraphs_on_blank_lines() -> None:
    text = "Title\n\nFirst line\n  continued here.\n\n\n\nSecond paragraph.\n   \nThird.\n"
    assert split_paragraphs(text) == ("Title", "First line continued here.", "Second paragraph.", "Third.")
    assert split_paragraphs("\r\nOne.\r\n\r\nTwo.") == ("One.", "Two.")
    assert split_paragraphs("  \n\n ") == ()


def test_atomic_writer_replaces_the_file_when_the_block_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.txt"  # missing folders are created
    with atomic_writer(path) as handle:
        handle.write("line 1\nзвезда\n")
        assert not path.exists()  # nothing visible until the block ends
    assert path.read_text(encoding="utf-8") == "line 1\nзвезда\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.txt"]


def test_atomic_writer_binary_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    with atomic_writer(path, "wb") as handle:
        handle.write(b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"


def test_atomic_writer_leaves_nothing_behind_when_the_block_raises(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_writer(path) as handle:
        handle.write("half a result")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_atomic_writer_keeps_the_old_file_when_the_block_raises(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("previous result", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_writer(path) as handle:
        handle.write("new")
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_writer_cannot_write_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write"), atomic_writer(blocker / "out.txt"):
        pass


def test_atomic_write_path_gives_a_temporary_name_renamed_on_success(tmp_path: Path) -> None:
    path = tmp_path / "table.parquet"
    with atomic_write_path(path) as tmp:
        assert tmp != path and tmp.parent == tmp_path
        tmp.write_bytes(b"data")
    assert path.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]

    with pytest.raises(ValueError), atomic_write_path(tmp_path / "other.parquet") as tmp:
        tmp.write_bytes(b"partial")
        raise ValueError("library failed")
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]


def test_a_temporary_file_is_named_after_its_writer(tmp_path: Path) -> None:
    with atomic_writer(tmp_path / "out.txt"):
        [part] = tmp_path.iterdir()
        assert part.name.startswith(f".out.txt.{os.getpid()}.") and part.name.endswith(".part")


def test_only_temporary_files_of_writers_that_are_gone_are_removed(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    names = {
        "live": f".aligned.tmx.{os.getpid()}.k2j4h5g6.part",
        "dead": f".aligned.tmx.{int(gone.stdout)}.k2j4h5g6.part",
        "untagged": ".aligned.tmx.x1y2.part",  # an older version's: nothing says who wrote it
        "result": "aligned.tmx",
    }
    for name in names.values():
        (tmp_path / name).write_text("<tmx", encoding="utf-8")

    remove_dead_partials(tmp_path.iterdir())

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([names["live"], names["result"]])
