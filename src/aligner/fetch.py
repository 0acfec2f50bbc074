"""Download the language versions of a statement: polite HTTP, discovery, checks, extraction.

``fetch_statement(url)`` fetches the start page, finds its language versions (in order of trust:
``<link rel="alternate" hreflang>``, language-switcher anchors, site profiles), downloads each,
extracts it (``aligner.extract``) and checks that it really is the expected language version of the
same statement. A version that fails any step is reported in ``missing`` with a one-line reason; the
run fails only when the start page cannot be downloaded or fewer than two languages yield text.

All network behaviour (timeouts, retries, size cap, per-host delay, robots.txt, on-disk cache) is
set by one ``FetchOptions``; httpx errors become ``FetchError`` here and nowhere else.
"""

from __future__ import annotations

import copy
import email.utils
import hashlib
import json
import logging
import os
import re
import time
import urllib.robotparser
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from lxml import etree

from . import _xpaths as X
from ._io import atomic_writer
from ._version import __version__
from .errors import ExtractionError, FetchError, LanguageError, OutputError
from .extract import (
    declared_language,
    language_mismatch,
    extract_document,
    extract_html,
    parse_date,
    parse_html,
    read_html_file,
)
from .languages import CORE_LANGUAGES, normalize_lang
from .profiles import page_profile, url_profile
from .types import Document

__all__ = ["FetchOptions", "FetchedStatement", "fetch_page", "fetch_statement", "read_html_file"]

log = logging.getLogger("aligner.fetch")


def _default_cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "aligner" / "http"


@dataclass(frozen=True)
class FetchOptions:
    """Every network setting in one place; the defaults are polite to a government web site."""

    timeout: float = 30.0  # seconds to wait for each read (and write/pool)
    connect_timeout: float = 10.0
    retries: int = 3  # extra attempts after a connection error, 429 or 5xx
    backoff: float = 1.0  # first wait between attempts; doubles each time
    max_retry_wait: float = 60.0  # cap on any wait, including a server's Retry-After
    max_bytes: int = 10 * 1024 * 1024  # a larger response is aborted while streaming
    delay: float = 1.0  # minimum seconds between two requests to the same host
    max_redirects: int = 10
    user_agent: str = field(default_factory=lambda: f"aligner/{__version__} (+https://github.com/aligner)")
    respect_robots: bool = True
    use_cache: bool = True
    cache_dir: Path = field(default_factory=_default_cache_dir)
    cache_max_age: float = 7 * 24 * 3600.0  # seconds a cached page stays fresh


@dataclass(frozen=True)
class FetchedStatement:
    """What ``fetch_statement`` found: a ``Document`` per language, and why the others are missing.

    ``raw_pages`` holds the bytes of every page downloaded for a language, including rejected ones
    (so that a rejection can be inspected); ``urls`` the address each language was fetched from.
    """

    documents: dict[str, Document]
    missing: dict[str, str]
    raw_pages: dict[str, bytes]
    urls: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Page:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    retry_after: str = ""  # the server's Retry-After header, if any


# --- HTTP --------------------------------------------------------------------------------------


class _Cache:
    """Successful responses on disk, one JSON header and one body file per URL."""

    def __init__(self, root: Path, max_age: float) -> None:
        self.root, self.max_age = root, max_age

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / f"{key}.body"

    def get(self, url: str) -> _Page | None:
        head, body = self._paths(url)
        try:
            info = json.loads(head.read_text("utf-8"))
            if time.time() - info["fetched_at"] > self.max_age:
                return None
            return _Page(url, info["final_url"], info["status"], info["content_type"], body.read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, page: _Page) -> None:
        head, body = self._paths(page.url)
        with atomic_writer(body, "wb") as handle:
            handle.write(page.body)
        info = {"url": page.url, "final_url": page.final_url, "status": page.status,
                "content_type": page.content_type, "fetched_at": time.time()}
        with atomic_writer(head) as handle:
            json.dump(info, handle)

    def forget(self, url: str) -> None:
        for path in self._paths(url):
            path.unlink(missing_ok=True)


