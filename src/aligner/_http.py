"""The polite HTTP client behind ``aligner.fetch``: on-disk cache, robots.txt, per-host delay, retries.

Every network setting comes from one ``FetchOptions``; httpx errors become ``FetchError`` here and
nowhere else. ``Http.get`` returns a 2xx ``Page`` (from this run, the cache or the network) or raises.

Time is bounded twice: each request (connection, redirects, every read) ends by its deadline, however
slowly a server trickles, and all requests of one ``Http`` (one statement), retries and waits
included, end within its budget. Every request, redirects included, must stay on the statement's
``Site``; a URL's credentials are sent but never shown, logged or cached.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import threading
import time
import urllib.robotparser
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from ssl import SSLContext
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from ._io import atomic_writer
from ._urls import Site, redact
from ._version import __version__
from .errors import FetchError, OutputError

log = logging.getLogger("aligner.fetch")  # the client's messages belong to the fetch stage


def _default_cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "aligner" / "http"


@dataclass(frozen=True)
class FetchOptions:
    """Every network setting in one place; the defaults are polite to a government web site."""

    timeout: float = 60.0  # seconds one request may take in all: connection, redirects, every read
    connect_timeout: float = 10.0
    retries: int = 3  # extra attempts after a connection error, 429 or 5xx, within the budget
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
    allow_hosts: tuple[str, ...] = ()  # hosts followed besides the start URL's site (subdomains too)

    @property
    def budget(self) -> float:
        """Seconds all requests for one statement may take, retries and waits included."""
        return 2 * self.timeout


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
        info = {
            "url": page.url,
            "final_url": redact(page.final_url),
            "status": page.status,
            "content_type": page.content_type,
            "fetched_at": time.time(),
        }
        with atomic_writer(head) as handle:
            json.dump(info, handle)

    def forget(self, url: str) -> None:
        for path in self._paths(url):
            path.unlink(missing_ok=True)


class Http:
    """One polite client for one statement: cache, robots.txt, per-host delay, retries, deadlines, site rule.

    Safe to share between threads: a statement's language versions are fetched at once.
    """

    def __init__(self, options: FetchOptions, site: Site) -> None:
        self.options, self.site = options, site
        self.cache = _Cache(options.cache_dir, options.cache_max_age) if options.use_cache else None
        self.client = httpx.Client(
            timeout=httpx.Timeout(options.timeout, connect=options.connect_timeout),
            follow_redirects=True,
            max_redirects=options.max_redirects,
            headers={"User-Agent": options.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
            transport=_deadline_transport(),
            event_hooks={"request": [self._check_site]},
        )
        self._out_of_time = time.monotonic() + options.budget
        self._seen: dict[str, Page] = {}  # this run's pages: one request per URL even without cache
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._robots_lock = threading.Lock()
        self._next_turn: dict[str, float] = {}  # per host: when its next request may start
        self._turns_lock = threading.Lock()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str) -> Page:
        """A page with a 2xx status (from this run, the cache, or the network), or FetchError."""
        shown = redact(url)
        _check_url(url, shown)
        if refusal := self.site.refusal(url):
            raise FetchError(f"{shown}: not following it: {refusal}")
        if url in self._seen:
            return self._seen[url]
        cache = self._cache_for(url)
        page = cache.get(url) if cache else None
        if page is None:
            if not self._allowed(url):
                raise FetchError(f"{shown}: disallowed by robots.txt (use --ignore-robots to fetch anyway)")
            page = self._download(url)
            if not 200 <= page.status < 300:
                raise FetchError(f"{shown}: HTTP {page.status} {httpx.codes.get_reason_phrase(page.status)}")
            self._remember(page)
        else:
            log.debug("cache hit: %s", shown)
        self._seen[url] = page
        return page

    def _cache_for(self, url: str) -> _Cache | None:
        """The cache, except for a URL with credentials: a password-protected page stays off the disk."""
        return self.cache if redact(url) == url else None

    def _remember(self, page: Page) -> None:
        """Cache a page; a cache that cannot be written slows later runs but must not fail this one."""
        if cache := self._cache_for(page.url):
            try:
                cache.put(page)
            except OutputError as error:
                log.warning("not cached: %s", error)

    def forget(self, url: str) -> None:
        """Drop a page that turned out useless (an interstitial) so the next run asks again."""
        self._seen.pop(url, None)
        if cache := self._cache_for(url):
            cache.forget(url)

    def _check_site(self, request: httpx.Request) -> None:
        """httpx calls this before every request it sends, redirects included (it refuses other schemes)."""
        url = str(request.url)
        if request.url.scheme in ("http", "https") and (refusal := self.site.refusal(url)):
            raise _OffSite(f"{redact(url)}: {refusal}")

    def _allowed(self, url: str) -> bool:
        if not self.options.respect_robots:
            return True
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:  # versions fetched at once ask for a host's robots.txt once
            if root not in self._robots:
                self._robots[root] = self._read_robots(root + "/robots.txt")
        return self._robots[root].can_fetch(self.options.user_agent, url)

    def _read_robots(self, robots_url: str) -> urllib.robotparser.RobotFileParser:
        """Rules for a host; cached like a page. 401/403 forbid all, as urllib's own reader does."""
        cache = self._cache_for(robots_url)
        page = cache.get(robots_url) if cache else None
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
        """GET with retries on connection errors, 429 and 5xx within the budget; else the last response."""
        options, shown = self.options, redact(url)
        attempt = 0
        while True:
            self._wait_turn(url)
            try:
                page = self._stream(url, min(options.timeout, self._out_of_time - time.monotonic()))
            except _OffSite as error:
                raise FetchError(f"{shown}: redirected to {error}") from None
            except httpx.UnsupportedProtocol as error:
                raise FetchError(f"{shown}: {redact(str(error))} (only http and https can be fetched)") from None
            except httpx.InvalidURL as error:
                raise FetchError(f"{shown}: not a valid URL ({redact(str(error))})") from None
            except httpx.TooManyRedirects:
                raise FetchError(f"{shown}: more than {options.max_redirects} redirects") from None
            except httpx.TransportError as error:
                problem, wait = _describe(error), options.backoff * 2**attempt
            except httpx.HTTPError as error:
                raise FetchError(f"{shown}: {_describe(error)}") from None
            else:
                if page.status != 429 and page.status < 500:
                    return page
                problem = f"HTTP {page.status} {httpx.codes.get_reason_phrase(page.status)}"
                wait = _retry_after(page) if page.status in (429, 503) else None
                wait = options.backoff * 2**attempt if wait is None else wait
            wait = min(wait, options.max_retry_wait)
            if attempt == options.retries or time.monotonic() + wait >= self._out_of_time:
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise FetchError(f"{shown}: {problem}{tries}")
            log.info("%s: %s; retrying in %.1f s", shown, problem, wait)
            time.sleep(wait)
            attempt += 1

    def _stream(self, url: str, limit: float) -> Page:
        """One GET, redirects included, complete within ``limit`` seconds, or FetchError."""
        shown, cap = redact(url), self.options.max_bytes
        deadline = time.monotonic() + limit
        late = f"{shown}: no complete response within {limit:.3g} s"
        try:
            with _until(deadline), self.client.stream("GET", url) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"{shown}: response of {int(declared)} bytes exceeds the {cap}-byte limit")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"{shown}: response exceeds the {cap}-byte limit; download aborted")
                    if time.monotonic() > deadline:  # bytes that keep coming, each just in time
                        raise FetchError(late)
                    chunks.append(chunk)
                headers = response.headers
                return Page(
                    url,
                    str(response.url),
                    response.status_code,
                    headers.get("content-type", ""),
                    b"".join(chunks),
                    headers.get("retry-after", ""),
                )
        except httpx.TimeoutException:
            if time.monotonic() < deadline - 0.01:
                raise  # the connect timeout: worth a retry
            raise FetchError(late) from None  # a retry would only double the wait

    def _wait_turn(self, url: str) -> None:
        """Sleep until this host's next turn: requests to one host start ``delay`` seconds apart."""
        wait = self._reserve_turn(urlsplit(url).hostname or "")
        if time.monotonic() + wait >= self._out_of_time:
            raise FetchError(f"{redact(url)}: out of time (the statement's {self.options.budget:.3g} s are spent)")
        if wait > 0:
            time.sleep(wait)

    def _reserve_turn(self, host: str) -> float:
        """Seconds until ``host``'s next free slot, which is then taken; a cluster overrides it with a
        shared clock (``_ray_engine``), so that politeness holds across machines."""
        with self._turns_lock:
            now = time.monotonic()
            turn = max(now, self._next_turn.get(host, now))
            self._next_turn[host] = turn + self.options.delay
        return turn - now


