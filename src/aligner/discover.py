"""Enumerate a site's statements for ``aligner batch``: walk listing pages or sitemaps, keep one URL per statement.

    discover(starts, options, state=path)  -> Discovery
    write_url_list(discovery, path)          (the input ``aligner batch`` reads)

The walk reads one page at a time through the fetcher's polite client (``_http.Http``: cache,
robots.txt, per-host delay, retries) and follows pagination ("next" links, numbered pages) and
sitemap indexes breadth first; ``aligner._listing`` reads each page. A statement is known by the
key its URL scheme gives all its language versions, so it is listed once however many languages
and listings show it.

Dates come from the listing (the date printed beside the link), the sitemap (publication date, else
last modification), or, when a date range is asked for and neither has one, the statement page
itself (fetched once and cached, so ``aligner batch`` does not download it again). Listings are
taken to be newest first: a listing page whose statements are all older than ``since`` ends its
pagination.

Resuming: the walk's state is saved beside the output every few seconds and when the run ends. An
interrupted run, or one in which pages could not be read, leaves it there; running the same command again continues (and
retries the failed pages). A walk that read every page removes it.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ._http import FetchOptions, Http
from ._io import atomic_writer
from ._listing import Link, Site, page_date, read_listing
from ._urls import Site as FetchSite
from ._urls import host_of
from .errors import ExtractionError, FetchError, InputError
from .languages import normalize_lang

__all__ = ["DiscoverOptions", "Discovery", "FoundStatement", "discover", "state_path_for", "write_url_list"]

log = logging.getLogger("aligner.discover")

_STATE_VERSION = 1
_SAVE_EVERY = 5.0  # seconds between two saves of the state (a large archive's state is megabytes)


@dataclass(frozen=True)
class DiscoverOptions:
    """What to list; built from CLI flags in ``aligner.cli._discover``."""

    since: date | None = None
    until: date | None = None
    lang: str | None = None  # list this language version of each statement (statements without it are left out)
    limit: int | None = None  # stop once this many statements are found
    max_pages: int = 10_000  # listing pages and sitemaps read at most: a guard against endless calendars
    fetch: FetchOptions = field(default_factory=FetchOptions)

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InputError(f"--since {self.since} is after --until {self.until}")
        if self.lang is not None:
            object.__setattr__(self, "lang", normalize_lang(self.lang))

    def settings(self) -> dict[str, Any]:
        """What a saved walk must have been started with to be resumed."""
        return {"since": str(self.since or ""), "until": str(self.until or ""), "lang": self.lang or ""}


@dataclass(frozen=True)
class FoundStatement:
    """One statement to align, in the language asked for (or the first one it was found in)."""

    url: str
    key: str
    date: str  # ISO, or "" when no date was asked for and none was printed
    lang: str


@dataclass(frozen=True)
class Discovery:
    """What ``discover`` found, over every run of the same walk."""

    starts: tuple[str, ...]
    statements: tuple[FoundStatement, ...]  # in the order found (newest first on a newest-first listing)
    pages_read: int
    failed_pages: tuple[tuple[str, str], ...]  # (url, one-line reason): a rerun retries them
    problems: tuple[str, ...]  # statements left out because their date could not be read
    complete: bool  # every page was read (False: failures, --max or the page limit stopped the walk)


def state_path_for(output: Path) -> Path:
    """Where the walk writing ``output`` keeps its state: beside it."""
    return output.with_name(output.name + ".discover-state.json")


def _fetch_site(starts: Sequence[str], fetch: FetchOptions) -> FetchSite:
    """The hosts the walk may read: those of the start URLs (and ``--allow-host``), never others."""
    return FetchSite(starts[0], (*fetch.allow_hosts, *(host_of(url) for url in starts[1:])))


def discover(
    starts: Sequence[str],
    options: DiscoverOptions | None = None,
    *,
    state: Path | None = None,
    on_page: Callable[[str, int], None] | None = None,
) -> Discovery:
    """Walk the listings or sitemaps at ``starts`` and return their statements in range, once each.

    ``state`` (see ``state_path_for``) makes the walk resumable. ``on_page(url, found)`` is called
    after each page. A page that cannot be read is recorded and the walk goes on; FetchError is
    raised only when no page at all can be read.
    """
    options = options or DiscoverOptions()
    walk = _Walk.resume(state, starts, options) or _Walk.fresh(starts, options)
    saved = time.monotonic()
    try:
        with Http(options.fetch, _fetch_site(starts, options.fetch)) as http:
            while walk.queue and walk.pages_read < options.max_pages and not walk.full():
                url, site = walk.queue[0]
                _read_page(http, walk, url, site)
                walk.queue.popleft()
                if state is not None and time.monotonic() - saved > _SAVE_EVERY:
                    walk.save(state)
                    saved = time.monotonic()
                if on_page:
                    on_page(url, len(walk.kept))
    finally:  # interrupted too: the page being read stays first in the queue
        if state is not None:
            walk.save(state)
    if walk.pages_read == 0 and walk.failed:
        raise FetchError(next(iter(walk.failed.values()))[0])
    complete = not walk.queue and not walk.failed
    if state is not None and complete:
        state.unlink(missing_ok=True)
    return walk.result(complete)


def write_url_list(discovery: Discovery, path: Path) -> None:
    """The statements as ``aligner batch`` input: one URL a line, after a ``#`` comment saying where from."""
    with atomic_writer(path) as handle:
        handle.write(f"# aligner discover {' '.join(discovery.starts)}: {len(discovery.statements)} statements\n")
        for statement in discovery.statements:
            handle.write(statement.url + "\n")


