"""``aligner lint`` and ``aligner filter`` from the command line: one line per problem, exit codes, no stray files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aligner.cli import app
from aligner.tmx import TranslationUnit, read_tmx, write_tmx

runner = CliRunner()

BROKEN = """\ufeff<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
<header srclang="*all*" creationdate="2024-01-05"/>
<body>
<tu><tuv xml:lang="en-GB"><seg>Talks\x01 went well.</seg></tuv><tuv xml:lang="fr-FR"><seg>Tout va bien.</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Talks will continue.</seg></tuv><tuv xml:lang="fr-FR"><seg>On continue.</seg></tuv></tu>
<tu><tuv xml:lang="en-GB"><seg>Talks will continue.</seg></tuv><tuv xml:lang="fr-FR"><seg>On continue.</seg></tuv></tu>
</body>
</tmx>
"""


def broken(tmp_path: Path) -> Path:
    (tmp_path / "in.tmx").write_text(BROKEN, encoding="utf-8")
    return tmp_path / "in.tmx"


def test_lint_prints_one_line_per_problem_and_fails_on_errors(tmp_path: Path) -> None:
    path = broken(tmp_path)
    result = runner.invoke(app, ["lint", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:5: error: 1 character XML 1.0 forbids (U+0001) [forbidden-char]",
        f"{path}:3: error: srclang is *all* in a two-language file (Trados wants the source) [srclang]",
        f"{path}:6: error: one language written as en-GB (2) and en-US (1) [mixed-locales]",
        f'{path}:3: error: 1 date not in TMX\'s UTC form YYYYMMDDThhmmssZ (creationdate="2024-01-05") [date]',
        f"{path}:1: warning: a byte order mark (BOM) before the XML declaration [bom]",
        f"{path}:7: warning: 1 duplicate unit (the same segments in the same languages) [duplicate]",
    ]
    assert result.stderr == f"{path}: 4 errors, 2 warnings in 3 units\n"


def test_lint_fix_writes_a_clean_copy(tmp_path: Path) -> None:
    path, fixed = broken(tmp_path), tmp_path / "fixed.tmx"
    result = runner.invoke(app, ["lint", str(path), "--fix", "-o", str(fixed)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        f"{fixed}: 2 units written (fixed: forbidden-char 1, srclang 1, mixed-locales 1, date 1, bom 1, duplicate 1); "
        "0 errors left"
    )
    assert runner.invoke(app, ["lint", str(fixed), "-q"]).exit_code == 0
    assert [u.text("en") for u in read_tmx(fixed)] == ["Talks went well.", "Talks will continue."]


def test_lint_of_a_clean_file_says_so(tmp_path: Path) -> None:
    unit = TranslationUnit("u1", (("en", "Thank you."), ("fr", "Merci.")))
    write_tmx(tmp_path / "ok.tmx", [unit], srclang="en")
    result = runner.invoke(app, ["lint", str(tmp_path / "ok.tmx")])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        f"{tmp_path / 'ok.tmx'}: 0 errors, 0 warnings in 1 unit\n",
    )


def test_lint_usage_and_bad_input(tmp_path: Path) -> None:
    path = broken(tmp_path)
    assert runner.invoke(app, ["lint", str(path), "--fix"]).exit_code == 2
    assert runner.invoke(app, ["lint", str(path), "-o", str(tmp_path / "x.tmx")]).exit_code == 2
    result = runner.invoke(app, ["lint", str(tmp_path / "none.tmx")])
    assert (result.exit_code, result.output) == (2, f"error: {tmp_path / 'none.tmx'}: no such file\n")


def test_lint_fix_refuses_what_it_cannot_repair(tmp_path: Path) -> None:
    path = tmp_path / "in.tmx"
    path.write_text(BROKEN.replace("Talks will continue.</seg>", "Talks <will continue.</seg>", 1), encoding="utf-8")
    result = runner.invoke(app, ["lint", str(path), "--fix", "-o", str(tmp_path / "fixed.tmx")])
    assert result.exit_code == 2
    assert "[malformed]: repair it by hand first" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "fixed.tmx").exists()


def scored(n: int, confidence: float) -> TranslationUnit:
    return TranslationUnit(f"u{n}", (("en", f"Item {n}."), ("de", f"Punkt {n}.")), (("x-confidence", f"{confidence}"),))


def test_filter_reports_what_it_wrote(tmp_path: Path) -> None:
    write_tmx(tmp_path / "in.tmx", [scored(1, 0.95), scored(2, 0.3)], srclang="en")
    out, csv = tmp_path / "kept.tmx", tmp_path / "why.csv"
    result = runner.invoke(
        app, ["filter", str(tmp_path / "in.tmx"), "-o", str(out), "--min-confidence", "0.9", "--reasons", str(csv)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{out}: 1 units written, 1 left out of 2 read (1 confidence)\n"
    assert csv.read_text("utf-8").splitlines()[1] == "2,u2,0.3,confidence,Item 2."


def test_filter_says_when_confidence_is_absent(tmp_path: Path) -> None:
    units = [
        TranslationUnit("a", (("en", "Point 1."), ("de", "Punkt 2."))),
        TranslationUnit("b", (("en", "Yes."), ("de", "Ja."))),
    ]
    write_tmx(tmp_path / "in.tmx", units, srclang="en")
    result = runner.invoke(
        app,
        [
            "filter",
            str(tmp_path / "in.tmx"),
            "-o",
            str(tmp_path / "kept.tmx"),
            "--min-confidence",
            "0.9",
            "--drop-flags",
            "numbers",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'in.tmx'}: all 2 units have no confidence (not scored by aligner): --min-confidence cannot "
        "apply to them",
        f"{tmp_path / 'in.tmx'}: all 2 units have no x-flags: their flags were computed from the texts",
        f"{tmp_path / 'kept.tmx'}: 1 units written, 1 left out of 2 read (1 numbers)",
    ]


def test_filter_fails_in_one_line_when_nothing_is_left(tmp_path: Path) -> None:
    write_tmx(tmp_path / "in.tmx", [scored(1, 0.5)], srclang="en")
    out = tmp_path / "kept.tmx"
    result = runner.invoke(
        app,
        [
            "filter",
            str(tmp_path / "in.tmx"),
            "-o",
            str(out),
            "--min-confidence",
            "0.9",
            "--rejected",
            str(tmp_path / "rejected.tmx"),
        ],
    )
    assert result.exit_code == 6
    assert result.output == f"error: {out}: nothing to write: all 1 units removed (1 confidence)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tmx"]


def test_filter_usage_errors(tmp_path: Path) -> None:
    write_tmx(tmp_path / "in.tmx", [scored(1, 0.5)], srclang="en")
    args = ["filter", str(tmp_path / "in.tmx"), "-o", str(tmp_path / "kept.tmx")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "so nothing to filter on" in _unboxed(result.output)
    result = runner.invoke(app, [*args, "--drop-flags", "numbers,typos"])
    assert result.exit_code == 2 and "unknown flag 'typos'; the flags are numbers, length," in _unboxed(result.output)
    result = runner.invoke(app, [*args, "--drop-flags", "long", "--reasons", str(tmp_path / "why.tsv")])
    assert result.exit_code == 6 and "expected .csv" in result.output


def _unboxed(output: str) -> str:
    """Typer's usage error without its box, on one line."""
    return " ".join(output.replace("│", " ").split())
