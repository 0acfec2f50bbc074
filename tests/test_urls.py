"""Which URLs a statement may follow, and what a URL may show: no network, no DNS (it is faked)."""

from __future__ import annotations

import socket

import pytest

import aligner._urls
from aligner._urls import Site, lend_credentials, redact


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("http://user:secret@example.org/en/1", "http://example.org/en/1"),
        ("https://token@example.org:8443/?q=a@b", "https://example.org:8443/?q=a@b"),
        ("http://u:p@ss@example.org/", "http://example.org/"),  # an unencoded @ in the password
        (
            "http://example.org/x: cannot reach https://a:b@example.net",
            "http://example.org/x: cannot reach https://example.net",
        ),
        ("mail me at someone@example.org", "mail me at someone@example.org"),
    ],
)
def test_redact_removes_credentials_from_every_url(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_credentials_are_lent_to_the_same_origin_only() -> None:
    owner = "https://reader:pw@example.org/en/1"
    assert lend_credentials("https://example.org/de/1", owner) == "https://reader:pw@example.org/de/1"
    assert lend_credentials("https://www.example.org/de/1", owner) == "https://www.example.org/de/1"
    assert lend_credentials("http://example.org/de/1", owner) == "http://example.org/de/1"
    assert lend_credentials("https://other:x@example.org/de/1", owner) == "https://other:x@example.org/de/1"


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names starting with "intranet" are private; every other name is public; no real lookup is made."""

    def lookup(host: str, *args: object, **kwargs: object) -> list[tuple]:
        address = "10.1.2.3" if host.startswith("intranet") else "93.184.216.34"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]

    monkeypatch.setattr(aligner._urls.socket, "getaddrinfo", lookup)


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        ("https://www.example.org/de/1", None),
        ("http://example.org/de/1", None),  # http and https: both default ports
        ("https://news.example.org/de/1", None),
        (
            "https://example.org.evil.net/de/1",
            "another host than www.example.org (--allow-host example.org.evil.net follows it)",
        ),
        ("https://example.org:8443/de/1", "another port (--allow-host example.org follows it)"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "another host than www.example.org (--allow-host 169.254.169.254 follows it)",
        ),
        ("https://intranet.example.org/de/1", "a private address (--allow-host intranet.example.org follows it)"),
    ],
)
def test_the_start_urls_site(target: str, refusal: str | None) -> None:
    assert Site("https://www.example.org/en/1").refusal(target) == refusal


def test_allowed_hosts_and_their_subdomains_widen_the_site() -> None:
    site = Site("https://example.org/en/1", allow=["mirror.net", "127.0.0.2"])
    assert site.refusal("https://cdn.mirror.net/de/1") is None
    assert site.refusal("http://127.0.0.2:8080/de/1") is None
    assert site.refusal("https://notmirror.net/de/1") is not None


def test_a_hosting_platforms_users_are_different_sites() -> None:
    assert Site("https://alice.github.io/en/").refusal("https://bob.github.io/de/") is not None


def test_a_private_start_may_lead_to_private_hosts_of_its_site() -> None:
    assert Site("https://intranet.example.org/en/1").refusal("https://intranet2.example.org/de/1") is None
    assert Site("http://127.0.0.1:8000/en/").refusal("http://127.0.0.2:8000/de/") is not None  # another host
