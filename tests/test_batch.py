"""Batch alignment: statement folders and URL lists in, per-statement memories, a combined memory and a summary out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from aligner.batch import BatchOptions, StatementResult, read_batch_input, run_batch
from aligner.cli import app
from aligner.embed import EmbeddingCache, Encoder
from aligner.errors import InputError
from aligner.fetch import FetchOptions
from aligner.tmx import read_tmx

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PAGES = Path(__file__).parent / "pages"
LANGS = ("de", "en", "es", "ru", "fr")


@pytest.fixture(scope="module")
def cache(use_encoder: Encoder) -> EmbeddingCache:
    """One embedding cache for the module: each sample sentence is embedded once for all tests."""
    return EmbeddingCache(use_encoder)


@pytest.fixture
def statements(tmp_path: Path) -> Path:
    """Four statements: complete, a copy with one changed sentence, one without es and fr, one with an empty file."""
    root = tmp_path / "in"
    full, copy, partial, broken = (root / name for name in ("a-full", "b-copy", "c-partial", "d-broken"))
    shutil.copytree(SAMPLES, full)
    shutil.copytree(SAMPLES, copy)
    en = (copy / "en.txt").read_text("utf-8")
    (copy / "en.txt").write_text(en.replace("Thank you.", "Thank you very much."), "utf-8")
    partial.mkdir()
    for lang in ("de", "en", "ru"):
        shutil.copy(SAMPLES / f"{lang}.txt", partial)
    broken.mkdir()
    shutil.copy(SAMPLES / "en.txt", broken)
    (broken / "de.txt").write_text("", "utf-8")
    return root


def aligner(*args: str) -> subprocess.Popen[str]:
    """A real ``aligner`` process (what a user starts from two terminals)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SAMPLES.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-c", "from aligner.cli import main; main()", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def variant_sets(path: Path) -> list[tuple[tuple[str, str], ...]]:
    return [tuple(sorted(tu.variants)) for tu in read_tmx(path)]


def part_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part")]


@pytest.mark.slow
def test_a_batch_of_statement_folders(statements: Path, tmp_path: Path, cache: EmbeddingCache) -> None:
    out = tmp_path / "out"
    result = run_batch(read_batch_input(statements), out, encoder=cache)

    assert [(r.name, r.status) for r in result.results] == [
        ("a-full", "ok"),
        ("b-copy", "ok"),
        ("c-partial", "ok"),
        ("d-broken", "failed"),
    ]
    full, _, partial, broken = result.results
    assert full.languages == ("de", "en", "es", "fr", "ru") and full.missing == ()
    assert dict(full.sentences) == {"de": 17, "en": 18, "es": 18, "fr": 18, "ru": 18}
    assert (
        sum(n for _, n in full.bead_types) == full.units == len(list(read_tmx(out / "statements/a-full/aligned.tmx")))
    )
    assert 0 < full.min_score <= full.mean_score <= 1
    assert partial.languages == ("de", "en", "ru") and partial.missing == ("es", "fr")
    assert "fr missing: no file" in partial.warnings
    assert "empty, no text to process" in broken.error
    assert not (out / "statements" / "d-broken").exists()  # a failed statement leaves nothing behind

    for name in ("a-full", "b-copy", "c-partial"):
        folder = out / "statements" / name
        assert {p.name for p in folder.iterdir()} == {"aligned.tmx", "aligned.parquet", "result.json"}
        table = pl.read_parquet(folder / "aligned.parquet")
        assert table["unit"].n_unique() == json.loads((folder / "result.json").read_text())["units"]

    # the copy shares all but one unit with the original: the combined memory holds each once
    combined = variant_sets(out / "combined.tmx")
    everything = [
        v for name in ("a-full", "b-copy", "c-partial") for v in variant_sets(out / "statements" / name / "aligned.tmx")
    ]
    assert len(combined) == len(set(combined)) == len(set(everything))
    assert result.merge.duplicates == len(everything) - len(set(everything)) >= 15

    summary = pl.read_csv(out / "summary.csv")
    assert summary.equals(pl.read_parquet(out / "summary.parquet"))
    assert summary["status"].to_list() == ["ok", "ok", "ok", "failed"]
    assert summary.filter(pl.col("name") == "c-partial").select("missing", "sentences_ru", "sentences_fr").row(0) == (
        "es,fr",
        18,
        None,
    )
    assert {"bead_types", "mean_score", "min_score", "warnings", "error", "elapsed_s", "languages"} <= set(
        summary.columns
    )
    assert part_files(out) == []


