"""``filter_tmx`` keeps the units a translator can trust; ``text_flags`` says why to doubt another tool's units."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from aligner.errors import OutputError
from aligner.filter import REASON_COLUMNS, filter_tmx
from aligner.flags import text_flags
from aligner.tmx import TranslationUnit, read_header, read_tmx, write_tmx


def scored(n: int, confidence: float, flags: str = "") -> TranslationUnit:
    props = (("x-score", "0.800"), ("x-confidence", f"{confidence:.3f}"), *((("x-flags", flags),) if flags else ()))
    return TranslationUnit(f"u{n}", (("en", f"Item {n} is adopted."), ("de", f"Punkt {n} ist angenommen.")), props)


@pytest.fixture
def ours(tmp_path: Path) -> Path:
    """Four units of the aligner's: confidences 0.95, 0.40, 0.97 (flagged numbers), 0.99."""
    units = [scored(1, 0.95), scored(2, 0.40), scored(3, 0.97, "numbers,length"), scored(4, 0.99)]
    write_tmx(tmp_path / "ours.tmx", units, srclang="en")
    return tmp_path / "ours.tmx"


def test_min_confidence_and_flags_remove_units_with_their_reasons(tmp_path: Path, ours: Path) -> None:
    summary = filter_tmx(
        ours,
        tmp_path / "kept.tmx",
        min_confidence=0.9,
        drop_flags={"numbers"},
        rejected=tmp_path / "rejected.tmx",
        reasons=tmp_path / "reasons.csv",
    )

    assert (summary.read, summary.kept, summary.removed) == (4, 2, 2)
    assert summary.removed_by == {"confidence": 1, "numbers": 1}
    assert (summary.without_confidence, summary.flags_computed) == (0, 0)
    assert [u.tuid for u in read_tmx(tmp_path / "kept.tmx")] == ["u1", "u4"]
    assert [u.tuid for u in read_tmx(tmp_path / "rejected.tmx")] == ["u2", "u3"]
    with open(tmp_path / "reasons.csv", newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            list(REASON_COLUMNS),
            ["2", "u2", "0.400", "confidence", "Item 2 is adopted."],
            ["3", "u3", "0.970", "numbers", "Item 3 is adopted."],
        ]


def test_units_are_kept_as_they_were(tmp_path: Path, ours: Path) -> None:
    filter_tmx(ours, tmp_path / "kept.tmx", drop_flags={"length"})
    assert list(read_tmx(tmp_path / "kept.tmx")) == [u for u in read_tmx(ours) if u.tuid != "u3"]
    assert read_header(tmp_path / "kept.tmx")["srclang"] == "en-GB"


OTHER_TOOL = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="Trados" srclang="en-US"/><body>
<tu><tuv xml:lang="en-US"><seg>Paid 1,500.50.</seg></tuv><tuv xml:lang="de-DE"><seg>Bezahlt 1.500,50.</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Paid 1,500.</seg></tuv><tuv xml:lang="de-DE"><seg>Bezahlt 2.500.</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Microsoft Office</seg></tuv><tuv xml:lang="de-DE"><seg>Microsoft Office</seg></tuv></tu>
</body></tmx>
"""


def test_another_tools_memory_gets_its_flags_computed_and_no_confidence(tmp_path: Path) -> None:
    (tmp_path / "trados.tmx").write_text(OTHER_TOOL, encoding="utf-8")

    summary = filter_tmx(
        tmp_path / "trados.tmx", tmp_path / "kept.tmx", min_confidence=0.9, drop_flags={"numbers", "identical"}
    )

    assert (summary.kept, summary.removed_by) == (1, {"numbers": 1, "identical": 1})
    assert (summary.without_confidence, summary.flags_computed) == (3, 3)
    assert 'xml:lang="en-US"' in (tmp_path / "kept.tmx").read_text("utf-8")  # locales as they were
    assert read_header(tmp_path / "kept.tmx")["srclang"] == "en-US"


def test_nothing_kept_writes_no_file_at_all(tmp_path: Path, ours: Path) -> None:
    outputs = {"rejected": tmp_path / "rejected.tmx", "reasons": tmp_path / "reasons.csv"}
    with pytest.raises(OutputError, match=r"kept.tmx: nothing to write: all 4 units removed \(4 confidence\)"):
        filter_tmx(ours, tmp_path / "kept.tmx", min_confidence=1.0, **outputs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ours.tmx"]


@pytest.mark.parametrize(
    ("variants", "flags"),
    [
        ({"en": "It cost 1,000.5 euros on 03/12/2024.", "fr": "Cela a coûté 1 000,5 euros le 12.03.2024."}, ()),
        ({"en": "It cost 1,000 euros.", "fr": "Cela a coûté 1 500 euros."}, ("numbers",)),
        ({"en": "Yes.", "fr": "Oui, nous le ferons certainement demain matin."}, ("length",)),
        (
            {
                "en": "The government has not raised the taxes.",
                "fr": "The government has not raised the taxes of the people.",
            },
            ("language",),
        ),
        ({"en": "Hello, world!", "de": "hello world"}, ("identical",)),
        ({"en": "x" * 2001, "de": "y" * 2001}, ("long",)),
        ({"en": "Only English.", "de": ""}, ("unpaired",)),
        ({"en": "2024", "de": "2024"}, ()),
    ],
)
def test_unit_flags(variants: dict[str, str], flags: tuple[str, ...]) -> None:
    assert text_flags(variants) == flags
