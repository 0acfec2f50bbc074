"""The whole job as library calls: the sample statement in five languages to TMX, TSV and Parquet."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from _models import embedding_cache_dir
from _paths import SHARED
from lxml import etree

from aligner.embed import EmbeddingCache, Encoder
from aligner.errors import AlignmentError, LanguageError, OutputError
from aligner.pipeline import (
    OutputOptions,
    Written,
    align_documents,
    all_pairs,
    write_alignment,
)
from aligner.sources import load_statement
from aligner.tmx import read_header, read_tmx
from aligner.types import Document, MultiAlignment

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SCHEMAS = SHARED / "schemas"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def encoder(use_encoder: Encoder, tmp_path_factory: pytest.TempPathFactory) -> EmbeddingCache:
    """As in ``aligner run``: the cache embeds the English pivot once instead of once per language pair."""
    return EmbeddingCache(use_encoder, cache_dir=embedding_cache_dir(tmp_path_factory))


@pytest.fixture(scope="module")
def multi(encoder: Encoder) -> MultiAlignment:
    return align_documents(load_statement([str(SAMPLES)]), encoder)


def parse_tmx(path: Path) -> etree._ElementTree:
    """Parse a written TMX file, validating it against the TMX 1.4b DTD when ../shared has it."""
    tree = etree.parse(str(path))
    dtd = SCHEMAS / "tmx14.dtd"
    if dtd.is_file():
        schema = etree.DTD(str(dtd))
        assert schema.validate(tree), schema.error_log.filter_from_errors()
    return tree


@pytest.mark.slow
def test_samples_align_into_five_way_units(multi: MultiAlignment) -> None:
    assert multi.langs == ("de", "en", "es", "fr", "ru")
    assert multi.model == "use"
    kinds = [unit.kind for unit in multi.units]
    # German writes "More than 2,000 students ... and we are ready to ..." as one sentence, the others as two.
    assert kinds == ["1-1-1-1-1"] * 11 + ["1-2-2-2-2"] + ["1-1-1-1-1"] * 5
    assert multi.text(multi.units[0], "en").startswith("Opening remarks by the Minister")
    assert multi.text(multi.units[-1], "ru") == "Передаю слово моему коллеге."
    for doc in multi.docs:
        assert [i for unit in multi.units for i in unit.indices(doc.lang)] == list(range(len(doc.sentences)))


@pytest.mark.slow
def test_write_multilingual_tmx(multi: MultiAlignment, tmp_path: Path) -> None:
    output = tmp_path / "memory.tmx"
    assert write_alignment(multi, output, OutputOptions()) == [Written(output, len(multi.units))]
    tree = parse_tmx(output)
    tus = tree.findall("body/tu")
    assert len(tus) == len(multi.units)
    assert [tuv.get(XML_LANG) for tuv in tus[0].findall("tuv")] == ["de-DE", "en-GB", "es-ES", "fr-FR", "ru-RU"]
    assert read_header(output)["srclang"] == "*all*"
    units = list(read_tmx(output))
    assert [u.text("fr") for u in units] == [multi.text(unit, "fr") for unit in multi.units]
    assert [u.prop("x-bead") for u in units] == [unit.kind for unit in multi.units]
    assert list(tmp_path.iterdir()) == [output]  # no temporary file left beside it


@pytest.mark.slow
def test_locales_and_score_filter(multi: MultiAlignment, tmp_path: Path) -> None:
    output = tmp_path / "memory.tmx"
    threshold = sorted(unit.score for unit in multi.units)[3]
    write_alignment(multi, output, OutputOptions(min_score=threshold, locales={"en": "en-US"}))
    tus = parse_tmx(output).findall("body/tu")
    assert len(tus) == sum(unit.score >= threshold for unit in multi.units) == len(multi.units) - 3
    assert "en-US" in [tuv.get(XML_LANG) for tuv in tus[0].findall("tuv")]


@pytest.mark.slow
def test_bitext_files_are_named_after_their_pair(multi: MultiAlignment, tmp_path: Path) -> None:
    output = tmp_path / "memory.tmx"
    written = [w.path for w in write_alignment(multi, output, OutputOptions(pairs=(("en", "ru"), ("de", "fr"))))]
    assert written == [tmp_path / "memory.en-ru.tmx", tmp_path / "memory.de-fr.tmx"]
    assert not output.exists()
    for path, (src, tgt) in zip(written, [("en", "ru"), ("de", "fr")], strict=False):
        tree = parse_tmx(path)
        assert tree.find("header").get("srclang") == {"en": "en-GB", "de": "de-DE"}[src]
        units = list(read_tmx(path))
        assert all(u.langs == (src, tgt) for u in units)
        assert len(units) == len(multi.units)


@pytest.mark.slow
def test_bitext_units_are_split_finer_with_an_encoder(multi: MultiAlignment, encoder: Encoder, tmp_path: Path) -> None:
    # Unit 11 holds two English and two Russian sentences only because German joins them.
    [written] = write_alignment(multi, tmp_path / "m.tmx", OutputOptions(pairs=(("en", "ru"),)), encoder)
    units = list(read_tmx(written.path))
    assert written.units == len(units)
    assert len(units) == len(multi.units) + 1
    assert [u.prop("x-bead") for u in units] == ["1-1"] * 18
    assert units[11].text("en") == "More than 2,000 students from Nordland study at our universities."


@pytest.mark.slow
def test_tsv_and_parquet_hold_the_same_table(multi: MultiAlignment, tmp_path: Path) -> None:
    tsv, parquet = tmp_path / "memory.tsv", tmp_path / "memory.parquet"
    write_alignment(multi, tsv, OutputOptions(format="tsv"))
    write_alignment(multi, parquet, OutputOptions(format="parquet"))
    from_tsv = pl.read_csv(tsv, separator="\t")
    from_parquet = pl.read_parquet(parquet)
    assert from_tsv.columns == from_parquet.columns
    assert from_tsv.columns[:4] == ["unit", "tuid", "lang", "text"]
    assert from_parquet.height == len(multi.units) * len(multi.langs)
    assert from_tsv["text"].to_list() == from_parquet["text"].to_list()
    en = from_parquet.filter(pl.col("lang") == "en")["text"].to_list()
    assert en == [multi.text(unit, "en") for unit in multi.units]


@pytest.mark.slow
def test_table_bitext_keeps_only_the_pair(multi: MultiAlignment, tmp_path: Path) -> None:
    [written] = write_alignment(multi, tmp_path / "t.tsv", OutputOptions(format="tsv", pairs=(("es", "ru"),)))
    path = written.path
    assert path.name == "t.es-ru.tsv"
    assert sorted(pl.read_csv(path, separator="\t")["lang"].unique().to_list()) == ["es", "ru"]


@pytest.mark.slow
def test_unknown_pair_language_writes_nothing(multi: MultiAlignment, tmp_path: Path) -> None:
    with pytest.raises(LanguageError, match=r"--pairs names it, zh, not among the inputs \(de, en, es, fr, ru\)"):
        write_alignment(multi, tmp_path / "m.tmx", OutputOptions(pairs=(("en", "zh"), ("it", "de"))))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_unknown_format(multi: MultiAlignment, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="unknown output format 'xlsx'"):
        write_alignment(multi, tmp_path / "m.xlsx", OutputOptions(format="xlsx"))  # type: ignore[arg-type]


def test_all_pairs() -> None:
    assert all_pairs(("de", "en", "ru")) == (("de", "en"), ("de", "ru"), ("en", "ru"))
    assert all_pairs(("de",)) == ()


def test_a_document_without_text_cannot_be_aligned(use_encoder: Encoder) -> None:
    docs = [Document(lang="en", paragraphs=("Hello there.",)), Document(lang="fr", paragraphs=())]
    with pytest.raises(AlignmentError, match="no text to align in fr$"):
        align_documents(docs, use_encoder)
    with pytest.raises(AlignmentError, match="need at least two languages"):
        align_documents(docs[:1], use_encoder)