class _Http:
    """One polite client: cache, robots.txt, per-host delay, retries, size cap, error wrapping."""

    def __init__(self, options: FetchOptions) -> None:
        self.options = options
        self.cache = _Cache(options.cache_dir, options.cache_max_age) if options.use_cache else None
        self.client = httpx.Client(
            timeout=httpx.Timeout(options.timeout, connect=options.connect_timeout),
            follow_redirects=True,
            max_redirects=options.max_redirects,
            headers={"User-Agent": options.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
        )
        self._seen: dict[str, _Page] = {}  # this run's pages: one request per URL even without cache
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._last_request: dict[str, float] = {}

    def __enter__(self) -> _Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str) -> _Page:
        """A page with a 2xx status (from this run, the cache, or the network), or FetchError."""
        _check_url(url)
        if url in self._seen:
            return self._seen[url]
        page = self.cache.get(url) if self.cache else None
        if page is None:
            if not self._allowed(url):
                raise FetchError(f"{url}: disallowed by robots.txt (use --ignore-robots to fetch anyway)")
            page = self._download(url)
            if not 200 <= page.status < 300:
                raise FetchError(f"{url}: HTTP {page.status} {httpx.codes.get_reason_phrase(page.status)}")
            self._remember(page)
        else:
            log.debug("cache hit: %s", url)
        self._seen[url] = page
        return page

    def _remember(self, page: _Page) -> None:
        """Cache a page; a cache that cannot be written slows later runs but must not fail this one."""
        if self.cache:
            try:
                self.cache.put(page)
            except OutputError as error:
                log.warning("not cached: %s", error)

    def forget(self, url: str) -> None:
        """Drop a page that turned out useless (an interstitial) so the next run asks again."""
        self._seen.pop(url, None)
        if self.cache:
            self.cache.forget(url)

    def _allowed(self, url: str) -> bool:
        if not self.options.respect_robots:
            return True
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            self._robots[root] = self._read_robots(root + "/robots.txt")
        return self._robots[root].can_fetch(self.options.user_agent, url)

    def _read_robots(self, robots_url: str) -> urllib.robotparser.RobotFileParser:
        """Rules for a host; cached like a page. 401/403 forbid all, as urllib's own reader does."""
        page = self.cache.get(robots_url) if self.cache else None
        if page is None:
            try:
                page = self._download(robots_url)
            except FetchError as error:
                log.info("no robots.txt (%s); assuming everything is allowed", error)
                page = _Page(robots_url, robots_url, 200, "text/plain", b"")
            if page.status in (401, 403):
                page = _Page(robots_url, page.final_url, 200, "text/plain", b"User-agent: *\nDisallow: /\n")
            elif not 200 <= page.status < 300:
                page = _Page(robots_url, page.final_url, 200, "text/plain", b"")
            self._remember(page)
        parser = urllib.robotparser.RobotFileParser(robots_url)
        parser.parse(page.body.decode("utf-8", errors="replace").splitlines())
        return parser

    def _download(self, url: str) -> _Page:
        """GET with retries on connection errors, 429 and 5xx; returns the last response otherwise."""
        options = self.options
        attempt = 0
        while True:
            self._wait_turn(url)
            try:
                page = self._stream(url)
            except httpx.UnsupportedProtocol as error:
                raise FetchError(f"{url}: {error} (only http and https can be fetched)") from None
            except httpx.InvalidURL as error:
                raise FetchError(f"{url}: not a valid URL ({error})") from None
            except httpx.TooManyRedirects:
                raise FetchError(f"{url}: more than {options.max_redirects} redirects") from None
            except httpx.TransportError as error:
                problem, wait = _describe(error), options.backoff * 2**attempt
            except httpx.HTTPError as error:
                raise FetchError(f"{url}: {_describe(error)}") from None
            else:
                if page.status != 429 and page.status < 500:
                    return page
                problem = f"HTTP {page.status} {httpx.codes.get_reason_phrase(page.status)}"
                wait = _retry_after(page) if page.status in (429, 503) else None
                wait = options.backoff * 2**attempt if wait is None else wait
            if attempt == options.retries:
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise FetchError(f"{url}: {problem}{tries}")
            wait = min(wait, options.max_retry_wait)
            log.info("%s: %s; retrying in %.1f s", url, problem, wait)
            time.sleep(wait)
            attempt += 1

    def _stream(self, url: str) -> _Page:
        cap = self.options.max_bytes
        with self.client.stream("GET", url) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(f"{url}: response of {int(declared)} bytes exceeds the {cap}-byte limit")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"{url}: response exceeds the {cap}-byte limit; download aborted")
                chunks.append(chunk)
            headers = response.headers
            return _Page(url, str(response.url), response.status_code, headers.get("content-type", ""),
                         b"".join(chunks), headers.get("retry-after", ""))

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            pause = last + self.options.delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        self._last_request[host] = time.monotonic()


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise FetchError(f"{url}: not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs can be fetched (got {scheme or 'no scheme'!r})")
    if not parts.hostname:
        raise FetchError(f"{url}: not a valid URL (no host name)")