def _read_page(http: Http, walk: _Walk, url: str, site: Site) -> None:
    try:
        listing = read_listing(http.get(url), site)
    except (FetchError, ExtractionError) as error:
        log.warning("%s", error)
        walk.failed[url] = (str(error), site)
        return
    walk.failed.pop(url, None)
    walk.pages_read += 1
    options = walk.options
    for link in listing.statements:
        walk.add(link)
    for link in listing.statements:  # after the whole page: an undated teaser may be dated further down
        if not walk.statements[link.key]["date"] and (options.since or options.until):
            _date_from_page(http, walk, link)
        walk.update(link.key)
    since = str(options.since or "")
    dates = [walk.statements[link.key]["date"] for link in listing.statements]
    if since and not listing.is_sitemap and dates and all(d and d < since for d in dates):
        log.info("%s: every statement is older than %s; not following its pagination", url, since)
    else:
        walk.enqueue(listing.pages, site)


def _date_from_page(http: Http, walk: _Walk, link: Link) -> None:
    record = walk.statements[link.key]
    try:
        record["date"] = page_date(http.get(link.url))
    except FetchError as error:
        walk.problems[link.key] = f"{link.url}: no date in the listing, and the page cannot be read ({error})"
        return
    if record["date"]:
        walk.problems.pop(link.key, None)
    else:
        walk.problems[link.key] = f"{link.url}: no date in the listing or on the page"


class _Walk:
    """The walk so far: pages still to read, statements found; saved as JSON.

    A page that cannot be read stays in ``failed`` and is saved back into the queue, so that a
    rerun tries it again.
    """

    def __init__(self, starts: Sequence[str], options: DiscoverOptions) -> None:
        self.starts, self.options = tuple(starts), options
        self.queue: deque[tuple[str, Site]] = deque()
        self.seen_pages: set[str] = set()
        self.pages_read = 0
        self.failed: dict[str, tuple[str, Site]] = {}  # url -> (reason, site)
        self.statements: dict[str, dict[str, Any]] = {}  # key -> {"date": ISO or "", "urls": {lang: url}}
        self.kept: set[str] = set()  # keys of the statements that pass the filters
        self.problems: dict[str, str] = {}

    @classmethod
    def fresh(cls, starts: Sequence[str], options: DiscoverOptions) -> _Walk:
        walk = cls(starts, options)
        for url in starts:
            walk.enqueue([url], Site.of(url))
        return walk

    @classmethod
    def resume(cls, path: Path | None, starts: Sequence[str], options: DiscoverOptions) -> _Walk | None:
        if path is None or not path.is_file():
            return None
        walk = cls(starts, options)
        try:
            data = json.loads(path.read_text("utf-8"))
            if (data["version"], data["starts"], data["settings"]) != (
                _STATE_VERSION,
                list(starts),
                options.settings(),
            ):
                log.info("%s: the state of another walk; starting afresh", path)
                return None
            walk.queue = deque((url, Site(host, section)) for url, host, section in data["queue"])
            walk.seen_pages = set(data["seen_pages"])
            walk.pages_read = int(data["pages_read"])
            walk.statements = {
                k: {"date": str(v["date"]), "urls": dict(v["urls"])} for k, v in data["statements"].items()
            }
            walk.problems = dict(data["problems"])
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("%s: unreadable; starting afresh", path)
            return None
        for key in walk.statements:
            walk.update(key)
        log.info("%s: resuming (%d pages read, %d to go)", path, walk.pages_read, len(walk.queue))
        return walk

    def save(self, path: Path) -> None:
        queue = [*self.queue, *((url, site) for url, (_, site) in self.failed.items())]
        data = {
            "version": _STATE_VERSION,
            "starts": list(self.starts),
            "settings": self.options.settings(),
            "queue": [[url, site.host, site.section] for url, site in queue],
            "seen_pages": sorted(self.seen_pages),
            "pages_read": self.pages_read,
            "statements": self.statements,
            "problems": self.problems,
        }
        with atomic_writer(path) as handle:
            json.dump(data, handle, ensure_ascii=False)

    def enqueue(self, pages: Sequence[str], site: Site) -> None:
        for url in pages:
            if url not in self.seen_pages:
                self.seen_pages.add(url)
                self.queue.append((url, site))

    def add(self, link: Link) -> None:
        record = self.statements.setdefault(link.key, {"date": "", "urls": {}})
        record["urls"].setdefault(link.lang, link.url)
        record["date"] = record["date"] or link.date

    def update(self, key: str) -> None:
        """Re-check one statement against the filters after a page added to what is known of it."""
        record, options = self.statements[key], self.options
        day = record["date"]
        keep = (not options.lang or options.lang in record["urls"]) and not (
            (options.since and not (day and day >= str(options.since)))
            or (options.until and not (day and day <= str(options.until)))
        )
        (self.kept.add if keep else self.kept.discard)(key)

    def full(self) -> bool:
        return self.options.limit is not None and len(self.kept) >= self.options.limit

    def result(self, complete: bool) -> Discovery:
        kept = []
        for key, record in self.statements.items():
            if key in self.kept:
                lang = self.options.lang or next(iter(record["urls"]))
                kept.append(FoundStatement(record["urls"][lang], key, record["date"], lang))
        kept = kept[: self.options.limit]
        problems = tuple(problem for key, problem in self.problems.items() if key not in self.kept)
        failed = tuple((url, reason) for url, (reason, _) in self.failed.items())
        return Discovery(self.starts, tuple(kept), self.pages_read, failed, problems, complete)
