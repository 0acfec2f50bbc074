"""``aligner run``: a statement in several languages to a translation memory, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from _models import PARALLEL, embedding_cache_dir
from lxml import etree
from typer.testing import CliRunner, Result

from aligner.cli import app
from aligner.tmx import read_header, read_tmx

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RU_EXTRA = "Мэр города не присутствовал на церемонии из-за забастовки на железной дороге."


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's --cache-dir: only runs on texts no test has embedded yet load the model."""
    return str(embedding_cache_dir(tmp_path_factory))


@pytest.fixture(scope="module")
def museum(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A statement directory in en/de/ru whose Russian has one sentence the others lack."""
    folder = tmp_path_factory.mktemp("museum")
    texts = {
        "en": PARALLEL["en"],
        "de": PARALLEL["de"],
        "ru": PARALLEL["ru"][:6] + (RU_EXTRA,) + PARALLEL["ru"][6:],
    }
    for lang, sentences in texts.items():
        (folder / f"{lang}.txt").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    return folder


def run(cache: str, *args: str) -> Result:
    return runner.invoke(app, ["run", *args, "--cache-dir", cache])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def assert_one_line_error(result: Result, message: str, exit_code: int) -> None:
    """A failed run prints one 'error:' line (and nothing on stdout) and exits with the error's code."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output


def tuvs(path: Path) -> list[list[tuple[str, str]]]:
    """(xml:lang, text) of every variant, unit by unit."""
    tree = etree.parse(str(path))
    return [[(tuv.get(XML_LANG), tuv.findtext("seg")) for tuv in tu.findall("tuv")] for tu in tree.iterfind("body/tu")]


@pytest.mark.slow
def test_run_samples_to_tmx(cache: str, tmp_path: Path) -> None:
    output = tmp_path / "samples.tmx"
    result = ok(run(cache, str(SAMPLES), "-o", str(output)))
    assert result.stdout == ""
    assert "17 units in de, en, es, fr, ru (1-1-1-1-1 16, 1-2-2-2-2 1)" in result.stderr
    units = tuvs(output)
    assert len(units) == 17
    assert all([lang for lang, _ in unit] == ["de-DE", "en-GB", "es-ES", "fr-FR", "ru-RU"] for unit in units)
    assert read_header(output)["srclang"] == "*all*"
    assert list(tmp_path.iterdir()) == [output]


@pytest.mark.slow
def test_run_json_summary(cache: str, tmp_path: Path) -> None:
    output = tmp_path / "samples.tmx"
    summary = json.loads(ok(run(cache, str(SAMPLES), "-o", str(output), "--json")).stdout)
    assert summary == {
        "languages": ["de", "en", "es", "fr", "ru"],
        "missing": {},
        "sentences": {"de": 17, "en": 18, "es": 18, "fr": 18, "ru": 18},
        "units": 17,
        "bead_types": {"1-1-1-1-1": 16, "1-2-2-2-2": 1},
        "mean_score": summary["mean_score"],
        "mean_confidence": summary["mean_confidence"],
        "confident": summary["confident"],
        "model": "use",
        "outputs": [str(output)],
    }
    assert 0.7 < summary["mean_score"] < 1.0
    confidences = [u.confidence for u in read_tmx(output)]
    assert summary["mean_confidence"] == pytest.approx(sum(confidences) / 17, abs=1e-3)  # type: ignore[arg-type]
    assert summary["confident"] == sum(c is not None and c >= 0.9 for c in confidences)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "flags"), [("t.tsv", []), ("t.txt", ["--format", "tsv"]), ("t.parquet", [])])
def test_run_tables(cache: str, tmp_path: Path, name: str, flags: list[str]) -> None:
    output = tmp_path / name
    ok(run(cache, str(SAMPLES), "-o", str(output), *flags, "-q"))
    frame = pl.read_parquet(output) if name.endswith(".parquet") else pl.read_csv(output, separator="\t")
    assert frame.height == 17 * 5
    assert frame["lang"].unique().sort().to_list() == ["de", "en", "es", "fr", "ru"]