def _retry_after(page: _Page) -> float | None:
    """Seconds a server asked us to wait (``Retry-After`` as seconds or an HTTP date)."""
    value = page.retry_after.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _describe(error: httpx.HTTPError) -> str:
    kinds = (
        (httpx.ConnectTimeout, "connection timed out"),
        (httpx.ReadTimeout, "no response within the read timeout"),
        (httpx.TimeoutException, "timed out"),
        (httpx.ConnectError, "cannot connect"),
        (httpx.RemoteProtocolError, "the server broke the HTTP protocol"),
        (httpx.ReadError, "connection lost while reading"),
    )
    detail = str(error).splitlines()[0] if str(error) else ""
    for kind, text in kinds:
        if isinstance(error, kind):
            return f"{text} ({detail})" if detail and detail != text else text
    return detail or type(error).__name__


def fetch_page(url: str, options: FetchOptions | None = None) -> bytes:
    """The raw bytes of one page, with all of ``FetchOptions``' politeness (for scripts and tests)."""
    with _Http(options or FetchOptions()) as http:
        return http.get(url).body


# --- discovery ---------------------------------------------------------------------------------

_LANGUAGE_NAMES = {
    "deutsch": "de", "german": "de", "allemand": "de", "alemán": "de", "немецкий": "de",
    "english": "en", "englisch": "en", "anglais": "en", "inglés": "en", "английский": "en",
    "español": "es", "espanol": "es", "spanish": "es", "spanisch": "es", "espagnol": "es", "испанский": "es",
    "русский": "ru", "russian": "ru", "russisch": "ru", "ruso": "ru", "russe": "ru",
    "français": "fr", "francais": "fr", "french": "fr", "französisch": "fr", "francés": "fr", "французский": "fr",
}
_LOCALE_TEXT = re.compile(r"^[A-Za-z]{2}(?:[-_][A-Za-z]{2})?$")
_CLASS_LANG = re.compile(
    r"(?:^|\s)(?:lang|language|flag|locale)[-_]+([a-z]{2})(?:[-_][a-z]{2})?(?:$|\s)", re.IGNORECASE
)
#: The path of a language's home page (``/``, ``/en/``, ``/en_GB``): a switcher to it is no item link.
_LOCALE_ROOT = re.compile(r"^/?(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?$", re.IGNORECASE)
_LOGIN = re.compile(
    r"(?:^|[/_.?=&-])(login|log-in|signin|sign-in|sign_in|auth|sso|account|session)(?:$|[/_.?=&-])", re.IGNORECASE
)


@dataclass(frozen=True)
class _Lead:
    url: str
    how: str  # which discovery step found it, for messages


