"""``lint_tmx`` finds what CAT tools choke on, each problem in a file made to trigger it; ``fix_tmx`` repairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.errors import TMXError
from aligner.lint import CHECKS, Severity, fix_tmx, lint_tmx
from aligner.tmx import TranslationUnit, read_header, read_tmx, write_tmx

HEADER = '<header creationtool="t" srclang="en-GB" creationdate="20240105T100000Z"/>'


def unit(
    en: str = "The talks went well.",
    fr: str = "Les pourparlers se sont bien passés.",
    *,
    en_lang: str = "en-GB",
    fr_lang: str | None = "fr-FR",
) -> str:
    """One <tu> on one line; ``fr_lang=None`` leaves the French variant without xml:lang."""
    french = f'<tuv xml:lang="{fr_lang}">' if fr_lang else "<tuv>"
    return f'<tu><tuv xml:lang="{en_lang}"><seg>{en}</seg></tuv>{french}<seg>{fr}</seg></tuv></tu>'


def memory(tmp_path: Path, *units: str, header: str = HEADER, prolog: str = "", name: str = "in.tmx") -> Path:
    """A TMX file with one unit per line: unit k (from 1) is on line k + 4."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<tmx version="1.4">', header, "<body>", *units, "</body>"]
    path = tmp_path / name
    path.write_bytes((prolog + "\n".join([*lines, "</tmx>"]) + "\n").encode("utf-8", "surrogateescape"))
    return path


def test_the_aligners_own_memory_is_clean(tmp_path: Path) -> None:
    units = [
        TranslationUnit(f"u{i}", (("en", f"Point {i} was agreed."), ("fr", f"Le point {i} a été adopté.")))
        for i in range(3)
    ]
    write_tmx(tmp_path / "ours.tmx", units, srclang="en")

    report = lint_tmx(tmp_path / "ours.tmx")

    assert (report.units, report.problems) == (3, ())
    assert (report.languages, report.srclang) == (("en", "fr"), "en-GB")


FIRST = unit("Point one was agreed.", "Le premier point a été adopté.")

# code, the unit on line 6 (or the header), the severity expected, the line reported, the count
CASES = {
    "forbidden-char": (unit(en="Tab\x01 and \x0b and &#x1F; and &#0;."), None, 6, 4),
    "bad-bytes": (unit(fr="caf\udce9"), None, 6, 1),  # Latin-1 "é" in a UTF-8 file
    "malformed": (unit(en="a <b c"), None, 6, None),
    "entity": (unit(en="&acme; says hi"), None, 6, 1),
    "missing-lang": (unit(fr_lang=None), None, 6, 1),
    "srclang": (unit(), '<header creationtool="t" creationdate="20240105T100000Z"/>', 3, 1),
    "mixed-locales": (unit(en="The talks are over.", en_lang="en-US"), None, 6, 1),
    "date": (unit().replace("<tu>", '<tu creationdate="2024-01-05 10:00">'), None, 6, 1),
    "empty-segment": (unit(fr=" "), None, 6, 1),
    "long-segment": (unit(en="word " * 500), None, 6, 1),
    "duplicate": (FIRST, None, 6, 1),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_problem_is_reported_once_with_its_line_and_count(tmp_path: Path, code: str) -> None:
    bad, header, line, count = CASES[code]
    entity = '<!DOCTYPE tmx [<!ENTITY acme "ACME">]>\n' if code == "entity" else ""
    path = memory(tmp_path, FIRST, bad, header=header or HEADER)
    if entity:  # the DOCTYPE takes a line: keep the unit on line 6
        path.write_text(path.read_text().replace("<body>\n", "<body>").replace("?>\n", "?>\n" + entity), "utf-8")

    report = lint_tmx(path)

    assert [p.code for p in report.problems] == [code]
    (problem,) = report.problems
    assert (problem.severity, problem.line) == (CHECKS[code][0], line)
    assert count is None or problem.count == count
    assert problem.describe(path).startswith(f"{path}:{line}: {problem.severity.value}: ")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('<header srclang="*all*"/>', "srclang is *all* in a two-language file (Trados wants the source)"),
        ('<header srclang="de-DE"/>', "srclang 'de-DE' is not a language of the file (en, fr)"),
        ('<header srclang="english"/>', "srclang 'english' is not a language code"),
        ('<header srclang="en-US"/>', "srclang 'en-US' but the en variants are 'en-GB'"),
        ("", "there is no <header>, so no srclang"),
    ],
)
def test_a_wrong_srclang_is_an_error(tmp_path: Path, header: str, message: str) -> None:
    report = lint_tmx(memory(tmp_path, unit(), header=header))
    assert [(p.code, p.message) for p in report.errors] == [("srclang", message)]
    assert fix_tmx(report, tmp_path / "fixed.tmx").fixed == {"srclang": 1}
    assert read_header(tmp_path / "fixed.tmx")["srclang"] == "en-GB"


