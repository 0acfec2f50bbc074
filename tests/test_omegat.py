"""OmegaT, a real CAT tool, auto-translates a document from our TMX placed in its tm/auto folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from aligner.languages import locale_for
from aligner.lint import fix_tmx, lint_tmx
from aligner.tmx import units_from_bitext, units_from_multi, write_tmx
from aligner.types import Alignment, Bead, MultiAlignment, SegmentedDocument, Unit

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("omegat") is None, reason="OmegaT is not installed (Debian package omegat)"),
]

# OmegaT 3.6 needs every element below (JAXB schema), and both omegat.project and an omegat/ folder
# before it accepts a directory as a project.
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>{source}</source_lang>
        <target_lang>{target}</target_lang>
        <source_tok>org.omegat.tokenizer.LuceneDefaultTokenizer</source_tok>
        <target_tok>org.omegat.tokenizer.LuceneDefaultTokenizer</target_tok>
        <sentence_seg>true</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"""

EN = (("The meeting took place in Geneva.", "Both sides reaffirmed their commitment."), ("Talks will continue.",))
FR = (
    ("La réunion a eu lieu à Genève.", "Les deux parties ont réaffirmé leur engagement."),
    ("Les pourparlers continueront.",),
)
DE = (
    ("Das Treffen fand in Genf statt.", "Beide Seiten bekräftigten ihr Engagement."),
    ("Die Gespräche werden fortgesetzt.",),
)


def translate_with_omegat(tmp_path: Path, source: str, target: str, tmx_name: str) -> str:
    """Run OmegaT's console translation on a project holding EN as source.txt; return the target file."""
    project = tmp_path / "project"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True, exist_ok=True)
    (project / "omegat.project").write_text(
        PROJECT.format(source=locale_for(source), target=locale_for(target)), encoding="utf-8"
    )
    (project / "source" / "statement.txt").write_text("\n\n".join(" ".join(p) for p in EN) + "\n", encoding="utf-8")
    shutil.copy(tmp_path / tmx_name, project / "tm" / "auto" / tmx_name)

    result = subprocess.run(
        [
            "omegat",
            str(project),
            "--mode=console-translate",
            f"--config-dir={tmp_path / 'config'}",
            "--disable-project-locking",
            "--no-team",
            "--quiet",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return (project / "target" / "statement.txt").read_text(encoding="utf-8")


def test_omegat_applies_a_bitext_tmx(tmp_path: Path) -> None:
    en = SegmentedDocument("en", EN, "statement/en.txt")
    fr = SegmentedDocument("fr", FR, "statement/fr.txt")
    beads = tuple(Bead((i,), (i,), 0.9) for i in range(3))
    write_tmx(tmp_path / "en-fr.tmx", units_from_bitext(Alignment(en, fr, beads)), srclang="en")

    translated = translate_with_omegat(tmp_path, "en", "fr", "en-fr.tmx")

    assert translated.split("\n\n")[0].strip() == " ".join(FR[0])
    assert "Les pourparlers continueront." in translated
    assert "Geneva" not in translated


def test_omegat_applies_a_multilingual_tmx(tmp_path: Path) -> None:
    docs = (SegmentedDocument("de", DE), SegmentedDocument("en", EN), SegmentedDocument("fr", FR))
    units = tuple(Unit(tuple((d.lang, (i,)) for d in docs), 0.9) for i in range(3))
    write_tmx(tmp_path / "all.tmx", units_from_multi(MultiAlignment(docs, units)), srclang="*all*")

    # German comes first in the TMX; OmegaT still matches on the project's English source.
    translated = translate_with_omegat(tmp_path, "en", "fr", "all.tmx")

    assert translated.split("\n\n")[0].strip() == " ".join(FR[0])
    assert "Les pourparlers continueront." in translated
    assert "Genf" not in translated and "Geneva" not in translated


def test_omegat_applies_a_memory_lint_repaired(tmp_path: Path) -> None:
    # Another tool's memory with what lint repairs: a BOM, a control character, an *all* srclang in a
    # two-language file, a date not in UTC form, en-US among en-GB, and a variant without xml:lang.
    (tmp_path / "broken.tmx").write_text(
        "\ufeff"
        + '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        + '<header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en-US" '
        + 'srclang="*all*" datatype="plaintext" creationdate="2024-01-05 10:00"/>\n<body>\n'
        + "".join(
            f'<tu><tuv xml:lang="{en}"><seg>{e}</seg></tuv>{fr}<seg>{f}</seg></tuv></tu>\n'
            for en, fr, e, f in (
                ("en-GB", '<tuv xml:lang="fr-FR">', EN[0][0], FR[0][0] + "\x0b"),
                ("en-US", "<tuv>", EN[0][1], FR[0][1]),
                ("en-GB", '<tuv xml:lang="fr-FR">', EN[1][0], FR[1][0]),
                ("en-GB", '<tuv xml:lang="fr-FR">', "Unused.", ""),
            )
        )
        + "</body>\n</tmx>\n",
        encoding="utf-8",
    )
    assert lint_tmx(tmp_path / "broken.tmx").errors
    fix_tmx(lint_tmx(tmp_path / "broken.tmx"), tmp_path / "fixed.tmx")
    assert lint_tmx(tmp_path / "fixed.tmx").problems == ()

    translated = translate_with_omegat(tmp_path, "en", "fr", "fixed.tmx")

    assert translated.split("\n\n")[0].strip() == " ".join(FR[0])
    assert "Les pourparlers continueront." in translated