@pytest.mark.slow
def test_run_bitext_writes_every_pair(cache: str, tmp_path: Path) -> None:
    output = tmp_path / "memory.tmx"
    summary = json.loads(ok(run(cache, str(SAMPLES), "-o", str(output), "--bitext", "--json")).stdout)
    langs = ["de", "en", "es", "fr", "ru"]
    expected = [tmp_path / f"memory.{a}-{b}.tmx" for i, a in enumerate(langs) for b in langs[i + 1 :]]
    assert summary["outputs"] == [str(p) for p in expected]
    assert sorted(tmp_path.iterdir()) == sorted(expected)


@pytest.mark.slow
def test_run_selected_pairs(cache: str, tmp_path: Path) -> None:
    output = tmp_path / "memory.tmx"
    ok(run(cache, str(SAMPLES), "-o", str(output), "--pairs", "en-ru, DE-fr", "-q"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory.de-fr.tmx", "memory.en-ru.tmx"]
    assert read_header(tmp_path / "memory.en-ru.tmx")["srclang"] == "en-GB"
    units = tuvs(tmp_path / "memory.en-ru.tmx")
    assert len(units) == 18  # 17 units, but the one that German's joined sentence imposes is split for en-ru
    assert all([lang for lang, _ in unit] == ["en-GB", "ru-RU"] for unit in units)
    assert units[-1] == [("en-GB", "I give the floor to my colleague."), ("ru-RU", "Передаю слово моему коллеге.")]


@pytest.mark.slow
def test_run_locale_override(cache: str, tmp_path: Path) -> None:
    output = tmp_path / "memory.tmx"
    ok(run(cache, str(SAMPLES), "-o", str(output), "--locale", "en=en-US", "--locale", "pt_BR=pt-BR", "-q"))
    assert [lang for lang, _ in tuvs(output)[0]] == ["de-DE", "en-US", "es-ES", "fr-FR", "ru-RU"]


@pytest.mark.slow
def test_run_unpaired_sentences_and_score_filter(cache: str, museum: Path, tmp_path: Path) -> None:
    output = tmp_path / "m.tmx"
    summary = json.loads(ok(run(cache, str(museum), "-o", str(output), "--json")).stdout)
    assert summary["bead_types"] == {"1-1-1": 8, "0-0-1": 1}
    assert len(tuvs(output)) == 9
    assert [("ru-RU", RU_EXTRA)] in tuvs(output)

    ok(run(cache, str(museum), "-o", str(output), "--drop-unpaired", "-q"))
    assert len(tuvs(output)) == 8
    assert [("ru-RU", RU_EXTRA)] not in tuvs(output)

    scores = sorted(u.score for u in read_tmx(output) if u.score)
    threshold = (scores[3] + scores[4]) / 2  # between two scores, so rounding cannot move a unit across
    ok(run(cache, str(museum), "-o", str(output), "--min-score", f"{threshold:.4f}", "-q"))
    kept = list(read_tmx(output))
    assert len(kept) == len(scores) - 4
    assert all((u.score or 0) >= threshold for u in kept)


@pytest.mark.slow
def test_run_explicit_files_and_languages(cache: str, museum: Path, tmp_path: Path) -> None:
    output = tmp_path / "m.tmx"
    summary = json.loads(
        ok(run(cache, f"de={museum / 'de.txt'}", f"EN={museum / 'en.txt'}", "-o", str(output), "--json")).stdout
    )
    assert summary["languages"] == ["de", "en"]
    assert summary["bead_types"] == {"1-1": 8}

    summary = json.loads(ok(run(cache, str(museum), "--langs", "ru,en", "-o", str(output), "--json")).stdout)
    assert summary["languages"] == ["ru", "en"]


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (["no-such-dir"], "no-such-dir: no such file or directory", 2),
        ([], "no input given", 2),
        ([str(SAMPLES), "--langs", "de,zz"], "unknown language code: 'zz'", 2),
        ([str(SAMPLES), "--langs", "de,it"], "no input for it (found de, en, es, fr, ru)", 2),
        ([str(SAMPLES), "--langs", "en"], "need at least two languages to align, got en", 5),
        ([str(SAMPLES), "--model", "nope"], "unknown model 'nope'", 2),
        ([str(SAMPLES), "--pairs", "en-it"], "--pairs names it, not among the inputs (de, en, es, fr, ru)", 2),
        ([str(SAMPLES), "--pairs", "enru"], "--pairs wants pairs like en-ru, got 'enru'", 2),
        ([str(SAMPLES), "--locale", "en"], "--locale wants LL=LOCALE like en=en-US, got 'en'", 2),
        ([str(SAMPLES), "--pivot", "xx1"], "not a language code: 'xx1'", 2),
        (["--url", "en"], "--url wants LL=URL", 2),
        (
            [f"de={SAMPLES / 'en.txt'}", f"en={SAMPLES / 'de.txt'}"],
            "en.txt: the text reads as 'en', expected 'de' (is it the right file for de?)",
            2,
        ),
    ],
)
def test_run_bad_arguments(cache: str, tmp_path: Path, args: list[str], message: str, exit_code: int) -> None:
    result = run(cache, *args, "-o", str(tmp_path / "out.tmx"))
    assert_one_line_error(result, message, exit_code)
    assert not (tmp_path / "out.tmx").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty, no text to process"), (b"\x00\x01\x02\x03binary", "binary data, expected UTF-8 text")],
)
def test_run_bad_input_file(cache: str, tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "de.txt").write_bytes(content)
    (tmp_path / "en.txt").write_text("Hello there.", encoding="utf-8")
    result = run(cache, str(tmp_path), "-o", str(tmp_path / "out.tmx"))
    assert_one_line_error(result, f"de.txt: {message}", 2)


