"""What a URL may show and where a statement may lead: credential redaction and the same-site rule.

``redact`` strips ``user:password@`` from every URL in a text. The fetcher applies it wherever a URL
leaves the request (a ``Document.source``, a message, a log line), so that a password can be used
for a request but never written or printed.

``Site`` is the rule for following links and redirects: the start URL's host (and port), or any
host of its registrable domain (``www.`` and the bare domain are one site); never a private,
loopback or link-local address unless the start URL is one; plus hosts the user allows.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Sequence
from urllib.parse import SplitResult, urlsplit, urlunsplit

import tldextract

#: The userinfo of a URL: greedy up to the authority's last ``@``, as HTTP clients parse it.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it removed."""
    return _USERINFO.sub(r"\1", text)


def lend_credentials(url: str, owner: str) -> str:
    """``url`` with ``owner``'s credentials when both are one origin and ``url`` has none of its own.

    An absolute link on a password-protected page needs the password too; another origin never gets it.
    """
    parts, source = _split(url), _split(owner)
    if parts.username is not None or source.username is None or _origin(parts) != _origin(source):
        return url
    userinfo = source.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


class Site:
    """The hosts a statement may be fetched from: the start URL's site, and ``allow`` (with subdomains)."""

    def __init__(self, start: str, allow: Sequence[str] = ()) -> None:
        parts = _split(start)
        self.host = (parts.hostname or "").lower()
        self.port = _port(parts)
        self.allow = tuple(host.strip().lower().strip("[]") for host in allow if host.strip())
        self._private: dict[str, bool] = {}

    def refusal(self, url: str) -> str | None:
        """Why ``url`` must not be followed (a short phrase naming the way out), or None when it may be."""
        parts = _split(url)
        host = (parts.hostname or "").lower()
        way_out = f"--allow-host {host} follows it"
        if any(host == allowed or host.endswith("." + allowed) for allowed in self.allow):
            return None
        if host != self.host and (not _registrable(host) or _registrable(host) != _registrable(self.host)):
            return f"another host than {self.host} ({way_out})"
        port = _port(parts)
        if port != self.port and not {port, self.port} <= set(_DEFAULT_PORTS.values()):
            return f"another port ({way_out})"
        if host != self.host and self._is_private(host) and not self._is_private(self.host):
            return f"a private address ({way_out})"
        return None

    def _is_private(self, host: str) -> bool:
        if host not in self._private:
            self._private[host] = _is_private(host)
        return self._private[host]


def host_of(url: str) -> str:
    """The host of ``url``, lower-case ("" when it has none)."""
    return (_split(url).hostname or "").lower()


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # the request refuses it with a better message
        return urlsplit("")


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    return parts.scheme.lower(), (parts.hostname or "").lower(), _port(parts)


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is no number: the request will fail on it
        return None


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # The public-suffix snapshot bundled with tldextract: no network, no cache on disk. Private
    # suffixes count, so alice.github.io and bob.github.io are two sites, as browsers see them.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _registrable(host: str) -> str:
    """``example.org`` for ``www.example.org``; "" for an address, ``localhost`` or a bare suffix."""
    return _extractor()(host).top_domain_under_public_suffix


def _is_private(host: str) -> bool:
    """Whether ``host`` is, or resolves to, an address outside the public internet."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return False  # unresolvable: the request itself will say so
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    return any(not address.is_global for address in addresses)
