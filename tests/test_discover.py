"""Discovering a site's statements from listings and sitemaps, against a generated archive on a local server."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from _archive import OLD_LOCALES, PORTLET, Archive
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from aligner._http import Page
from aligner._listing import Site, read_listing
from aligner.batch import read_batch_input
from aligner.cli import app
from aligner.discover import DiscoverOptions, discover, state_path_for
from aligner.errors import FetchError, InputError
from aligner.fetch import FetchOptions

SINCE, UNTIL = date(2020, 6, 1), date(2024, 3, 31)  # both schemes' statements fall partly inside
NEWS = "/{lang}/foreign_policy/news/"
OLD_NEWS = "/{locale}/foreign_policy/news/-/asset_publisher/" + PORTLET


@pytest.fixture
def archive(httpserver: HTTPServer) -> Archive:
    archive = Archive.generate()
    archive.serve(httpserver)
    return archive


@pytest.fixture
def options(tmp_path: Path) -> DiscoverOptions:
    """No HTTP cache, so that the server's log shows every page read; robots.txt obeyed as by default."""
    fetch = FetchOptions(
        timeout=2.0, connect_timeout=2.0, retries=0, delay=0.0, use_cache=False, cache_dir=tmp_path / "http"
    )
    return DiscoverOptions(since=SINCE, until=UNTIL, fetch=fetch)


def all_listings(server: HTTPServer) -> list[str]:
    return [server.url_for(NEWS.format(lang=lang)) for lang in ("en", "ru", "de")] + [
        server.url_for(OLD_NEWS.format(locale=locale)) for locale in OLD_LOCALES.values()
    ]


def listing_pages(archive: Archive) -> list[str]:
    return [path for _, path in archive.requests if "PAGEN_1" in path or "_cur=" in path]


# --- what is found -------------------------------------------------------------------------------


def test_a_sitemap_index_gives_every_statement_in_range_once(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions
) -> None:
    found = discover([httpserver.url_for("/sitemap.xml")], options)
    assert {s.key: date.fromisoformat(s.date) for s in found.statements} == archive.expected(SINCE, UNTIL)
    assert len(found.statements) > 100 and found.complete and found.pages_read == 5  # index + 4 sitemaps (one gzipped)
    assert not any("/about/" in s.url or "/contacts/" in s.url for s in found.statements)


def test_paginated_listings_in_several_languages_and_both_schemes(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions
) -> None:
    """en/ru/de listings of the new site and en/ru ones of the old: each statement once, whatever its languages."""
    found = discover(all_listings(httpserver), options)
    assert {s.key: date.fromisoformat(s.date) for s in found.statements} == archive.expected(SINCE, UNTIL)
    urls = [s.url for s in found.statements]
    assert len(urls) == len(set(urls))
    old = [s.url for s in found.statements if s.key.startswith("mid.ru (old)")]
    assert old and all("?" not in url for url in old)  # the listing's redirect parameters are dropped
    assert not any("/about/structure/" in url for url in urls)  # a menu link outside the news section


def test_lang_lists_each_statement_in_that_language(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions
) -> None:
    found = discover([httpserver.url_for("/sitemap.xml")], replace(options, lang="en"))
    expected = archive.expected(SINCE, UNTIL, lang="en")
    assert {s.key for s in found.statements} == set(expected)
    assert len(expected) < len(archive.expected(SINCE, UNTIL))  # ru-only statements are left out
    assert all(s.lang == "en" and ("/en/" in s.url or "/en_GB/" in s.url) for s in found.statements)


def test_the_query_scheme_of_the_new_site(httpserver: HTTPServer, archive: Archive, options: DiscoverOptions) -> None:
    found = discover([httpserver.url_for(NEWS.format(lang="de"))], replace(options, lang="de"))
    assert {s.key for s in found.statements} == set(archive.expected(SINCE, UNTIL, lang="de"))
    assert all(s.url.endswith("/?lang=de") for s in found.statements)


