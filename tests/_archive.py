"""A generated mid.ru-like archive for discovery tests: 240 statements in both URL schemes, served locally.

    archive = Archive.generate()
    archive.serve(httpserver)          # every page below, from one handler
    archive.expected(since, until)     # the statements a correct discovery finds

What it serves (listings newest first, 20 statements a page):

    /en/foreign_policy/news/?PAGEN_1=N       new scheme, "Next »" (rel=next) + numbered pages, "March 5, 2024"
    /ru/foreign_policy/news/?PAGEN_1=N       new scheme, "Далее" without rel, "5 марта 2024"
    /de/foreign_policy/news/?PAGEN_1=N       links in the ?lang=de scheme, numbered pages only, "05.03.2024"
    /{en_GB,ru_RU}/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw?..._cur=N
                                             old scheme, numbered pages only, links with redirect junk
    /sitemap.xml                             index of sitemap-news-en.xml, sitemap-news-ru.xml,
                                             sitemap-archive.xml.gz (gzip, news:publication_date), sitemap-pages.xml
    /press/?page=N                           a site without a profile: no dates in the listing, "Next"

Each new-scheme listing's first page repeats its newest statement in an undated "featured" box.
``broken`` pages answer 500 until removed from the set.
"""

from __future__ import annotations

import functools
import gzip
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PER_PAGE = 20
PORTLET = "cKNonkJE02Bw"
OLD_LOCALES = {"en": "en_GB", "ru": "ru_RU"}
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_RU = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


@dataclass(frozen=True)
class Statement:
    scheme: str  # "new", "old" or "generic"
    doc_id: int
    day: date
    langs: tuple[str, ...]

    @property
    def key(self) -> str:
        return {"new": "mid.ru", "old": "mid.ru (old)", "generic": "localhost"}[self.scheme] + f":{self.doc_id}"

    def path(self, lang: str) -> str:
        if self.scheme == "new":
            return f"/{lang}/foreign_policy/news/{self.doc_id}/"
        if self.scheme == "old":
            return f"/{OLD_LOCALES[lang]}/foreign_policy/news/-/asset_publisher/{PORTLET}/content/id/{self.doc_id}"
        return f"/press/{self.doc_id}-statement-of-the-ministry.html"

    def query_path(self, lang: str) -> str:
        """The new scheme's other spelling: the same id, the language as a parameter."""
        return f"/foreign_policy/news/{self.doc_id}/?lang={lang}"


def _date_text(day: date, lang: str) -> str:
    if lang == "en":
        return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"
    if lang == "ru":
        return f"{day.day} {MONTHS_RU[day.month - 1]} {day.year}"
    return day.strftime("%d.%m.%Y")