@pytest.mark.slow
def test_an_interrupted_batch_resumes_where_it_stopped(statements: Path, tmp_path: Path, cache: EmbeddingCache) -> None:
    out = tmp_path / "out"
    jobs = read_batch_input(statements)

    def interrupt_after_first(result: StatementResult) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(jobs, out, encoder=cache, on_result=interrupt_after_first)
    marker = out / "statements" / "a-full" / "result.json"
    assert marker.is_file()
    assert not (out / "statements" / "b-copy").exists()
    assert not (out / "combined.tmx").exists()
    finished_at = marker.stat().st_mtime_ns
    # what a run killed in the middle of writing leaves: a temporary file, an output without its marker
    (out / "statements" / "a-full" / ".aligned.tmx.x1y2.part").write_text("<tmx")
    (out / "statements" / "b-copy").mkdir()
    (out / "statements" / "b-copy" / "aligned.tmx").write_text("half of an old run")

    seen: list[str] = []
    result = run_batch(jobs, out, encoder=cache, on_result=lambda r: seen.append(f"{r.name}:{r.status}"))

    assert seen[0] == "a-full:skipped"  # finished statements are reported first
    assert [r.status for r in result.results] == ["skipped", "ok", "ok", "failed"]
    assert marker.stat().st_mtime_ns == finished_at
    assert result.results[0].units == 17  # a skipped statement keeps its figures in the summary
    combined = variant_sets(out / "combined.tmx")
    everything = {
        v for name in ("a-full", "b-copy", "c-partial") for v in variant_sets(out / "statements" / name / "aligned.tmx")
    }
    assert len(combined) == len(set(combined)) and set(combined) == everything
    assert pl.read_csv(out / "summary.csv")["status"].to_list() == ["skipped", "ok", "ok", "failed"]
    assert part_files(out) == []


@pytest.mark.slow
def test_other_settings_align_finished_statements_again(
    statements: Path, tmp_path: Path, cache: EmbeddingCache
) -> None:
    jobs = read_batch_input(statements)[:1]
    run_batch(jobs, tmp_path / "out", encoder=cache)
    again = run_batch(jobs, tmp_path / "out", BatchOptions(langs=("en", "ru")), encoder=cache)
    assert (again.results[0].status, again.results[0].languages) == ("ok", ("en", "ru"))
    assert again.results[0].missing == ()
    assert {tu.langs for tu in read_tmx(tmp_path / "out" / "combined.tmx")} == {("en", "ru")}


@pytest.mark.slow
def test_an_edited_input_is_aligned_again(statements: Path, tmp_path: Path, cache: EmbeddingCache) -> None:
    jobs = read_batch_input(statements)[:2]
    run_batch(jobs, tmp_path / "out", encoder=cache)
    en = statements / "b-copy" / "en.txt"
    en.write_text(en.read_text("utf-8").replace("Thank you very much.", "Many thanks."), "utf-8")

    again = run_batch(jobs, tmp_path / "out", encoder=cache)

    assert [r.status for r in again.results] == ["skipped", "ok"]
    units = read_tmx(tmp_path / "out" / "statements" / "b-copy" / "aligned.tmx")
    assert any("Many thanks." in dict(tu.variants)["en"] for tu in units)


@pytest.mark.slow
def test_force_aligns_finished_statements_again(statements: Path, tmp_path: Path, cache: EmbeddingCache) -> None:
    jobs = read_batch_input(statements)[:1]
    run_batch(jobs, tmp_path / "out", encoder=cache)
    assert run_batch(jobs, tmp_path / "out", encoder=cache).results[0].status == "skipped"
    assert run_batch(jobs, tmp_path / "out", encoder=cache, force=True).results[0].status == "ok"