def test_max_stops_the_walk_once_enough_are_found(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions
) -> None:
    found = discover([httpserver.url_for(NEWS.format(lang="en"))], replace(options, since=None, until=None, limit=25))
    assert [s.key for s in found.statements] == [s.key for s in archive.new if "en" in s.langs][:25]  # newest first
    assert listing_pages(archive) == ["/en/foreign_policy/news/?PAGEN_1=1", "/en/foreign_policy/news/?PAGEN_1=2"]
    assert not found.complete


def test_since_ends_the_pagination_of_a_newest_first_listing(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions
) -> None:
    since = date(2024, 3, 2)
    found = discover([httpserver.url_for(NEWS.format(lang="en"))], replace(options, since=since, until=None))
    assert {s.key for s in found.statements} == set(archive.expected(since, date.max, lang="en"))
    assert set(listing_pages(archive)) == {f"/en/foreign_policy/news/?PAGEN_1={n}" for n in (1, 2, 3, 4)}  # of 6


def test_a_site_without_a_profile(httpserver: HTTPServer, archive: Archive, options: DiscoverOptions) -> None:
    """Items by the generic rule (menu, year archive and PDF left out); dates from the pages, the listing has none."""
    since, until = date(2024, 3, 10), date(2024, 3, 20)
    found = discover([httpserver.url_for("/press/")], replace(options, since=since, until=until))
    assert {s.key for s in found.statements} == {s.key for s in archive.generic if since <= s.day <= until}
    paths = [path for _, path in archive.requests]
    assert "/press/?page=3" in paths and "/press/2024/" not in paths and "/files/report-12345.pdf" not in paths


# --- politeness, failures, resuming -------------------------------------------------------------


def test_robots_txt_is_obeyed(httpserver: HTTPServer, archive: Archive, options: DiscoverOptions) -> None:
    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        discover([httpserver.url_for("/private/news/")], options)
    assert [path for _, path in archive.requests] == ["/robots.txt"]


def test_requests_to_a_host_keep_the_delay(httpserver: HTTPServer, archive: Archive, options: DiscoverOptions) -> None:
    discover([httpserver.url_for(NEWS.format(lang="en"))], replace(options, fetch=replace(options.fetch, delay=0.1)))
    times = [t for t, _ in archive.requests]
    assert len(times) == 8  # robots.txt, the start page and ?PAGEN_1=1 to 6
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.08  # arrival times: a new connection lags a little


def test_a_broken_page_is_reported_and_the_next_run_retries_only_it(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    broken = "/en/foreign_policy/news/?PAGEN_1=3"
    archive.broken.add(broken)
    options = replace(options, since=None, until=None)
    first = discover([httpserver.url_for(NEWS.format(lang="en"))], options, state=state)
    listed = [s.key for s in archive.new if "en" in s.langs]
    assert [s.key for s in first.statements] == listed[:40] + listed[60:]  # all but the broken page's 20
    assert [(url.removeprefix(httpserver.url_for("")), "HTTP 500" in reason) for url, reason in first.failed_pages] == [
        (broken.lstrip("/"), True)
    ]
    assert not first.complete and state.is_file()

    archive.broken.clear()
    archive.requests.clear()
    second = discover([httpserver.url_for(NEWS.format(lang="en"))], options, state=state)
    assert [path for _, path in archive.requests] == ["/robots.txt", broken]
    assert sorted(s.key for s in second.statements) == sorted(listed)
    assert second.complete and not state.exists()


def test_an_interrupted_walk_resumes_where_it_stopped(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    starts = all_listings(httpserver)
    read: list[str] = []

    def interrupt_after_four(url: str, found: int) -> None:
        read.append(url)
        if len(read) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        discover(starts, options, state=state, on_page=interrupt_after_four)
    archive.requests.clear()
    resumed = discover(starts, options, state=state)
    again = {path for _, path in archive.requests}
    assert not again & {url.removeprefix(httpserver.url_for("/")[:-1]) for url in read}
    assert not state.exists()
    uninterrupted = discover(starts, options)
    assert resumed.statements == uninterrupted.statements
    assert resumed.pages_read == uninterrupted.pages_read


def test_a_saved_walk_with_other_settings_is_not_resumed(
    httpserver: HTTPServer, archive: Archive, options: DiscoverOptions, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"version": 1, "starts": [], "settings": {}}), "utf-8")
    found = discover([httpserver.url_for("/sitemap.xml")], options, state=state)
    assert found.complete and len(found.statements) == len(archive.expected(SINCE, UNTIL))


