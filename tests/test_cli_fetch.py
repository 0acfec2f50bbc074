"""``aligner fetch`` end to end against a local HTTP server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from _servers import SlowSite
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from aligner.cli import app
from aligner.sources import load_statement

PAGES = Path(__file__).parent / "pages"
NEW = "/{lang}/foreign_policy/news/1987654/"
OLD = {
    "en": "/en_GB/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236",
    "ru": "/ru_RU/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236",
}


def serve(server: HTTPServer, lang: str) -> None:
    server.expect_request(NEW.format(lang=lang)).respond_with_data(
        (PAGES / f"new_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8"
    )


def fetch(server: HTTPServer, tmp_path: Path, *args: str, start: str = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        [
            "fetch",
            start or server.url_for(NEW.format(lang="en")),
            "-o",
            str(tmp_path / "out"),
            "--http-cache",
            str(tmp_path / "cache"),
            "--ignore-robots",
            "--delay",
            "0",
            "--timeout",
            "2",
            *args,
        ],
    )
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
        "de",
        expected["title"],
        expected["date"],
        "1987654",
    )
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
        "error: ftp://example.org/x: only http and https URLs can be fetched (got 'ftp')"
    ]


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


@pytest.mark.slow  # waits out real deadlines and delays
def test_a_stalled_language_is_missing_after_the_deadline(slow_site: SlowSite, tmp_path: Path) -> None:
    for lang in ("de", "en"):
        slow_site.pages[NEW.format(lang=lang)] = (PAGES / f"new_{lang}.html").read_bytes()
    slow_site.trickle_body.add(NEW.format(lang="ru"))
    began = time.monotonic()
    code, _, stderr = fetch(
        None,
        tmp_path,
        "--langs",
        "de,en,ru",
        "--timeout",
        "1",  # type: ignore[arg-type]
        start=slow_site.url(NEW.format(lang="en")),
    )
    assert code == 0, stderr
    assert time.monotonic() - began < 2.5
    assert f"missing ru: {slow_site.url(NEW.format(lang='ru'))}: no complete response within 1 s" in stderr


def test_a_password_in_the_url_is_used_and_never_printed_or_saved(httpserver: HTTPServer, tmp_path: Path) -> None:
    def protected(request: Request) -> Response:
        if request.authorization is None or request.authorization.password != "s3cret":
            return Response("who are you?", status=401)
        lang = request.path.split("/")[1]
        return Response((PAGES / f"new_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8")

    for lang in ("de", "en"):
        httpserver.expect_request(NEW.format(lang=lang)).respond_with_handler(protected)
    start = httpserver.url_for(NEW.format(lang="en")).replace("http://", "http://reader:s3cret@")
    code, stdout, stderr = fetch(
        httpserver, tmp_path, "--langs", "de,en,fr", "--json", "-v", "--retries", "0", start=start
    )  # fr is not served: no need to ask again
    assert code == 0, stderr
    assert json.loads(stdout)["url"] == httpserver.url_for(NEW.format(lang="en"))
    assert "s3cret" not in stdout + stderr
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written and not [path for path in written if b"s3cret" in path.read_bytes()]


def test_links_off_the_site_are_skipped_with_a_warning_unless_allowed(httpserver: HTTPServer, tmp_path: Path) -> None:
    """The German hreflang link names 127.0.0.1: the same server as localhost, but another host."""
    other = httpserver.url_for("/news/2024/birds.de.html").replace("localhost", "127.0.0.1")
    english = (
        (PAGES / "generic_en.html").read_bytes().replace(b'href="/news/2024/birds.de.html"', f'href="{other}"'.encode())
    )
    httpserver.expect_request("/news/2024/birds.html").respond_with_data(english, content_type="text/html")
    httpserver.expect_request("/news/2024/birds.de.html").respond_with_data(
        (PAGES / "generic_de.html").read_bytes(), content_type="text/html"
    )
    start = httpserver.url_for("/news/2024/birds.html")
    code, _, stderr = fetch(httpserver, tmp_path, "--langs", "de,en", start=start)
    assert code == 4
    assert (
        f"WARNING: de: not following {other}: another host than localhost (--allow-host 127.0.0.1 follows it)"
        in stderr.splitlines()
    )
    code, _, stderr = fetch(httpserver, tmp_path, "--langs", "de,en", "--allow-host", "127.0.0.1", start=start)
    assert code == 0, stderr
    assert f"paragraphs from {other}" in stderr


def test_a_fetch_into_a_used_folder_replaces_the_earlier_statement(httpserver: HTTPServer, tmp_path: Path) -> None:
    for lang in ("de", "en", "ru"):
        serve(httpserver, lang)
    for lang, path in OLD.items():
        httpserver.expect_request(path).respond_with_data(
            (PAGES / f"old_{lang}.html").read_bytes(), content_type="text/html; charset=utf-8"
        )
    out = tmp_path / "out"
    assert fetch(httpserver, tmp_path, "--langs", "de,en,ru")[0] == 0
    (out / "notes.txt").write_text("mine", "utf-8")

    result = CliRunner().invoke(
        app,
        [
            "fetch",
            httpserver.url_for(OLD["en"]),
            "-o",
            str(out),
            "--langs",
            "de,en,ru",
            "--http-cache",
            str(tmp_path / "cache"),
            "--ignore-robots",
            "--delay",
            "0",
            "--timeout",
            "2",
            "--retries",
            "0",  # the old scheme's German page is not served: no need to ask again
        ],
    )

    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["en.json", "notes.txt", "raw", "ru.json"]
    assert sorted(p.name for p in (out / "raw").iterdir()) == ["en.html", "ru.html"]
    assert {doc.source for doc in load_statement([str(out)])} == {httpserver.url_for(path) for path in OLD.values()}
    assert "removed de: left by an earlier fetch" in result.stderr