def test_folder_names_keep_their_letters_and_never_collide(tmp_path: Path) -> None:
    for name in ("Заявление", "Декларация", "état 2", "état-2", "a-full", "声明 (1)"):
        (tmp_path / name).mkdir()
    names = {Path(job.source).name: job.name for job in read_batch_input(tmp_path)}

    assert names["Заявление"] == "Заявление" and names["Декларация"] == "Декларация"
    assert names["a-full"] == "a-full" and names["état-2"] == "état-2"
    assert names["état 2"].startswith("état-2-") and names["声明 (1)"].startswith("声明-1-")
    assert len(set(names.values())) == len(names)
    assert all(name.isprintable() and not name.startswith((".", "-")) and "/" not in name for name in names.values())


@pytest.mark.slow
def test_a_second_batch_on_the_same_folder_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    for n in range(12):  # distinct sentences in each, so that the first batch is still busy for a while
        for lang in ("de", "en", "ru"):
            text = (SAMPLES / f"{lang}.txt").read_text("utf-8").replace(".", f" ({n}).")
            (inputs / f"s{n:02}").mkdir(parents=True, exist_ok=True)
            (inputs / f"s{n:02}" / f"{lang}.txt").write_text(text, "utf-8")
    first = aligner("batch", str(inputs), "-o", str(out), "--langs", "de,en,ru", "--json")
    try:
        deadline = time.monotonic() + 120
        while not (out / "statements").exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until the first batch writes results
        second = aligner("batch", str(inputs), "-o", str(out), "--langs", "de,en,ru", "--json")
        _, refused = second.communicate(timeout=120)
        stdout, stderr = first.communicate(timeout=300)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()

    assert first.returncode == 0, stderr
    assert json.loads(stdout)["ok"] == 12
    assert second.returncode == 6
    assert refused.strip().splitlines() == [
        f"error: {out}: another aligner batch is writing here (pid {first.pid}); wait for it, or use another -o folder"
    ]
    assert part_files(out) == []


@pytest.mark.slow
def test_tsv_tables(statements: Path, tmp_path: Path, cache: EmbeddingCache) -> None:
    result = run_batch(
        read_batch_input(statements)[:1], tmp_path / "out", BatchOptions(table_format="tsv"), encoder=cache
    )
    table = pl.read_csv(tmp_path / "out" / "statements" / "a-full" / "aligned.tsv", separator="\t")
    assert table.height == result.results[0].units * 5


NEW = "/{lang}/foreign_policy/news/1987654/"
OLD = {
    "en": "/en_GB/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236",
    "ru": "/ru_RU/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236",
}