@pytest.mark.slow  # waits out real deadlines and delays
def test_run_unreachable_url(tmp_path: Path) -> None:
    # Port 9 (discard) refuses connections; --retries 0 only keeps the test short.
    result = runner.invoke(
        app,
        [
            "run",
            "http://127.0.0.1:9/",
            "--timeout",
            "1",
            "--retries",
            "0",
            "--no-http-cache",
            "-o",
            str(tmp_path / "out.tmx"),
        ],
    )
    assert_one_line_error(result, "http://127.0.0.1:9/: cannot connect", 4)
    assert list(tmp_path.iterdir()) == []


PAGES = Path(__file__).parent / "pages"
MID_NEW = "/{lang}/foreign_policy/news/1987654/"


def web_args(tmp_path: Path, cache: str) -> list[str]:
    return [
        "--ignore-robots",
        "--delay",
        "0",
        "--timeout",
        "5",
        "--retries",
        "0",
        "--http-cache",
        str(tmp_path / "http"),
        "--cache-dir",
        cache,
        "--json",
        "--quiet",
    ]


@pytest.mark.slow
def test_run_from_one_url_finds_the_other_languages_and_writes_their_memory(
    httpserver, tmp_path: Path, cache: str
) -> None:
    for lang in ("de", "en", "es", "ru", "fr"):
        httpserver.expect_request(MID_NEW.format(lang=lang)).respond_with_data(
            (PAGES / f"new_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8"
        )
    out = tmp_path / "statement.tmx"
    result = runner.invoke(
        app, ["run", httpserver.url_for(MID_NEW.format(lang="en")), "-o", str(out), *web_args(tmp_path, cache)]
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert sorted(summary["languages"]) == ["de", "en", "es", "fr", "ru"]
    units = list(read_tmx(out))
    assert sum(1 for u in units if len(u.variants) == 5) >= len(units) - 2
    assert {u.prop("x-doc-id") for u in units} == {"1987654"}


@pytest.mark.slow
def test_run_with_explicit_urls_and_a_missing_language(httpserver, tmp_path: Path, cache: str) -> None:
    for lang in ("de", "fr"):
        httpserver.expect_request(MID_NEW.format(lang=lang)).respond_with_data(
            (PAGES / f"new_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8"
        )
    httpserver.expect_request(MID_NEW.format(lang="ru")).respond_with_data("", status=404)
    out = tmp_path / "statement.tmx"
    urls = [f"--url={lang}={httpserver.url_for(MID_NEW.format(lang=lang))}" for lang in ("de", "fr", "ru")]
    result = runner.invoke(app, ["run", *urls, "-o", str(out), *web_args(tmp_path, cache)])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert sorted(summary["languages"]) == ["de", "fr"]
    assert "HTTP 404" in summary["missing"]["ru"]
    assert {lang for u in read_tmx(out) for lang in u.langs} == {"de", "fr"}


# --- what the summary reports, what a unit is called, which files are refused -------------------------


@pytest.mark.slow
def test_the_summary_counts_the_units_written(cache: str, museum: Path, tmp_path: Path) -> None:
    output = tmp_path / "m.tmx"
    summary = json.loads(ok(run(cache, str(museum), "-o", str(output), "--drop-unpaired", "--json")).stdout)
    assert summary["units"] == len(tuvs(output)) == 8
    assert sum(summary["bead_types"].values()) == 9  # the alignment they were selected from
    result = ok(run(cache, str(museum), "-o", str(output), "--drop-unpaired"))
    assert "9 units in de, en, ru (1-1-1 8, 0-0-1 1)" in result.stderr  # what was aligned,
    assert f"-> 8 units written to {output}" in result.stderr  # and what was written


@pytest.mark.slow
@pytest.mark.parametrize("name", ["m.tmx", "m.tsv"])
def test_min_confidence_keeps_only_the_confident_units(cache: str, museum: Path, tmp_path: Path, name: str) -> None:
    everything = tmp_path / "all.tmx"
    ok(run(cache, str(museum), "-o", str(everything), "-q"))
    confidences = sorted(u.confidence or 0.0 for u in read_tmx(everything))
    distinct = sorted(set(confidences))
    threshold = (distinct[len(distinct) // 2 - 1] + distinct[len(distinct) // 2]) / 2  # about half are below
    output = tmp_path / name
    summary = json.loads(ok(run(cache, str(museum), "-o", str(output), "--min-confidence", str(threshold),
                                "--json")).stdout)  # fmt: skip
    expected = sum(c >= threshold for c in confidences)
    assert 0 < expected < len(confidences)
    if name.endswith(".tmx"):
        assert [u.confidence is not None and u.confidence >= threshold for u in read_tmx(output)] == [True] * expected
    else:
        assert pl.read_csv(output, separator="\t")["unit"].n_unique() == expected
    assert summary["units"] == expected


@pytest.mark.slow
def test_drop_unpaired_applies_to_tables_too(cache: str, museum: Path, tmp_path: Path) -> None:
    output = tmp_path / "m.tsv"
    summary = json.loads(ok(run(cache, str(museum), "-o", str(output), "--drop-unpaired", "--json")).stdout)
    frame = pl.read_csv(output, separator="\t")
    assert summary["units"] == frame["unit"].n_unique() == 8
    assert RU_EXTRA not in frame["text"].to_list()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["m.tmx", "m.tsv"])
def test_nothing_left_after_filtering_fails_and_writes_nothing(
    cache: str, museum: Path, tmp_path: Path, name: str
) -> None:
    result = run(cache, str(museum), "-o", str(tmp_path / name), "--min-score", "2")
    assert_one_line_error(
        result, "nothing to write: all 9 units were left out by --min-score, --min-confidence or --drop-unpaired", 6
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_unit_ids_and_document_do_not_depend_on_how_the_path_is_typed(
    cache: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SAMPLES.parent)
    ok(run(cache, "samples", "-o", str(tmp_path / "a.tmx"), "-q"))
    monkeypatch.chdir(SAMPLES)
    ok(run(cache, "de=../samples/de.txt", f"en={SAMPLES / 'en.txt'}", "es=es.txt", "fr=./fr.txt", "ru=ru.txt",
           "-o", str(tmp_path / "b.tmx"), "-q"))  # fmt: skip
    a, b = list(read_tmx(tmp_path / "a.tmx")), list(read_tmx(tmp_path / "b.tmx"))
    assert [u.tuid for u in a] == [u.tuid for u in b]
    assert {u.prop("x-document") for u in a + b} == {"samples"}  # the statement, not a local path or one file


@pytest.mark.parametrize("name", ["out.xml", "out", "out.TMX.bak"])
def test_an_unknown_output_suffix_is_refused(cache: str, tmp_path: Path, name: str) -> None:
    result = run(cache, str(SAMPLES), "-o", str(tmp_path / name))
    assert_one_line_error(result, "expected .tmx, .tsv or .parquet (or give --format)", 6)
    assert list(tmp_path.iterdir()) == []


def test_a_suffix_that_contradicts_format_is_refused(cache: str, tmp_path: Path) -> None:
    result = run(cache, str(SAMPLES), "-o", str(tmp_path / "out.tmx"), "--format", "tsv")
    assert_one_line_error(result, "out.tmx: the suffix says tmx, --format says tsv", 6)