class _OffSite(Exception):
    """A redirect that leaves the statement's site; raised inside httpx, turned into FetchError."""


# --- deadlines ---------------------------------------------------------------------------------
# httpx's timeouts bound each socket wait, so a server sending a byte every few seconds is never
# "timed out". The streams below cut every wait (connect, TLS, read, write) to what is left of the
# deadline of the request this thread is making, which bounds the whole request.

_local = threading.local()


@contextmanager
def _until(deadline: float) -> Iterator[None]:
    """Every socket wait of this thread's requests ends by ``deadline`` (``time.monotonic()``)."""
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = None


def _bounded(timeout: float | None) -> float | None:
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = max(deadline - time.monotonic(), 0.001)  # 0 would make the socket non-blocking
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, _bounded(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _deadline_transport() -> httpx.HTTPTransport:
    """httpx's own transport (its error mapping included) on deadline-bounded sockets."""
    transport = httpx.HTTPTransport()
    limits = httpx.Limits()
    # httpx has no setting for the network backend; its connection pool (httpcore's) has.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(),
    )
    return transport


def _check_url(url: str, shown: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise FetchError(f"{shown}: not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"{shown}: only http and https URLs can be fetched (got {scheme or 'no scheme'!r})")
    if not parts.hostname:
        raise FetchError(f"{shown}: not a valid URL (no host name)")


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
    detail = redact(str(error).splitlines()[0]) if str(error) else ""
    for kind, text in kinds:
        if isinstance(error, kind):
            return f"{text} ({detail})" if detail and detail != text else text
    return detail or type(error).__name__