@pytest.mark.slow
def test_a_list_of_urls(httpserver: HTTPServer, tmp_path: Path, cache: EmbeddingCache) -> None:
    for lang in ("en", "ru"):
        httpserver.expect_request(NEW.format(lang=lang)).respond_with_data(
            (PAGES / f"new_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8"
        )
        httpserver.expect_request(OLD[lang]).respond_with_data(
            (PAGES / f"old_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8"
        )
    httpserver.expect_request("/en/gone/").respond_with_data("Not here", status=404)
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# statements of March\n"
        f"{httpserver.url_for(NEW.format(lang='ru'))}\n\n"
        f"{httpserver.url_for(OLD['en'])}\n"
        f"{httpserver.url_for('/en/gone/')}\n"
        f"{httpserver.url_for(NEW.format(lang='ru'))}\n",  # listed twice: aligned once
        "utf-8",
    )
    fetch = FetchOptions(
        timeout=2.0, connect_timeout=2.0, retries=0, delay=0.0, respect_robots=False, cache_dir=tmp_path / "http"
    )
    jobs = read_batch_input(urls)
    assert len(jobs) == 3
    result = run_batch(jobs, tmp_path / "out", BatchOptions(langs=("en", "ru"), fetch=fetch), encoder=cache)

    new, old, gone = result.results
    assert (new.status, new.languages, old.status, old.languages) == ("ok", ("en", "ru"), "ok", ("en", "ru"))
    assert gone.status == "failed" and "404" in gone.error
    assert new.source == jobs[0].source and new.name.startswith("localhost-ru-foreign-policy-news-1987654")
    documents = tmp_path / "out" / "statements" / new.name / "documents"
    assert sorted(p.name for p in documents.iterdir()) == ["en.json", "ru.json"]  # kept for reports, offline
    assert len(list(read_tmx(tmp_path / "out" / "combined.tmx"))) == new.units + old.units


@pytest.mark.parametrize(
    ("content", "message"),
    [("# only a comment\n\n", "no URLs"), ("https://mid.ru/en/1\nftp://mid.ru/x\n", r"line 2: not an http\(s\) URL")],
)
def test_bad_url_lists(tmp_path: Path, content: str, message: str) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(content, "utf-8")
    with pytest.raises(InputError, match=message):
        read_batch_input(urls)


def test_a_password_in_a_listed_url_is_fetched_with_but_never_written(tmp_path: Path) -> None:
    """A job's ``source`` and folder name (what results and summaries show) carry no credentials."""
    urls = tmp_path / "urls.txt"
    urls.write_text("http://reader:s3cret@127.0.0.1:9/en/1\n", "utf-8")
    [job] = read_batch_input(urls)
    assert job.url == "http://reader:s3cret@127.0.0.1:9/en/1"
    assert job.source == "http://127.0.0.1:9/en/1"
    assert "s3cret" not in job.name + repr(job)


def test_a_folder_without_statement_folders(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "one")
    with pytest.raises(InputError, match="no statement folders"):
        read_batch_input(tmp_path / "one")


@pytest.mark.slow
def test_two_worker_processes_give_the_same_results(statements: Path, tmp_path: Path, cache: EmbeddingCache) -> None:
    jobs = read_batch_input(statements)
    alone = run_batch(jobs, tmp_path / "alone", encoder=cache)
    pooled = run_batch(jobs, tmp_path / "pooled", BatchOptions(workers=2))
    same = ("name", "status", "languages", "sentences", "bead_types", "units", "error")
    assert [tuple(getattr(r, k) for k in same) for r in pooled.results] == [
        tuple(getattr(r, k) for k in same) for r in alone.results
    ]
    for a, b in zip(alone.results, pooled.results, strict=True):
        assert a.mean_score == pytest.approx(b.mean_score, abs=2e-3) if a.mean_score else b.mean_score is None
    assert set(variant_sets(tmp_path / "pooled" / "combined.tmx")) == set(
        variant_sets(tmp_path / "alone" / "combined.tmx")
    )


@pytest.mark.slow
def test_the_batch_command(statements: Path, tmp_path: Path) -> None:
    shutil.rmtree(statements / "b-copy")
    shutil.rmtree(statements / "c-partial")
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(
        app, ["batch", str(statements), "-o", str(out), "--langs", "en,ru", "--table", "tsv", "--json"]
    )
    assert first.exit_code == 1, first.output  # one statement failed: the others are done, and the exit code says so
    summary = json.loads(first.stdout)
    assert (summary["ok"], summary["failed"]) == (1, 1)
    assert summary["combined_units"] == summary["results"][0]["units"] > 10
    assert [r["status"] for r in summary["results"]] == ["ok", "failed"]
    second = runner.invoke(app, ["batch", str(statements), "-o", str(out), "--langs", "en,ru", "--table", "tsv", "-q"])
    assert "skipped: a-full" in second.output and "1 already done" in second.output
    forced = runner.invoke(
        app, ["batch", str(statements), "-o", str(out), "--langs", "en,ru", "--table", "tsv", "-q", "--force"]
    )
    assert "ok: a-full" in forced.output and "0 already done" in forced.output


def test_the_batch_command_with_bad_input(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("mid.ru/en/1\n", "utf-8")
    result = CliRunner().invoke(app, ["batch", str(urls), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {urls}: line 1: not an http(s) URL: 'mid.ru/en/1'"]


def test_workers_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 1"):
        run_batch([], tmp_path, replace(BatchOptions(), workers=0))