def _code(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalize_lang(value)
    except LanguageError:
        return None


def _anchor_lang(anchor: etree._Element) -> str | None:
    """The language a switcher anchor points to: hreflang/lang, a code or name as text, a class."""
    found = _code(anchor.get("hreflang")) or _code(anchor.get("lang"))
    if found:
        return found
    text = " ".join(anchor.text_content().split())
    if _LOCALE_TEXT.match(text):
        return _code(text)
    if text.casefold() in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[text.casefold()]
    match = _CLASS_LANG.search(anchor.get("class", ""))
    return _code(match.group(1)) if match else None


def _discover(
    tree: etree._Element | None, page_url: str, langs: Sequence[str]
) -> tuple[dict[str, _Lead], dict[str, str]]:
    """Where each language version is, by trust; and languages the site says do not exist."""
    leads: dict[str, _Lead] = {}
    on_scheme = url_profile(page_url)

    def consider(lang: str | None, href: str | None, how: str) -> None:
        if lang is None or lang not in langs or lang in leads or not href:
            return
        target = urljoin(page_url, href.strip())
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or (_LOCALE_ROOT.match(parts.path) and not parts.query):
            return
        if on_scheme:  # on a profiled site, only links to the same item count
            other = on_scheme[0].match_url(target)
            if other is None or other.doc_id != on_scheme[1].doc_id:
                return
        leads[lang] = _Lead(target, how)

    offered: set[str] | None = None
    if tree is not None:
        for link in X.ALTERNATE_LINKS(tree):
            consider(_code(link.get("hreflang")), link.get("href"), "hreflang link")
        for anchor in X.ANCHORS(tree):
            consider(_anchor_lang(anchor), anchor.get("href"), "language switcher")
        profile = page_profile(tree)
        if profile is not None and profile.switcher is not None:
            offered = {lang for a in profile.switcher(tree) if (lang := _anchor_lang(a))} or None
    unlisted: dict[str, str] = {}
    for lang in langs:
        if lang in leads:
            continue
        if offered is not None and lang not in offered:
            unlisted[lang] = "the page's language switcher does not offer it (no such version published)"
        elif on_scheme:
            leads[lang] = _Lead(on_scheme[1].url_for(lang), f"{on_scheme[0].name} URL scheme")
    return leads, unlisted


# --- checks ------------------------------------------------------------------------------------


def _redirect_problem(page: _Page, lang: str) -> str | None:
    if page.final_url == page.url:
        return None
    parts = urlsplit(page.final_url)
    if _LOGIN.search(parts.path + "?" + parts.query):
        return f"redirected to a login page ({page.final_url})"
    moved = url_profile(page.final_url)
    if moved and moved[1].lang != lang:
        return f"redirected to the {moved[1].lang!r} version ({page.final_url})"
    return None


def _content_problem(doc: Document, lang: str, reference: Document | None) -> str | None:
    """Why ``doc`` is not the ``lang`` version of the reference statement, or None if it plausibly is."""
    meta = dict(doc.meta)
    declared = meta.get("declared_lang", "")
    if declared and declared != lang:
        return f"the page declares language {declared!r}, expected {lang!r}"
    if mismatch := language_mismatch(" ".join(doc.paragraphs), lang):
        return mismatch
    if reference is None:
        return None
    if doc.doc_id and reference.doc_id and doc.doc_id != reference.doc_id:
        return f"a different item (id {doc.doc_id}; the start page has {reference.doc_id})"
    number, expected_number = meta.get("doc_number", ""), dict(reference.meta).get("doc_number", "")
    if number and expected_number and number != expected_number:
        return f"a different document (number {number}; the start page has {expected_number})"
    date, expected_date = parse_date(doc.date), parse_date(reference.date)
    if date and expected_date and date != expected_date:
        return f"a different statement (dated {date}; the start page is dated {expected_date})"
    n, m = len(doc.paragraphs), len(reference.paragraphs)
    if max(n, m) > 2 * min(n, m) + 2:
        return f"{n} paragraphs against {m} on the start page: probably not the same statement"
    return None


# --- orchestration -----------------------------------------------------------------------------


def fetch_statement(
    url: str,
    langs: Sequence[str] = CORE_LANGUAGES,
    *,
    options: FetchOptions | None = None,
    explicit: Mapping[str, str] | None = None,
) -> FetchedStatement:
    """Download and extract the ``langs`` versions of the statement at ``url``.

    ``explicit`` maps languages to URLs and skips discovery (``aligner run --url de=URL``); ``url``
    is then the reference page the others are checked against (usually one of them).
    Raises FetchError when ``url`` cannot be downloaded and ExtractionError when fewer than two
    languages yield text; every other failure is a reason in ``missing``.
    """
    options = options or FetchOptions()
    wanted = tuple(dict.fromkeys(normalize_lang(lang) for lang in langs))
    given = {normalize_lang(lang): target for lang, target in (explicit or {}).items()}
    documents: dict[str, Document] = {}
    missing: dict[str, str] = {}
    raw: dict[str, bytes] = {}
    urls: dict[str, str] = {}
    with _Http(options) as http:
        start = http.get(url)
        reference, start_lang, tree = _read_start(start)
        if given:
            leads = {lang: _Lead(target, "given") for lang, target in given.items()}
            unlisted = {lang: "no URL given for it" for lang in wanted if lang not in given}
        else:
            leads, unlisted = _discover(tree, start.final_url, wanted)
            if start_lang in wanted:
                leads[start_lang] = _Lead(url, "start page")
                unlisted.pop(start_lang, None)
        for lang in wanted:
            lead = leads.get(lang)
            if lead is None:
                missing[lang] = unlisted.get(lang) or "no link to this language version found on the page"
                continue
            page, outcome = _fetch_version(http, lead, lang, start, reference)
            urls[lang] = page.final_url if page else lead.url
            if page is not None:
                raw[lang] = page.body
            if isinstance(outcome, Document):
                documents[lang] = outcome
                log.info("%s: %d paragraphs from %s (%s)", lang, len(outcome.paragraphs), urls[lang], lead.how)
            else:
                missing[lang] = outcome
    for lang, reason in missing.items():
        log.info("%s missing: %s", lang, reason)
    if len(documents) < 2:
        found = ", ".join(documents) or "none"
        reasons = "; ".join(f"{lang}: {reason}" for lang, reason in missing.items())
        raise ExtractionError(f"{url}: fewer than two languages yield text (found: {found}; missing {reasons})")
    return FetchedStatement(documents=documents, missing=missing, raw_pages=raw, urls=urls)


def _fetch_version(
    http: _Http, lead: _Lead, lang: str, start: _Page, reference: Document | None
) -> tuple[_Page | None, Document | str]:
    """The page downloaded for one language, and its document or the one-line reason it is unusable."""
    try:
        page = http.get(lead.url)
    except FetchError as error:
        return None, str(error)
    problem = _redirect_problem(page, lang)
    if problem is not None:
        return page, f"{page.final_url}: {problem}"
    if page is start and reference is not None and reference.lang == lang:
        doc = reference  # the start page, already extracted in this language by _read_start
    else:
        try:
            doc = extract_html(page.body, source=page.final_url, lang=lang, content_type=page.content_type)
        except (ExtractionError, LanguageError) as error:
            http.forget(lead.url)  # an interstitial today may be the statement tomorrow
            return page, str(error)
    problem = _content_problem(doc, lang, reference)
    return (page, doc) if problem is None else (page, f"{page.final_url}: {problem}")


def _read_start(start: _Page) -> tuple[Document | None, str, etree._Element | None]:
    """The start page's document (the reference for the others), language, and tree for discovery."""
    on_scheme = url_profile(start.final_url)
    scheme_lang = on_scheme[1].lang if on_scheme else ""
    try:
        tree = parse_html(start.body, start.content_type, source=start.final_url)
    except ExtractionError as error:
        log.warning("%s", error)
        return None, scheme_lang, None
    lang = declared_language(tree) or scheme_lang
    try:
        # Extraction strips the tree (switchers, navigation) that discovery still needs: extract a copy
        # rather than decode and parse the page a second time.
        reference = extract_document(copy.deepcopy(tree), source=start.final_url, lang=lang or None)
    except (ExtractionError, LanguageError) as error:
        log.warning("%s", error)  # the loop over languages reports it, and forgets the page
        return None, lang, tree
    return reference, lang or reference.lang, tree
