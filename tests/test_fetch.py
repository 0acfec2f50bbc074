"""Fetching statements from a real local HTTP server (pytest-httpserver), never the live web."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from _servers import SlowSite
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import aligner._http
from aligner.errors import ExtractionError, FetchError
from aligner.fetch import FetchOptions, fetch_page, fetch_statement
from aligner.profiles import url_profile

PAGES = Path(__file__).parent / "pages"
LANGS = ("de", "en", "es", "ru", "fr")
HTML = "text/html; charset=utf-8"
NEW = "/{lang}/foreign_policy/news/1987654/"
OLD_LOCALES = {"de": "de", "en": "en_GB", "es": "es_ES", "ru": "ru_RU", "fr": "fr_FR"}
OLD = "/{locale}/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236"
OLD_DE = "/de/aussenpolitik/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236"  # the de hreflang target


def page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def expected_paragraphs(name: str) -> tuple[str, ...]:
    return tuple(json.loads((PAGES / "expected" / f"{name}.json").read_text("utf-8"))["paragraphs"])


@pytest.fixture
def options(tmp_path: Path) -> FetchOptions:
    """Fast settings: small timeouts and waits, a private cache, no robots.txt unless a test asks."""
    return FetchOptions(
        timeout=1.0,
        connect_timeout=1.0,
        retries=2,
        backoff=0.01,
        max_retry_wait=0.05,
        delay=0.0,
        respect_robots=False,
        cache_dir=tmp_path / "cache",
    )


def serve(
    server: HTTPServer, path: str, body: bytes | str, status: int = 200, content_type: str = HTML, **headers: str
) -> None:
    server.expect_request(path).respond_with_data(body, status=status, content_type=content_type, headers=headers)


def serve_new_site(server: HTTPServer, langs: tuple[str, ...] = LANGS) -> None:
    for lang in langs:
        serve(server, NEW.format(lang=lang), page(f"new_{lang}"))


def requested(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


# --- whole statements ----------------------------------------------------------------------------


def test_new_mid_site_all_five_languages_from_the_switcher(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver)
    result = fetch_statement(httpserver.url_for(NEW.format(lang="ru")), options=options)
    assert result.missing == {}
    assert list(result.documents) == list(LANGS)
    for lang, doc in result.documents.items():
        assert doc.paragraphs == expected_paragraphs(f"new_{lang}")
        assert (doc.lang, doc.doc_id) == (lang, "1987654")
        assert doc.source == httpserver.url_for(NEW.format(lang=lang))
        assert result.raw_pages[lang] == page(f"new_{lang}")
    assert sorted(requested(httpserver)) == sorted(NEW.format(lang=lang) for lang in LANGS)


def test_new_mid_site_query_scheme_is_understood(httpserver: HTTPServer, options: FetchOptions) -> None:
    """``/<section>/<id>/?lang=xx``: without a switcher, the profile builds the other versions' URLs."""
    for lang in ("en", "fr"):
        without_switcher = re.sub(rb'<div class="lang-switcher">.*?</div>', b"", page(f"new_{lang}"), flags=re.DOTALL)
        httpserver.expect_request("/foreign_policy/news/1987654/", query_string=f"lang={lang}").respond_with_data(
            without_switcher, content_type=HTML
        )
    start = httpserver.url_for("/foreign_policy/news/1987654/") + "?lang=en"
    result = fetch_statement(start, ("en", "fr"), options=options)
    assert result.urls["fr"] == start.replace("lang=en", "lang=fr")
    assert result.documents["fr"].paragraphs == expected_paragraphs("new_fr")
    assert result.documents["fr"].doc_id == "1987654"


