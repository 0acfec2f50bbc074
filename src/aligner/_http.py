"""The polite HTTP client behind ``aligner.fetch``: on-disk cache, robots.txt, per-host delay, retries.

Every network setting comes from one ``FetchOptions``; httpx errors become ``FetchError`` here and
nowhere else. ``Http.get`` returns a 2xx ``Page`` (from this run, the cache or the network) or raises.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import time
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ._io import atomic_writer
from ._version import __version__
from .errors import FetchError, OutputError

log = logging.getLogger("aligner.fetch")  # the client's messages belong to the fetch stage


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
class Page:
    """One response as the fetcher needs it; cached pages come back the same way."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    retry_after: str = ""  # the server's Retry-After header, if any


class _Cache:
    """Successful responses on disk, one JSON header and one body file per URL."""

    def __init__(self, root: Path, max_age: float) -> None:
        self.root, self.max_age = root, max_age

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / f"{key}.body"

    def get(self, url: str) -> Page | None:
        head, body = self._paths(url)
        try:
            info = json.loads(head.read_text("utf-8"))
            if time.time() - info["fetched_at"] > self.max_age:
                return None
            return Page(url, info["final_url"], info["status"], info["content_type"], body.read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, page: Page) -> None:
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


class Http:
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
        self._seen: dict[str, Page] = {}  # this run's pages: one request per URL even without cache
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._last_request: dict[str, float] = {}

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str) -> Page:
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

    def _remember(self, page: Page) -> None:
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
                page = Page(robots_url, robots_url, 200, "text/plain", b"")
            if page.status in (401, 403):
                page = Page(robots_url, page.final_url, 200, "text/plain", b"User-agent: *\nDisallow: /\n")
            elif not 200 <= page.status < 300:
                page = Page(robots_url, page.final_url, 200, "text/plain", b"")
            self._remember(page)
        parser = urllib.robotparser.RobotFileParser(robots_url)
        parser.parse(page.body.decode("utf-8", errors="replace").splitlines())
        return parser

    def _download(self, url: str) -> Page:
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

    def _stream(self, url: str) -> Page:
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
            return Page(url, str(response.url), response.status_code, headers.get("content-type", ""),
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


def _retry_after(page: Page) -> float | None:
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
