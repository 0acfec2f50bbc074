"""``aligner fetch`` end to end against a local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from aligner.cli import app

PAGES = Path(__file__).parent / "pages"
NEW = "/{lang}/foreign_policy/news/1987654/"


def serve(server: HTTPServer, lang: str) -> None:
    server.expect_request(NEW.format(lang=lang)).respond_with_data(
        (PAGES / f"new_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8")


def fetch(server: HTTPServer, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [
        "fetch", server.url_for(NEW.format(lang="en")), "-o", str(tmp_path / "out"),
        "--http-cache", str(tmp_path / "cache"), "--ignore-robots", "--delay", "0", "--timeout", "2", *args,
    ])
    return result.exit_code, result.stdout, result.stderr


def test_fetch_saves_raw_pages_and_documents(httpserver: HTTPServer, tmp_path: Path) -> None:
    for lang in ("de", "en", "ru"):
        serve(httpserver, lang)
    httpserver.expect_request(NEW.format(lang="es")).respond_with_data("", status=404)
    code, stdout, stderr = fetch(httpserver, tmp_path, "--langs", "de,en,es,ru")
    assert code == 0, stderr
    out = tmp_path / "out"
    assert (out / "raw" / "de.html").read_bytes() == (PAGES / "new_de.html").read_bytes()
    saved = json.loads((out / "de.json").read_text("utf-8"))
    expected = json.loads((PAGES / "expected" / "new_de.json").read_text("utf-8"))
    assert saved["paragraphs"] == expected["paragraphs"]
    assert (saved["lang"], saved["title"], saved["date"], saved["doc_id"]) == (
        "de", expected["title"], expected["date"], "1987654")
    assert saved["source"] == httpserver.url_for(NEW.format(lang="de"))
    assert not (out / "es.json").exists()
    assert "found   de: 5 paragraphs" in stderr
    assert "missing es:" in stderr and "HTTP 404 Not Found" in stderr
    assert stdout == ""


def test_fetch_json_summary_on_stdout(httpserver: HTTPServer, tmp_path: Path) -> None:
    for lang in ("en", "fr"):
        serve(httpserver, lang)
    httpserver.expect_request(NEW.format(lang="de")).respond_with_data("", status=404)
    code, stdout, _ = fetch(httpserver, tmp_path, "--langs", "en,fr,de", "--json", "--quiet")
    assert code == 0
    summary = json.loads(stdout)
    assert sorted(summary["found"]) == ["en", "fr"]
    assert summary["found"]["fr"]["paragraphs"] == 5
    assert Path(summary["found"]["fr"]["json"]).is_file()
    assert summary["missing"] == {"de": f"{httpserver.url_for(NEW.format(lang='de'))}: HTTP 404 Not Found"}


def test_fetch_errors_are_one_line_with_exit_code_4(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["fetch", "ftp://example.org/x", "-o", str(tmp_path)])
    assert result.exit_code == 4
    assert result.stderr.strip().splitlines() == [
        "error: ftp://example.org/x: only http and https URLs can be fetched (got 'ftp')"]


def test_fetch_with_fewer_than_two_languages_fails(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, "en")
    for lang in ("de", "ru"):
        httpserver.expect_request(NEW.format(lang=lang)).respond_with_data("", status=404)
    code, _, stderr = fetch(httpserver, tmp_path, "--langs", "en,de,ru")
    assert code == 4
    assert "fewer than two languages yield text" in stderr


def test_bad_language_list_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["fetch", "http://127.0.0.1/", "-o", str(tmp_path), "--langs", "en,klingon"])
    assert result.exit_code == 2
    assert "not a language code: 'klingon'" in result.stderr