@pytest.mark.parametrize(
    ("url", "lang", "doc_id", "de_url"),
    [
        (
            "https://mid.ru/ru/foreign_policy/news/1987654/",
            "ru",
            "1987654",
            "https://mid.ru/de/foreign_policy/news/1987654/",
        ),
        (
            "https://mid.ru/foreign_policy/news/1987654/?lang=fr&print=1",
            "fr",
            "1987654",
            "https://mid.ru/foreign_policy/news/1987654/?lang=de&print=1",
        ),
        (
            "http://archive.mid.ru/en_GB/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236",
            "en",
            "4521236",
            "http://archive.mid.ru/de/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/4521236",
        ),
    ],
)
def test_mid_url_schemes(url: str, lang: str, doc_id: str, de_url: str) -> None:
    _, found = url_profile(url)
    assert (found.lang, found.doc_id, found.url_for("de")) == (lang, doc_id, de_url)


def test_old_mid_site_all_five_languages(httpserver: HTTPServer, options: FetchOptions) -> None:
    """de comes from hreflang (another section path); es/ru/fr from the URL scheme, not the home-page links."""
    serve(httpserver, OLD_DE, page("old_de"))
    for lang in ("en", "es", "ru", "fr"):
        serve(httpserver, OLD.format(locale=OLD_LOCALES[lang]), page(f"old_{lang}"))
    result = fetch_statement(httpserver.url_for(OLD.format(locale="en_GB")), options=options)
    assert result.missing == {}
    for lang, doc in result.documents.items():
        assert doc.paragraphs == expected_paragraphs(f"old_{lang}")
        assert doc.doc_id == "4521236"
        assert dict(doc.meta)["doc_number"] == "1456-03-07-2019"
    assert result.urls["de"].endswith(OLD_DE)
    assert result.urls["es"].endswith(OLD.format(locale="es_ES"))


def test_site_profile_works_on_any_host_by_url_scheme(httpserver: HTTPServer, options: FetchOptions) -> None:
    """A mirror under a path prefix (like an archive) still gets the mid.ru URL scheme."""
    prefix = "/web/2024/mid.ru"
    for lang in ("en", "ru"):
        serve(httpserver, prefix + OLD.format(locale=OLD_LOCALES[lang]), page(f"old_{lang}"))
    result = fetch_statement(httpserver.url_for(prefix + OLD.format(locale="ru_RU")), ("en", "ru"), options=options)
    assert sorted(result.documents) == ["en", "ru"]


def test_switcher_without_a_language_means_no_such_version(httpserver: HTTPServer, options: FetchOptions) -> None:
    start = re.sub(rb"\n[^\n]*>es-ES</a>", b"", page("new_ru"))
    serve(httpserver, NEW.format(lang="ru"), start)
    serve_new_site(httpserver, ("de", "en", "fr"))
    result = fetch_statement(httpserver.url_for(NEW.format(lang="ru")), options=options)
    assert sorted(result.documents) == ["de", "en", "fr", "ru"]
    assert "switcher does not offer it" in result.missing["es"]
    assert NEW.format(lang="es") not in requested(httpserver)


def test_404_variant_is_reported_and_the_rest_continue(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver, ("de", "en", "ru", "fr"))
    serve(httpserver, NEW.format(lang="es"), "Not here", status=404)
    result = fetch_statement(httpserver.url_for(NEW.format(lang="en")), options=options)
    assert sorted(result.documents) == ["de", "en", "fr", "ru"]
    assert re.search(r"HTTP 404 Not Found$", result.missing["es"])
    assert requested(httpserver).count(NEW.format(lang="es")) == 1  # a 404 is not retried


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        (b"", "empty page"),
        (page("interstitial"), "anti-bot or interstitial page"),
        (page("new_fr_wrong_text"), "the text reads as 'en', expected 'fr'"),
        (page("new_de"), "the page declares language 'de', expected 'fr'"),
        (page("no_text"), "no statement text found"),
    ],
)
def test_bad_variant_is_refused_with_its_reason(
    httpserver: HTTPServer, options: FetchOptions, variant: bytes, reason: str
) -> None:
    serve_new_site(httpserver, ("en", "ru"))
    serve(httpserver, NEW.format(lang="fr"), variant)
    result = fetch_statement(httpserver.url_for(NEW.format(lang="en")), ("en", "ru", "fr"), options=options)
    assert sorted(result.documents) == ["en", "ru"]
    assert reason in result.missing["fr"]
    assert "\n" not in result.missing["fr"]