def test_all_is_right_for_three_languages(tmp_path: Path) -> None:
    three = unit().replace("</tu>", '<tuv xml:lang="de-DE"><seg>Die Gespräche liefen gut.</seg></tuv></tu>')
    assert lint_tmx(memory(tmp_path, three, header='<header srclang="*all*"/>')).problems == ()


def test_a_bom_and_a_large_file_are_warnings(tmp_path: Path) -> None:
    path = memory(tmp_path, unit(), prolog="\ufeff")

    report = lint_tmx(path, max_bytes=100)

    assert [(p.code, p.severity, p.line) for p in report.problems] == [
        ("bom", Severity.WARNING, 1),
        ("file-size", Severity.WARNING, None),
    ]
    assert report.errors == ()


def test_fix_repairs_every_problem_it_can_and_keeps_the_rest(tmp_path: Path) -> None:
    path = memory(
        tmp_path,
        unit(en="Hello\x01 world."),
        unit(en="Goodbye.", fr="Au revoir.", en_lang="en-US"),
        unit(en="Thanks.", fr_lang=None),  # fr has no xml:lang: inferred, the file has two languages
        unit(en="Empty.", fr=""),  # the empty French variant goes, and with it the unit
        unit().replace("<tu>", '<tu creationdate="2024-01-05T10:00:00+02:00" changedate="soon">'),
        unit(),
        prolog="\ufeff",
        header='<header srclang="*all*"/>',
    )
    report = lint_tmx(path)
    assert {p.code for p in report.problems} == {
        "forbidden-char",
        "missing-lang",
        "srclang",
        "mixed-locales",
        "date",
        "bom",
        "empty-segment",
        "duplicate",
    }

    summary = fix_tmx(report, tmp_path / "fixed.tmx")

    assert summary.written == 4 and summary.dropped_units == 1
    assert summary.fixed == {
        "forbidden-char": 1,
        "missing-lang": 1,
        "srclang": 1,
        "mixed-locales": 1,
        "date": 2,
        "bom": 1,
        "empty-segment": 1,
        "duplicate": 1,
    }
    assert lint_tmx(tmp_path / "fixed.tmx").problems == ()
    units = list(read_tmx(tmp_path / "fixed.tmx"))
    assert [u.variants for u in units[:3]] == [
        (("en", "Hello world."), ("fr", "Les pourparlers se sont bien passés.")),
        (("en", "Goodbye."), ("fr", "Au revoir.")),
        (("en", "Thanks."), ("fr", "Les pourparlers se sont bien passés.")),
    ]
    fixed = (tmp_path / "fixed.tmx").read_text("utf-8")
    assert 'creationdate="20240105T080000Z"' in fixed and "changedate" not in fixed
    assert "en-US" not in fixed and not fixed.startswith("\ufeff")


def test_fix_keeps_markup_notes_and_props(tmp_path: Path) -> None:
    rich = (
        '<tu tuid="7"><prop type="x-domain">law</prop><note>checked</note>'
        '<tuv xml:lang="en-GB"><seg>Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>'
        '<tuv xml:lang="fr-FR"><seg>Appuyez sur <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept>.</seg>'
        "</tuv></tu>"
    )
    path = memory(tmp_path, rich, unit(en="Bye\x02."))

    fix_tmx(lint_tmx(path), tmp_path / "fixed.tmx")

    assert rich in (tmp_path / "fixed.tmx").read_text("utf-8")


def test_fix_refuses_xml_it_would_have_to_guess_at(tmp_path: Path) -> None:
    report = lint_tmx(memory(tmp_path, unit(en="a <b c"), unit()))
    with pytest.raises(TMXError, match=r"in.tmx:5: error: not well-formed XML, .*repair it by hand first"):
        fix_tmx(report, tmp_path / "fixed.tmx")
    assert not (tmp_path / "fixed.tmx").exists()


def test_a_utf16_memory_from_trados_is_read_and_fixed_as_utf8(tmp_path: Path) -> None:
    text = memory(tmp_path, unit(en="Café\x07."), unit()).read_text("utf-8").replace("UTF-8", "UTF-16")
    (tmp_path / "trados.tmx").write_text(text, encoding="utf-16")

    report = lint_tmx(tmp_path / "trados.tmx")
    fix_tmx(report, tmp_path / "fixed.tmx")

    assert [(p.code, p.line) for p in report.problems] == [("forbidden-char", 5)]
    assert next(read_tmx(tmp_path / "fixed.tmx")).text("en") == "Café."


def test_what_is_no_tmx_at_all_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "page.tmx").write_text("<html><body/></html>")
    with pytest.raises(TMXError, match="page.tmx: not a TMX file"):
        lint_tmx(tmp_path / "page.tmx")
    with pytest.raises(TMXError, match="missing.tmx: no such file"):
        lint_tmx(tmp_path / "missing.tmx")
