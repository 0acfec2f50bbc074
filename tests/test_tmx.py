"""TMX 1.4b: units from alignments, the streaming writer, the safe reader, merging."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _paths import SHARED
from lxml import etree

import aligner
from aligner.errors import AlignmentError, TMXError
from aligner.tmx import (
    TranslationUnit,
    merge_tmx,
    read_header,
    read_tmx,
    units_from_bitext,
    units_from_multi,
    write_tmx,
)
from aligner.types import Alignment, Bead, MultiAlignment, SegmentedDocument, Unit

SCHEMAS = SHARED / "schemas"
FIXED_DATE = datetime(2024, 5, 17, 9, 30, 0, tzinfo=UTC)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def statement() -> MultiAlignment:
    """Three language versions of a short statement, aligned by hand (including a 1-2 and a gap)."""
    source = "https://example.org/statement/42"
    de = SegmentedDocument("de", (("Guten Tag.", "Wir danken Ihnen."), ("Das ist alles.",)), source, "42", "2024-05-16")
    en = SegmentedDocument("en", (("Good afternoon.", "We thank you."), ("That is all.",)), source + "?en", "42")
    fr = SegmentedDocument("fr", (("Bonjour.", "Nous vous remercions.", "Vraiment."), ()), source + "?fr", "42")
    units = (
        Unit((("de", (0,)), ("en", (0,)), ("fr", (0,))), 0.91),
        Unit((("de", (1,)), ("en", (1,)), ("fr", (1, 2))), 0.7654),
        Unit((("de", (2,)), ("en", (2,)), ("fr", ())), 0.42),
    )
    return MultiAlignment(docs=(de, en, fr), units=units, model="test")


def bitext() -> Alignment:
    en = SegmentedDocument("en", (("Hello.", "How are you?", "Fine."), ("Bye.",)), "a/en.txt")
    ru = SegmentedDocument("ru", (("Привет.", "Как дела? Хорошо."), ("Пока.", "Примечание.")), "a/ru.txt")
    beads = (Bead((0,), (0,), 0.95), Bead((1, 2), (1,), 0.8), Bead((3,), (2,), 0.9), Bead((), (3,), 0.0))
    return Alignment(src=en, tgt=ru, beads=beads)


def write(path: Path, units: Iterator[TranslationUnit] | list[TranslationUnit], srclang: str = "*all*") -> Path:
    write_tmx(path, units, srclang=srclang, creationdate=FIXED_DATE)
    return path


# --- units from alignments ---------------------------------------------------------------------


def test_units_from_multi_carry_texts_and_props() -> None:
    units = list(units_from_multi(statement()))

    assert [u.variants for u in units] == [
        (("de", "Guten Tag."), ("en", "Good afternoon."), ("fr", "Bonjour.")),
        (("de", "Wir danken Ihnen."), ("en", "We thank you."), ("fr", "Nous vous remercions. Vraiment.")),
        (("de", "Das ist alles."), ("en", "That is all.")),  # French has no sentence here
    ]
    assert units[1].props == (
        ("x-score", "0.765"),
        ("x-bead", "1-1-2"),
        ("x-flags", "length"),  # French adds "Vraiment.": far longer than the others
        ("x-document", "https://example.org/statement/42"),
        ("x-doc-id", "42"),
        ("x-date", "2024-05-16"),
    )
    assert units[2].prop("x-bead") == "1-1-0"
    assert units[0].score == 0.91


def test_min_score_and_unpaired_units() -> None:
    assert len(list(units_from_multi(statement(), min_score=0.5))) == 2

    pairs = list(units_from_bitext(bitext()))
    assert [u.prop("x-bead") for u in pairs] == ["1-1", "2-1", "1-1", "0-1"]
    assert pairs[-1].variants == (("ru", "Примечание."),)  # unpaired: only one language

    paired = list(units_from_bitext(bitext(), keep_unpaired=False))
    assert [u.prop("x-bead") for u in paired] == ["1-1", "2-1", "1-1"]
    assert paired[1].variants == (("en", "How are you? Fine."), ("ru", "Как дела? Хорошо."))

    # A multilingual unit present in one language only is unpaired too.
    de = SegmentedDocument("de", (("Nur Deutsch.",),))
    lonely = MultiAlignment((de, SegmentedDocument("en", ())), (Unit((("de", (0,)), ("en", ()))),))
    assert len(list(units_from_multi(lonely))) == 1
    assert list(units_from_multi(lonely, keep_unpaired=False)) == []


def test_bitext_needs_two_languages() -> None:
    doc = SegmentedDocument("en", (("Hi.",),))
    with pytest.raises(AlignmentError, match="both 'en'"):
        list(units_from_bitext(Alignment(doc, doc, (Bead((0,), (0,)),))))


def test_tuids_are_stable_and_unique() -> None:
    first = [u.tuid for u in units_from_multi(statement())]
    again = [u.tuid for u in units_from_multi(statement())]  # the same statement aligned again
    assert first == again
    assert len(set(first)) == len(first)

    # The same documents read from elsewhere keep their ids: they come from the texts and languages.
    moved = statement()
    moved = MultiAlignment(
        tuple(SegmentedDocument(d.lang, d.paragraphs, "https://example.org/other", "43") for d in moved.docs),
        moved.units,
    )
    assert [u.tuid for u in units_from_multi(moved)] == first

    # Another statement that shares these sentences gets other ids.
    longer = statement()
    longer = MultiAlignment(
        tuple(SegmentedDocument(d.lang, (*d.paragraphs, ("P.S.",))) for d in longer.docs), longer.units
    )
    assert not set(first) & {u.tuid for u in units_from_multi(longer)}

    # A sentence pair repeated inside one document still gets distinct ids.
    en = SegmentedDocument("en", (("Thank you.", "Thank you."),))
    de = SegmentedDocument("de", (("Danke.", "Danke."),))
    repeated = Alignment(en, de, (Bead((0,), (0,)), Bead((1,), (1,))))
    ids = [u.tuid for u in units_from_bitext(repeated)]
    assert len(set(ids)) == 2 and ids == [u.tuid for u in units_from_bitext(repeated)]


def test_x_document_names_the_statement_never_a_local_path() -> None:
    def document(*sources: str) -> str | None:
        docs = tuple(
            SegmentedDocument(lang, (("Hi.",),), source) for lang, source in zip(("de", "en"), sources, strict=False)
        )
        multi = MultiAlignment(docs, (Unit((("de", (0,)), ("en", (0,))), 0.9),))
        return next(units_from_multi(multi)).prop("x-document")

    assert document("samples/de.txt", "samples/en.txt") == "samples"
    assert document("../aligner/samples/de.json", str(Path("samples/en.txt").absolute())) == "samples"
    assert document("a/de.txt", "b/en.txt") == "a+b"  # files from two folders: both are named
    assert document("https://example.org/de/1", "https://example.org/en/1") == "https://example.org/de/1"
    assert document("/tmp/x/de.txt", "https://example.org/en/1") == "https://example.org/en/1"


# --- writing -------------------------------------------------------------------------------------


def test_round_trip(tmp_path: Path) -> None:
    units = list(units_from_multi(statement()))
    assert write_tmx(tmp_path / "m.tmx", units, srclang="*all*") == 3
    assert list(read_tmx(tmp_path / "m.tmx")) == units

    pairs = list(units_from_bitext(bitext()))
    write(tmp_path / "b.tmx", pairs, srclang="en")
    assert list(read_tmx(tmp_path / "b.tmx")) == pairs


def test_header_and_locales(tmp_path: Path) -> None:
    path = write(tmp_path / "m.tmx", units_from_multi(statement()))
    root = etree.parse(path).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    assert dict(root.find("header").attrib) == {
        "creationtool": "aligner",
        "creationtoolversion": aligner.__version__,
        "segtype": "sentence",
        "o-tmf": "aligner",
        "adminlang": "en-US",
        "srclang": "*all*",
        "datatype": "plaintext",
        "creationdate": "20240517T093000Z",
    }
    assert [tuv.get(XML_LANG) for tuv in root.iter("tuv")][:3] == ["de-DE", "en-GB", "fr-FR"]
    assert read_header(path)["srclang"] == "*all*"

    # A bitext memory names its source locale; --locale overrides reach the header and every <tuv>.
    bi = write_tmx(tmp_path / "b.tmx", units_from_bitext(bitext()), srclang="en", locales={"en": "en-US"})
    assert bi == 4
    root = etree.parse(tmp_path / "b.tmx").getroot()
    assert root.find("header").get("srclang") == "en-US"
    assert {tuv.get(XML_LANG) for tuv in root.iter("tuv")} == {"en-US", "ru-RU"}


def test_output_is_reproducible_with_a_fixed_date(tmp_path: Path) -> None:
    a = write(tmp_path / "a.tmx", units_from_multi(statement()))
    b = write(tmp_path / "b.tmx", units_from_multi(statement()))
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_characters_xml_cannot_carry_are_removed(tmp_path: Path) -> None:
    dirty = "a\x00b\x0bc\x1fd\ud800e\ufffef\uffffg"
    kept = "tab\there\nnew line\rcarriage return, emoji \U0001f600, CJK 中文"
    unit = TranslationUnit("t\x01id", (("en", dirty), ("fr", kept)), (("x-note", "p\x02q"),))
    path = write(tmp_path / "x.tmx", [unit], srclang="en")

    data = path.read_bytes()
    data.decode("utf-8")  # valid UTF-8 (a raw surrogate could not be encoded)
    etree.fromstring(data)  # well-formed
    assert list(read_tmx(path)) == [TranslationUnit("tid", (("en", "abcdefg"), ("fr", kept)), (("x-note", "pq"),))]


def test_a_failing_input_leaves_no_file(tmp_path: Path) -> None:
    def units() -> Iterator[TranslationUnit]:
        yield from units_from_multi(statement())
        raise RuntimeError("aligner crashed")

    target = tmp_path / "out.tmx"
    with pytest.raises(RuntimeError, match="crashed"):
        write(target, units())
    assert list(tmp_path.iterdir()) == []  # neither the TMX nor its temporary file

    target.write_text("previous memory")
    with pytest.raises(RuntimeError):
        write(target, units())
    assert target.read_text() == "previous memory"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tmx"]


def _schemas() -> Path:
    if not (SCHEMAS / "tmx14.xsd").is_file():
        pytest.skip(f"TMX schemas not found at {SCHEMAS} (the shared folder is absent)")
    return SCHEMAS


@pytest.mark.parametrize("kind", ["multilingual", "bitext"])
def test_output_validates_against_tmx14_xsd_and_dtd(tmp_path: Path, kind: str) -> None:
    schemas = _schemas()
    if kind == "multilingual":
        path = write(tmp_path / "m.tmx", units_from_multi(statement()))
    else:
        path = write(tmp_path / "b.tmx", units_from_bitext(bitext()), srclang="en")
    document = etree.parse(path)

    xsd = etree.XMLSchema(etree.parse(schemas / "tmx14.xsd"))
    assert xsd.validate(document), xsd.error_log
    dtd = etree.DTD(schemas / "tmx14.dtd")
    assert dtd.validate(document), dtd.error_log


def test_the_xsd_catches_what_the_dtd_lets_through(tmp_path: Path) -> None:
    """libxml2's DTD check accepts a <tuv> without xml:lang; the XSD does not, so we check both."""
    schemas = _schemas()
    path = write(tmp_path / "m.tmx", units_from_multi(statement()))
    document = etree.parse(path)
    next(document.iter("tuv")).attrib.pop(XML_LANG)
    assert not etree.XMLSchema(etree.parse(schemas / "tmx14.xsd")).validate(document)