def test_redirect_to_another_language_is_refused(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver, ("en", "ru"))
    serve(httpserver, NEW.format(lang="fr"), "", status=302, Location=NEW.format(lang="en"))
    result = fetch_statement(httpserver.url_for(NEW.format(lang="ru")), ("en", "ru", "fr"), options=options)
    assert "redirected to the 'en' version" in result.missing["fr"]


def test_redirect_to_a_login_page_is_refused(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver, ("en", "ru"))
    serve(httpserver, NEW.format(lang="de"), "", status=302, Location="/user/login?next=/de/")
    serve(httpserver, "/user/login", page("login"))
    result = fetch_statement(httpserver.url_for(NEW.format(lang="ru")), ("de", "en", "ru"), options=options)
    assert "redirected to a login page" in result.missing["de"]


def test_a_different_statement_is_not_aligned(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, NEW.format(lang="en"), page("new_en"))
    serve(httpserver, "/de/foreign_policy/news/1111111/", page("new_de"))
    explicit = {
        "en": httpserver.url_for(NEW.format(lang="en")),
        "de": httpserver.url_for("/de/foreign_policy/news/1111111/"),
    }
    with pytest.raises(ExtractionError, match=r"found: en; missing de: .*a different item \(id 1111111"):
        fetch_statement(explicit["en"], ("de", "en"), options=options, explicit=explicit)


def test_explicit_urls_skip_discovery(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver, ("de", "en"))
    explicit = {lang: httpserver.url_for(NEW.format(lang=lang)) for lang in ("de", "en")}
    result = fetch_statement(explicit["de"], ("de", "en", "fr"), options=options, explicit=explicit)
    assert sorted(result.documents) == ["de", "en"]
    assert result.missing == {"fr": "no URL given for it"}
    assert sorted(requested(httpserver)) == sorted(NEW.format(lang=lang) for lang in ("de", "en"))