@dataclass
class Archive:
    new: list[Statement]
    old: list[Statement]
    generic: list[Statement]
    broken: set[str] = field(default_factory=set)  # paths with query, e.g. "/en/foreign_policy/news/?PAGEN_1=3"
    requests: list[tuple[float, str]] = field(default_factory=list)  # (time.monotonic(), path with query)

    @classmethod
    def generate(cls) -> Archive:
        """130 new-scheme statements (2023-2024), 110 old-scheme ones (2019-2020), 30 on a generic site."""
        new = [
            Statement(
                "new",
                1_900_000 + 7 * i,
                date(2024, 6, 30) - timedelta(days=4 * i),
                ("ru", *(("en",) if i % 10 != 3 else ()), *(("de",) if i % 3 == 0 else ())),
            )
            for i in range(130)
        ]
        old = [
            Statement(
                "old",
                4_500_000 + 11 * i,
                date(2020, 12, 30) - timedelta(days=5 * i),
                ("ru", *(("en",) if i % 9 != 4 else ())),
            )
            for i in range(110)
        ]
        generic = [Statement("generic", 50_000 + i, date(2024, 3, 30) - timedelta(days=i), ("en",)) for i in range(30)]
        return cls(new, old, generic)

    def expected(self, since: date, until: date, lang: str | None = None) -> dict[str, date]:
        """Key -> day of every mid.ru statement (both schemes) in the range, with a ``lang`` version if asked."""
        return {
            s.key: s.day
            for s in [*self.new, *self.old]
            if since <= s.day <= until and (lang is None or lang in s.langs)
        }

    def serve(self, server: HTTPServer) -> None:
        server.expect_request(re.compile("^/")).respond_with_handler(self.respond)

    # --- pages --------------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        path = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
        self.requests.append((time.monotonic(), path))
        if path in self.broken:
            return Response("Internal Server Error", status=500)
        page = int(
            request.args.get("PAGEN_1")
            or request.args.get(f"_101_INSTANCE_{PORTLET}_cur")
            or request.args.get("page")
            or 1
        )
        for lang in ("en", "ru", "de"):
            if request.path == f"/{lang}/foreign_policy/news/":
                return self._html(self._new_listing(lang, page))
        for lang, locale in OLD_LOCALES.items():
            if request.path == f"/{locale}/foreign_policy/news/-/asset_publisher/{PORTLET}":
                return self._html(self._old_listing(lang, page))
        if request.path == "/press/":
            return self._html(self._generic_listing(page))
        if request.path == "/robots.txt":
            return Response("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        if request.path.startswith("/sitemap"):
            return self._sitemap(request.path, request.host_url.rstrip("/"))
        found = self._statement_pages.get(path) or self._statement_pages.get(request.path)
        if found is None:
            return Response("Not Found", status=404)
        return self._html(self._statement_page(*found))

    @functools.cached_property
    def _statement_pages(self) -> dict[str, tuple[Statement, str]]:
        return {
            path: (s, lang)
            for s in [*self.new, *self.old, *self.generic]
            for lang in s.langs
            for path in {s.path(lang), s.query_path(lang)}
        }

    @staticmethod
    def _html(body: str) -> Response:
        return Response(body, content_type="text/html; charset=utf-8")

    def _new_listing(self, lang: str, page: int) -> str:
        listed = [s for s in self.new if lang in s.langs]
        chunk, pages = _page(listed, page)
        href = {s.doc_id: s.query_path("de") if lang == "de" else s.path(lang) for s in listed}
        items = [
            f'<div class="announce__item"><a class="announce__link" href="{href[s.doc_id]}">Statement {s.doc_id}'
            f'</a><div class="announce__date">{_date_text(s.day, lang)}</div></div>'
            for s in chunk
        ]
        featured = f'<div class="featured"><a href="{href[listed[0].doc_id]}">Top story</a></div>' if page == 1 else ""
        numbers = " ".join(f'<a href="?PAGEN_1={n}">{n}</a>' for n in range(max(1, page - 2), min(pages, page + 2) + 1))
        nxt = ""
        if page < pages and lang == "en":
            nxt = f'<a rel="next" href="?PAGEN_1={page + 1}">Next »</a>'
        elif page < pages and lang == "ru":
            nxt = f'<a href="/ru/foreign_policy/news/?PAGEN_1={page + 1}">Далее</a>'
        menu = (
            f'<nav><a href="/{lang}/">Home</a> <a href="/{lang}/about/structure/1234567/">Department</a>'
            f' <a href="/en/foreign_policy/news/">en</a> <a href="/ru/foreign_policy/news/">ru</a></nav>'
        )
        return (
            f'<html lang="{lang}"><body>{menu}<h1>News</h1>{featured}<div class="announce">{"".join(items)}</div>'
            f'<div class="pagination">{numbers} {nxt}</div></body></html>'
        )

    def _old_listing(self, lang: str, page: int) -> str:
        listed = [s for s in self.old if lang in s.langs]
        chunk, pages = _page(listed, page)
        junk = f"?_101_INSTANCE_{PORTLET}_redirect=%2F{OLD_LOCALES[lang]}%2Fforeign_policy%2Fnews"
        items = "".join(
            f'<li><span class="date">{_date_text(s.day, "de")}</span> '
            f'<a href="{s.path(lang)}{junk}">Statement {s.doc_id}</a></li>'
            for s in chunk
        )
        numbers = " ".join(f'<a href="?_101_INSTANCE_{PORTLET}_cur={n}">{n}</a>' for n in range(1, pages + 1))
        return (
            f'<html><body><div class="page-content"><h1>News</h1><ul>{items}</ul>'
            f'<div class="pager">{numbers}</div></div></body></html>'
        )

    def _generic_listing(self, page: int) -> str:
        chunk, pages = _page(self.generic, page, per_page=10)
        items = "".join(f'<li><a href="{s.path("en")}">Statement {s.doc_id}</a></li>' for s in chunk)
        nxt = f'<a href="/press/?page={page + 1}">Next</a>' if page < pages else ""
        return (
            '<html lang="en"><body><header><a href="/about/">About</a> <a href="/press/2024/">2024</a>'
            f' <a href="/files/report-12345.pdf">Report</a></header><ul>{items}</ul>{nxt}</body></html>'
        )

    def _statement_page(self, s: Statement, lang: str) -> str:
        if s.scheme == "generic":
            return (
                f'<html lang="en"><head><meta property="article:published_time" content="{s.day}T10:00:00">'
                f"</head><body><h1>Statement {s.doc_id}</h1><p>Text of the statement.</p></body></html>"
            )
        return (
            f'<html lang="{lang}"><body><h1 class="photo-content__title">Statement {s.doc_id}</h1>'
            f'<div class="photo-content__date">{_date_text(s.day, lang)}</div>'
            f'<div class="text article-content"><p>Text.</p></div></body></html>'
        )

    def _sitemap(self, path: str, base: str) -> Response:
        if path == "/sitemap.xml":
            children = ["/sitemap-news-en.xml", "/sitemap-news-ru.xml", "/sitemap-archive.xml.gz", "/sitemap-pages.xml"]
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(f"<sitemap><loc>{base}{c}</loc></sitemap>" for c in children)
                + "</sitemapindex>"
            )
        elif path.startswith("/sitemap-news-"):
            lang = path[len("/sitemap-news-") : -4]
            body = _urlset(
                f"<url><loc>{base}{s.path(lang)}</loc><lastmod>{s.day}T09:00:00+03:00</lastmod></url>"
                for s in self.new
                if lang in s.langs
            )
        elif path == "/sitemap-archive.xml.gz":
            body = _urlset(
                f"<url><loc>{base}{s.path(lang)}</loc><lastmod>2021-05-01</lastmod><news:news>"
                f"<news:publication_date>{s.day}</news:publication_date></news:news></url>"
                for s in self.old
                for lang in s.langs
            )
            return Response(gzip.compress(body.encode()), content_type="application/x-gzip")
        elif path == "/sitemap-pages.xml":
            body = _urlset(f"<url><loc>{base}{p}</loc></url>" for p in ("/en/about/", "/ru/contacts/", "/en/"))
        else:
            return Response("Not Found", status=404)
        return Response(body, content_type="application/xml")


def _urlset(entries: Iterable[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(entries) + "</urlset>"
    )


def _page(items: list[Statement], page: int, per_page: int = PER_PAGE) -> tuple[list[Statement], int]:
    pages = (len(items) + per_page - 1) // per_page
    return items[(page - 1) * per_page : page * per_page], pages