@pytest.mark.slow
def test_xmllint_validates_output(tmp_path: Path) -> None:
    schemas = _schemas()
    if shutil.which("xmllint") is None:
        pytest.skip("xmllint is not installed (Debian package libxml2-utils)")
    path = write(tmp_path / "m.tmx", units_from_multi(statement()))
    result = subprocess.run(
        ["xmllint", "--noout", "--schema", str(schemas / "tmx14.xsd"), str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "validates" in result.stderr


# --- reading -------------------------------------------------------------------------------------

OTHER_TOOL_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6.0" segtype="sentence" o-tmf="OmegaT TMX"
          adminlang="EN-US" srclang="EN-US" datatype="plaintext"/>
  <body>
    <!-- a comment -->
    <tu tuid="u1" creationid="someone">
      <note>checked</note>
      <prop type="x-context">menu</prop>
      <tuv xml:lang="EN-US">
        <seg>Click <bpt i="1" x="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> now <ph x="2">&lt;br/&gt;</ph> please.</seg>
      </tuv>
      <tuv xml:lang="pt-BR"><prop type="x-note">n</prop>
        <seg>Clique em <hi type="bold">Salvar <it pos="begin">&lt;i&gt;</it>agora</hi>.</seg>
      </tuv>
      <tuv xml:lang="zh-Hans-CN"><seg>点击<ph>&lt;img alt="<sub>logo</sub>"/&gt;</ph>保存。</seg></tuv>
      <tuv xml:lang="de-DE"><seg></seg></tuv>
    </tu>
    <tu><tuv xml:lang="es"><seg><ut>{\\b}</ut>Hola</seg></tuv></tu>
  </body>
</tmx>
"""

TMX_1_1 = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.1"><header srclang="EN" adminlang="EN" creationtool="old" creationtoolversion="1"
 segtype="sentence" o-tmf="x" datatype="plaintext"/><body>
<tu><tuv lang="EN"><seg>Good morning</seg></tuv><tuv lang="FR-CA"><seg>Bon matin</seg></tuv></tu>
</body></tmx>
"""


def test_reads_other_tools_tmx_with_inline_markup(tmp_path: Path) -> None:
    path = tmp_path / "omegat.tmx"
    path.write_text(OTHER_TOOL_TMX, encoding="utf-8")

    first, second = read_tmx(path)
    assert first == TranslationUnit(
        tuid="u1",
        variants=(("en", "Click Save now please."), ("pt", "Clique em Salvar agora."), ("zh", "点击保存。")),
        props=(("x-context", "menu"),),
    )
    assert first.score is None
    assert second == TranslationUnit("", (("es", "Hola"),))
    assert read_header(path)["creationtool"] == "OmegaT"


def test_reads_tmx_1_1_lang_attributes(tmp_path: Path) -> None:
    path = tmp_path / "old.tmx"
    path.write_text(TMX_1_1, encoding="utf-8")
    assert list(read_tmx(path)) == [TranslationUnit("", (("en", "Good morning"), ("fr", "Bon matin")))]


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "xxe.tmx"
    path.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>
<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>before &xxe;&remote; after</seg></tuv><tuv xml:lang="fr"><seg>x</seg></tuv></tu>
</body></tmx>"""
    )
    units = list(read_tmx(path))
    assert units[0].text("en") == "before after"


def test_billion_laughs_is_not_expanded(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "lol.tmx"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY lol0 "lol">{entities}]>'
        '<tmx version="1.4"><header srclang="en"/><body>'
        '<tu><tuv xml:lang="en"><seg>a&lol9;b</seg></tuv></tu></body></tmx>'
    )
    try:
        units = list(read_tmx(path))
    except TMXError as error:  # libxml2 refuses the amplification outright
        assert "not well-formed" in str(error)
    else:
        assert units == [TranslationUnit("", (("en", "ab"),))]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("<tmx version='1.4'><body><tu>", "not well-formed XML"),
        ("<html><body><p>hello</p></body></html>", "not a TMX file"),
        ("", "not well-formed XML"),
        ("<tmx><body><tu><tuv xml:lang='??'><seg>x</seg></tuv></tu></body></tmx>", "no usable language"),
    ],
    ids=["missing", "truncated", "html", "empty", "bad-lang"],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "in.tmx"
    if content is not None:
        path.write_text(content)
    with pytest.raises(TMXError, match=message) as error:
        list(read_tmx(path))
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_too_large_files_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "m.tmx", units_from_multi(statement()))
    with pytest.raises(TMXError, match="larger than the 100 bytes limit"):
        list(read_tmx(path, max_bytes=100))
    with pytest.raises(TMXError, match="is a directory"):
        list(read_tmx(tmp_path))


# --- merging -------------------------------------------------------------------------------------


def test_merge_dedupes_and_filters(tmp_path: Path) -> None:
    units = list(units_from_multi(statement()))
    a = write(tmp_path / "a.tmx", units[:2])
    b = write(tmp_path / "b.tmx", units[1:])  # units[1] is in both
    other = tmp_path / "omegat.tmx"
    other.write_text(OTHER_TOOL_TMX, encoding="utf-8")

    summary = merge_tmx([a, b, other], tmp_path / "all.tmx")
    assert (summary.read, summary.written, summary.duplicates) == (6, 5, 1)
    merged = list(read_tmx(tmp_path / "all.tmx"))
    assert merged[:3] == units and len(merged) == 5
    assert read_header(tmp_path / "all.tmx")["srclang"] == "*all*"

    summary = merge_tmx([a, b], tmp_path / "all.tmx", dedupe=False, min_score=0.5)
    assert (summary.written, summary.below_min_score) == (3, 1)
    assert [u.tuid for u in read_tmx(tmp_path / "all.tmx")] == [units[0].tuid, units[1].tuid, units[1].tuid]


def test_merge_keeps_a_common_source_language(tmp_path: Path) -> None:
    pairs = list(units_from_bitext(bitext()))
    a = write(tmp_path / "a.tmx", pairs[:2], srclang="en")
    b = write(tmp_path / "b.tmx", pairs[2:], srclang="en")
    merge_tmx([a, b], tmp_path / "ab.tmx")
    assert read_header(tmp_path / "ab.tmx")["srclang"] == "en-GB"
    assert list(read_tmx(tmp_path / "ab.tmx")) == pairs


def test_merge_of_a_bad_input_writes_nothing(tmp_path: Path) -> None:
    good = write(tmp_path / "a.tmx", units_from_multi(statement()))
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><body><tu>")
    with pytest.raises(TMXError, match="bad.tmx: not well-formed"):
        merge_tmx([good, bad], tmp_path / "out.tmx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tmx", "bad.tmx"]


# --- other tools read our output -------------------------------------------------------------------


def test_translate_toolkit_reads_bitext_and_multilingual_tmx(tmp_path: Path) -> None:
    from translate.storage import tmx as tt_tmx

    path = write(tmp_path / "b.tmx", units_from_bitext(bitext(), keep_unpaired=False), srclang="en")
    with path.open("rb") as handle:
        store = tt_tmx.tmxfile(handle)
    assert len(store.units) == 3
    assert store.translate("How are you? Fine.") == "Как дела? Хорошо."
    assert store.units[0].getid() == next(units_from_bitext(bitext())).tuid

    # For a multilingual unit translate-toolkit reads the first two <tuv> as source and target.
    path = write(tmp_path / "m.tmx", units_from_multi(statement()))
    with path.open("rb") as handle:
        store = tt_tmx.tmxfile(handle)
    assert store.translate("Wir danken Ihnen.") == "We thank you."
    assert [(u.source, u.target) for u in store.units][2] == ("Das ist alles.", "That is all.")