def test_since_after_until_is_refused() -> None:
    with pytest.raises(InputError, match="after --until"):
        DiscoverOptions(since=date(2024, 1, 2), until=date(2024, 1, 1))


# --- reading one page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pager",
    [
        '<a rel="next" href="?p=2">2</a>',
        '<a href="?p=2">Next »</a>',
        '<a href="?p=2">Weiter</a>',
        '<a href="?p=2">›</a>',
        '<li class="pagination__next"><a href="?p=2"><span class="icon"></span></a></li>',
        '<a href="?p=1">1</a> <a href="?p=2">2</a>',
    ],
)
def test_pagination_links(pager: str) -> None:
    html = f"<html><body><ul>{pager}</ul><a href='/news/2024/'>2024</a></body></html>"
    listing = read_listing(
        Page("https://example.org/news/", "https://example.org/news/", 200, "text/html", html.encode()),
        Site.of("https://example.org/news/"),
    )
    assert "https://example.org/news/?p=2" in listing.pages
    assert "https://example.org/news/2024/" not in listing.pages  # a lone number is a menu entry, not a page


def test_a_teaser_and_its_item_are_one_statement_with_the_items_date() -> None:
    html = """<html><body>
      <div class="teaser"><a href="/ru/foreign_policy/news/1987654/">Главное</a></div>
      <div class="item"><a href="/ru/foreign_policy/news/1987654/?utm_source=x">Заявление</a><span>5 марта 2024 г.</span></div>
      <div class="item"><a href="/ru/foreign_policy/news/1987600/">Другое 9 мая 2023 г.</a><time datetime="2024-03-04">4 марта</time></div>
    </body></html>"""
    url = "https://mid.ru/ru/foreign_policy/news/"
    listing = read_listing(Page(url, url, 200, "text/html", html.encode()), Site.of(url))
    assert [(link.key, link.date) for link in listing.statements] == [
        ("mid.ru:1987654", ""),
        ("mid.ru:1987654", "2024-03-05"),
        ("mid.ru:1987600", "2024-03-04"),
    ]


# --- the command ---------------------------------------------------------------------------------


def test_the_discover_command_writes_batch_input(httpserver: HTTPServer, archive: Archive, tmp_path: Path) -> None:
    output = tmp_path / "urls.txt"
    result = CliRunner().invoke(
        app,
        [
            "discover",
            httpserver.url_for("/sitemap.xml"),
            "-o",
            str(output),
            "--since",
            "2024-01-01",
            "--lang",
            "ru",
            "--no-http-cache",
            "--delay",
            "0",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    expected = archive.expected(date(2024, 1, 1), date.max, lang="ru")
    assert summary["statements"] == len(expected) and summary["complete"]
    jobs = read_batch_input(output)  # the output is batch input as it is
    assert [job.source for job in jobs] == output.read_text("utf-8").splitlines()[1:]
    assert len({job.name for job in jobs}) == len(expected)
    assert not state_path_for(output).exists()


def test_the_discover_command_exits_1_and_keeps_its_state_when_a_page_failed(
    httpserver: HTTPServer, archive: Archive, tmp_path: Path
) -> None:
    archive.broken.add("/ru/foreign_policy/news/?PAGEN_1=2")
    output = tmp_path / "urls.txt"
    args = [
        "discover",
        httpserver.url_for(NEWS.format(lang="ru")),
        "-o",
        str(output),
        "--no-http-cache",
        "--delay",
        "0",
        "--retries",
        "0",
    ]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 1
    assert "HTTP 500" in first.output and "run again to retry" in first.output
    assert state_path_for(output).is_file() and output.is_file()
    archive.broken.clear()
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert len(output.read_text("utf-8").splitlines()) == 1 + 130