def test_generic_site_discovery_by_hreflang_and_language_names(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/news/2024/birds.html", page("generic_en"))
    serve(httpserver, "/news/2024/birds.de.html", page("generic_de"))
    serve(httpserver, "/news/2024/birds.fr.html", "Not found", status=404)
    result = fetch_statement(
        httpserver.url_for("/news/2024/birds.html"), ("de", "en", "es", "fr", "ru"), options=options
    )
    assert list(result.documents) == ["de", "en"]
    assert dict(result.documents["de"].meta)["profile"] == "generic"
    assert "HTTP 404" in result.missing["fr"]  # the "Français" switcher link
    assert "HTTP 500" in result.missing["es"]  # the hreflang="es" anchor: unknown to this server
    assert result.missing["ru"] == "no link to this language version found on the page"


def test_fewer_than_two_languages_is_an_extraction_error(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, NEW.format(lang="en"), page("new_en"))
    for lang in ("de", "es", "ru", "fr"):
        serve(httpserver, NEW.format(lang=lang), "", status=404)
    with pytest.raises(
        ExtractionError, match=r"fewer than two languages yield text \(found: en; missing de: .*404"
    ) as error:
        fetch_statement(httpserver.url_for(NEW.format(lang="en")), options=options)
    assert "\n" not in str(error.value)


def test_start_page_that_cannot_be_downloaded_is_a_fetch_error(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/gone", "", status=410)
    with pytest.raises(FetchError, match="HTTP 410 Gone"):
        fetch_statement(httpserver.url_for("/gone"), options=options)


def test_interstitial_start_page_still_finds_versions_by_url_scheme(
    httpserver: HTTPServer, options: FetchOptions
) -> None:
    serve(httpserver, NEW.format(lang="ru"), page("interstitial"))
    serve_new_site(httpserver, ("de", "en"))
    result = fetch_statement(httpserver.url_for(NEW.format(lang="ru")), ("de", "en", "ru"), options=options)
    assert sorted(result.documents) == ["de", "en"]
    assert "interstitial" in result.missing["ru"]


# --- charsets over HTTP ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "strip_meta"),
    [
        ("text/html; charset=utf-8", False),  # wrong header: the bytes do not decode, <meta> is right
        ("text/html; charset=windows-1251", True),  # right header, no <meta>
        ("text/html", True),  # nothing declared at all: detected
    ],
)
def test_windows_1251_variant(
    httpserver: HTTPServer, options: FetchOptions, content_type: str, strip_meta: bool
) -> None:
    data = page("old_ru_cp1251")
    if strip_meta:
        data = re.sub(rb'<meta content="text/html; charset=windows-1251"[^>]*>', b"", data)
    serve(httpserver, OLD.format(locale="ru_RU"), data, content_type=content_type)
    serve(httpserver, OLD.format(locale="en_GB"), page("old_en"))
    explicit = {lang: httpserver.url_for(OLD.format(locale=OLD_LOCALES[lang])) for lang in ("en", "ru")}
    result = fetch_statement(explicit["en"], ("en", "ru"), options=options, explicit=explicit)
    assert result.documents["ru"].paragraphs == expected_paragraphs("old_ru")


# --- HTTP behaviour ----------------------------------------------------------------------------


def test_500_then_success_is_retried(httpserver: HTTPServer, options: FetchOptions) -> None:
    httpserver.expect_oneshot_request("/flaky").respond_with_data("busy", status=500)
    httpserver.expect_oneshot_request("/flaky").respond_with_data("busy", status=503, headers={"Retry-After": "0"})
    serve(httpserver, "/flaky", "<p>ok</p>")
    assert fetch_page(httpserver.url_for("/flaky"), options) == b"<p>ok</p>"
    assert requested(httpserver) == ["/flaky"] * 3


def test_persistent_5xx_gives_up_after_the_retries(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/down", "down", status=502)
    with pytest.raises(FetchError, match=r"HTTP 502 Bad Gateway \(after 3 attempts\)"):
        fetch_page(httpserver.url_for("/down"), options)
    assert len(httpserver.log) == 3


def test_backoff_doubles_and_retry_after_is_honoured_but_capped(
    httpserver: HTTPServer, options: FetchOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(aligner._http.time, "sleep", waits.append)
    httpserver.expect_oneshot_request("/slow-down").respond_with_data("", status=500)
    httpserver.expect_oneshot_request("/slow-down").respond_with_data("", status=500)
    httpserver.expect_oneshot_request("/slow-down").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    serve(httpserver, "/slow-down", "<p>ok</p>")
    settings = FetchOptions(
        backoff=1.0, retries=3, max_retry_wait=30.0, delay=0.0, use_cache=False, respect_robots=False
    )
    assert fetch_page(httpserver.url_for("/slow-down"), settings) == b"<p>ok</p>"
    assert waits == [1.0, 2.0, 30.0]


def test_polite_delay_between_requests_to_one_host(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(aligner._http.time, "sleep", waits.append)
    serve_new_site(httpserver, ("en", "ru"))
    settings = FetchOptions(delay=5.0, respect_robots=False, cache_dir=tmp_path)
    fetch_statement(httpserver.url_for(NEW.format(lang="en")), ("en", "ru"), options=settings)
    assert len(waits) == 1 and 4.0 < waits[0] <= 5.0


def test_read_timeout(httpserver: HTTPServer, options: FetchOptions) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response("<p>late</p>", content_type=HTML)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    quick = FetchOptions(timeout=0.1, retries=0, delay=0.0, respect_robots=False, use_cache=False)
    with pytest.raises(FetchError, match=r"no complete response within 0\.1 s"):
        fetch_page(httpserver.url_for("/slow"), quick)


def test_unreachable_port_is_a_fetch_error(options: FetchOptions) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=r"cannot connect.*\(after 3 attempts\)") as error:
        fetch_statement(f"http://127.0.0.1:{port}/en/foreign_policy/news/1/", options=options)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/file.html", "file:///etc/passwd", "mid.ru/en/"])
def test_only_http_and_https(url: str, options: FetchOptions) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch_statement(url, options=options)


@pytest.mark.parametrize(("url", "message"), [("http://", "no host name"), ("https://[::1/x", "Invalid IPv6 URL")])
def test_malformed_url_is_a_fetch_error(url: str, message: str, options: FetchOptions) -> None:
    with pytest.raises(FetchError, match=re.escape(f"{url}: not a valid URL ({message})")):
        fetch_page(url, options)


def test_redirect_to_another_scheme_is_a_fetch_error(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/moved", "", status=301, Location="ftp://127.0.0.1/statement.html")
    with pytest.raises(FetchError, match="only http and https can be fetched"):
        fetch_page(httpserver.url_for("/moved"), options)


def test_oversize_body_with_content_length_is_refused(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/big", b"x" * 5000)
    with pytest.raises(FetchError, match="5000 bytes exceeds the 1000-byte limit"):
        fetch_page(httpserver.url_for("/big"), FetchOptions(max_bytes=1000, respect_robots=False, use_cache=False))


def test_oversize_streamed_body_is_aborted(httpserver: HTTPServer) -> None:
    def endless(request: Request) -> Response:
        return Response((b"x" * 1024 for _ in range(100)), content_type=HTML)  # chunked, no length

    httpserver.expect_request("/stream").respond_with_handler(endless)
    with pytest.raises(FetchError, match="exceeds the 4096-byte limit; download aborted"):
        fetch_page(httpserver.url_for("/stream"), FetchOptions(max_bytes=4096, respect_robots=False, use_cache=False))


def test_identifying_user_agent(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/ua", "<p>ok</p>")
    fetch_page(httpserver.url_for("/ua"), options)
    agent = httpserver.log[0][0].headers["User-Agent"]
    assert re.fullmatch(r"aligner/\S+ \(\+https://github\.com/aligner\)", agent)


def test_robots_txt_is_respected_unless_ignored(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    serve(httpserver, "/private/page", "<p>secret</p>")
    polite = replace(options, respect_robots=True)
    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        fetch_page(httpserver.url_for("/private/page"), polite)
    assert requested(httpserver) == ["/robots.txt"]
    assert fetch_page(httpserver.url_for("/private/page"), options) == b"<p>secret</p>"


def test_missing_robots_txt_allows_everything(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve(httpserver, "/robots.txt", "", status=404)
    serve(httpserver, "/page", "<p>ok</p>")
    polite = replace(options, respect_robots=True)
    assert fetch_page(httpserver.url_for("/page"), polite) == b"<p>ok</p>"


# --- cache -------------------------------------------------------------------------------------


def test_second_run_is_served_from_the_cache(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver)
    serve(httpserver, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    polite = replace(options, respect_robots=True)
    url = httpserver.url_for(NEW.format(lang="de"))
    first = fetch_statement(url, options=polite)
    count = len(httpserver.log)
    assert count == 6  # robots.txt and five pages
    second = fetch_statement(url, options=polite)
    assert len(httpserver.log) == count
    assert second.documents == first.documents
    fetch_statement(url, options=replace(polite, use_cache=False))
    assert len(httpserver.log) == 2 * count


def test_rejected_interstitial_is_not_kept_in_the_cache(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver, ("en", "ru"))
    serve(httpserver, NEW.format(lang="fr"), page("interstitial"))
    url = httpserver.url_for(NEW.format(lang="en"))
    fetch_statement(url, ("en", "ru", "fr"), options=options)
    fetch_statement(url, ("en", "ru", "fr"), options=options)
    assert requested(httpserver).count(NEW.format(lang="fr")) == 2
    assert requested(httpserver).count(NEW.format(lang="ru")) == 1


def test_unwritable_cache_does_not_fail_the_run(httpserver: HTTPServer, options: FetchOptions, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    serve(httpserver, "/page", "<p>ok</p>")
    assert fetch_page(httpserver.url_for("/page"), replace(options, cache_dir=blocker)) == b"<p>ok</p>"


# --- deadlines ---------------------------------------------------------------------------------


@pytest.mark.slow  # waits out real deadlines and delays
def test_a_trickling_page_ends_at_the_deadline(slow_site: SlowSite, options: FetchOptions) -> None:
    """One byte every 0.2 s never trips a read timeout: the request's total deadline stops it, once."""
    slow_site.trickle_body.add("/body")
    slow_site.trickle_headers.add("/headers")
    for path in ("/body", "/headers"):
        began = time.monotonic()
        with pytest.raises(FetchError, match=r"no complete response within 1 s$"):
            fetch_page(slow_site.url(path), options)
        assert time.monotonic() - began < 1.8
    assert slow_site.paths() == ["/body", "/headers"]  # a spent deadline is not retried


@pytest.mark.slow  # waits out real deadlines and delays
def test_stalled_languages_are_missing_and_the_rest_arrive_within_the_deadline(
    slow_site: SlowSite, options: FetchOptions
) -> None:
    for lang in ("de", "en", "fr"):
        slow_site.pages[NEW.format(lang=lang)] = page(f"new_{lang}")
    slow_site.trickle_body.update(NEW.format(lang=lang) for lang in ("es", "ru"))
    began = time.monotonic()
    result = fetch_statement(slow_site.url(NEW.format(lang="en")), options=replace(options, timeout=1.5))
    elapsed = time.monotonic() - began
    assert sorted(result.documents) == ["de", "en", "fr"]
    assert result.missing == {
        lang: f"{slow_site.url(NEW.format(lang=lang))}: no complete response within 1.5 s" for lang in ("es", "ru")
    }
    assert elapsed < 2.6  # two stalls one after the other would take 3 s


@pytest.mark.slow  # waits out real deadlines and delays
def test_retries_fit_in_the_statement_budget(httpserver: HTTPServer, options: FetchOptions) -> None:
    """Three retries after 'Retry-After: 1' would take 3 s; the budget (twice the 1 s deadline) allows one."""
    serve(httpserver, "/busy", "busy", status=503, **{"Retry-After": "1"})
    began = time.monotonic()
    with pytest.raises(FetchError, match=r"HTTP 503 Service Unavailable \(after 2 attempts\)"):
        fetch_page(httpserver.url_for("/busy"), replace(options, retries=3, max_retry_wait=60.0))
    assert time.monotonic() - began < 1.8
    assert len(httpserver.log) == 2


@pytest.mark.slow  # waits out real deadlines and delays
def test_concurrent_variants_keep_the_delay_between_requests(slow_site: SlowSite, options: FetchOptions) -> None:
    for lang in LANGS:
        slow_site.pages[NEW.format(lang=lang)] = page(f"new_{lang}")
    result = fetch_statement(slow_site.url(NEW.format(lang="en")), options=replace(options, delay=0.3))
    assert len(result.documents) == 5
    times = [when for _, when in slow_site.requests]
    assert len(times) == 5
    assert min(b - a for a, b in itertools.pairwise(times)) > 0.25


# --- credentials in URLs -----------------------------------------------------------------------

SECRET = "s3cret-Pa55"


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://reader:{SECRET}@")


def serve_behind_basic_auth(server: HTTPServer, langs: tuple[str, ...]) -> None:
    def handler(lang: str) -> Callable[[Request], Response]:
        def respond(request: Request) -> Response:
            if request.authorization is None or request.authorization.password != SECRET:
                return Response("who are you?", status=401)
            return Response(page(f"new_{lang}"), content_type=HTML)

        return respond

    for lang in langs:
        server.expect_request(NEW.format(lang=lang)).respond_with_handler(handler(lang))


def test_credentials_are_used_but_never_written_or_logged(
    httpserver: HTTPServer, options: FetchOptions, caplog: pytest.LogCaptureFixture
) -> None:
    serve_behind_basic_auth(httpserver, ("de", "en", "ru"))
    serve(httpserver, NEW.format(lang="es"), "gone", status=404)
    start = with_credentials(httpserver.url_for(NEW.format(lang="en")))
    with caplog.at_level(logging.DEBUG, logger="aligner"):
        result = fetch_statement(start, ("de", "en", "es", "ru"), options=replace(options, respect_robots=True))
    assert sorted(result.documents) == ["de", "en", "ru"]  # the password was sent to the same host
    assert result.documents["de"].source == httpserver.url_for(NEW.format(lang="de"))
    assert result.missing["es"] == f"{httpserver.url_for(NEW.format(lang='es'))}: HTTP 404 Not Found"
    shown = [
        *result.urls.values(),
        *result.missing.values(),
        *(d.source for d in result.documents.values()),
        *(record.getMessage() for record in caplog.records),
    ]
    assert caplog.records and not [text for text in shown if SECRET in text or "reader" in text]
    cached = [path for path in options.cache_dir.rglob("*") if path.is_file()]
    assert not [path for path in cached if SECRET.encode() in path.read_bytes()]
    hashed = hashlib.sha256(start.encode()).hexdigest()
    assert not [path for path in cached if path.stem == hashed]  # no cache key derived from the password


def test_errors_about_a_url_with_credentials_do_not_show_them(options: FetchOptions) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as error:
        fetch_page(f"http://reader:{SECRET}@127.0.0.1:{port}/x", replace(options, retries=0))
    assert str(error.value).startswith(f"http://127.0.0.1:{port}/x: cannot connect")
    assert SECRET not in str(error.value)


# --- the start URL's site ----------------------------------------------------------------------


def serve_birds(server: HTTPServer, de_link: str) -> str:
    """The generic English page with its German hreflang link pointing to ``de_link``; its URL."""
    serve(server, "/news/2024/birds.de.html", page("generic_de"))
    serve(
        server,
        "/news/2024/birds.html",
        page("generic_en").replace(b'href="/news/2024/birds.de.html"', f'href="{de_link}"'.encode()),
    )
    return server.url_for("/news/2024/birds.html")


def test_links_to_another_host_are_not_followed(
    httpserver: HTTPServer, options: FetchOptions, caplog: pytest.LogCaptureFixture
) -> None:
    """localhost and 127.0.0.1 are one server here, but two hosts to the fetcher."""
    other = httpserver.url_for("/news/2024/birds.de.html").replace("localhost", "127.0.0.1")
    url = serve_birds(httpserver, other)
    with caplog.at_level(logging.WARNING, logger="aligner"), pytest.raises(ExtractionError) as error:
        fetch_statement(url, ("de", "en"), options=options)
    assert f"de: not following {other}: another host than localhost" in str(error.value)
    assert "/news/2024/birds.de.html" not in requested(httpserver)
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        f"de: not following {other}: another host than localhost (--allow-host 127.0.0.1 follows it)"
    ]
    allowed = fetch_statement(url, ("de", "en"), options=replace(options, allow_hosts=("127.0.0.1",)))
    assert sorted(allowed.documents) == ["de", "en"]


def test_a_link_to_another_port_is_not_followed(httpserver: HTTPServer, options: FetchOptions) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    other = f"http://localhost:{port}/news/2024/birds.de.html"
    with pytest.raises(ExtractionError, match=f"de: not following {re.escape(other)}: another port"):
        fetch_statement(serve_birds(httpserver, other), ("de", "en"), options=options)


def test_redirects_obey_the_same_rule(httpserver: HTTPServer, options: FetchOptions) -> None:
    serve_new_site(httpserver, ("en", "ru"))
    elsewhere = httpserver.url_for("/fr/real/").replace("localhost", "127.0.0.1")
    serve(httpserver, NEW.format(lang="fr"), "", status=302, Location=elsewhere)
    serve(httpserver, "/fr/real/", page("new_fr"))
    result = fetch_statement(httpserver.url_for(NEW.format(lang="en")), ("en", "ru", "fr"), options=options)
    assert result.missing["fr"] == (
        f"{httpserver.url_for(NEW.format(lang='fr'))}: redirected to {elsewhere}: "
        "another host than localhost (--allow-host 127.0.0.1 follows it)"
    )
    assert "/fr/real/" not in requested(httpserver)
