"""Reading one page of a site's archive: the statement links it holds, their dates, and where it goes on.

    read_listing(page, site) -> Listing      (an HTML listing page, a sitemap or a sitemap index)

A link is a statement when a site profile's URL scheme reads it (both mid.ru schemes, on any host,
as ``fetch`` recognises them), or, on a page without any profiled link, when it passes the generic
rule (``_generic_statement``): ending in a numeric id or a dated slug. On a listing page, links count
only in the listing's section (its folder, in any language).
Either way it gets a key that all its language versions share, so that ``discover`` lists it once.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree

from . import _xpaths as X
from ._dates import parse_date
from ._http import Page
from .errors import ExtractionError, LanguageError
from .extract import parse_html
from .languages import normalize_lang
from .profiles import page_profile, url_profile

#: Sitemaps may hold 50 MB uncompressed (sitemaps.org); a larger gzip is not a sitemap worth reading.
_MAX_SITEMAP_BYTES = 50 * 1024 * 1024

_NEXT_TEXT = re.compile(
    r"^(?:(?:next|older|weiter|nächste|siguiente|suivante?|далее|следующая|вперед|вперёд)(?:\s+\w+)?\s*[»›>→]*"
    r"|[»›>→]{1,2})$",
    re.IGNORECASE,
)
_NEXT_CLASS = re.compile(r"(?:^|[\s_-])next(?:$|[\s_-])", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\d{1,5}$")
_DATE_CLASS = re.compile(r"date|time", re.IGNORECASE)
_ID = re.compile(r"\d{3,}")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DATED_PATH = re.compile(r"/(?:19|20)\d\d/\d{1,2}/")
_NOT_A_PAGE = re.compile(r"\.(?!html?$|php$|aspx?$|jsp$)[a-z0-9]{2,5}$", re.IGNORECASE)  # .pdf, .jpg, .zip ...

_NEXT_LINKS = etree.XPath("//link[@href and contains(concat(' ', @rel, ' '), ' next ')]/@href")
_TEXT_OUTSIDE_LINKS = etree.XPath(".//text()[not(ancestor::a) and not(ancestor::script or ancestor::style)]")
_TIME_VALUES = etree.XPath("descendant-or-self::time/@datetime")
_CLASSED = etree.XPath("descendant-or-self::*[@class]")
_SITEMAP_URLS = etree.XPath("/*[local-name()='urlset']/*[local-name()='url']")
_SITEMAP_CHILDREN = etree.XPath("/*[local-name()='sitemapindex']/*[local-name()='sitemap']/*[local-name()='loc']")
_LOC = etree.XPath("*[local-name()='loc']/text()")
_PUBLISHED = etree.XPath(".//*[local-name()='publication_date']/text()")  # the news extension's
_LASTMOD = etree.XPath("*[local-name()='lastmod']/text()")


@dataclass(frozen=True)
class Site:
    """Where one walk may go: the start's host (``www.`` or not), and the section its statements live in."""

    host: str
    section: str  # the listing's folder without its language segment, e.g. "/foreign_policy/news/"

    @classmethod
    def of(cls, url: str) -> Site:
        parts = urlsplit(url)
        return cls(_bare_host(parts.hostname or ""), _without_lang(parts.path[: parts.path.rfind("/") + 1] or "/"))

    def owns(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and _bare_host(parts.hostname or "") == self.host

    def holds(self, url: str, *, below: bool = False) -> bool:
        """``url`` is in the section (in any language), or strictly below it."""
        path = _without_lang(urlsplit(url).path)
        return path.startswith(self.section) and (not below or len(path.rstrip("/")) > len(self.section.rstrip("/")))


@dataclass(frozen=True)
class Link:
    """A statement as one listing shows it."""

    url: str  # canonical: a profiled URL rebuilt by its scheme (tracking and redirect parameters dropped)
    key: str  # shared by the statement's language versions, e.g. "mid.ru:1987654"
    lang: str  # "" when the URL does not say
    date: str  # ISO date printed beside it (listing) or given for it (sitemap), or ""


@dataclass(frozen=True)
class Listing:
    """What one page adds to the walk."""

    statements: tuple[Link, ...]
    pages: tuple[str, ...]  # further listing pages or sitemaps
    is_sitemap: bool


def read_listing(page: Page, site: Site) -> Listing:
    """The statement links and onward pages of a listing page or sitemap; ExtractionError if it is neither."""
    body = _gunzip(page)
    root = _sitemap_root(body)
    if root is not None:
        return _read_sitemap(root, site)
    tree = parse_html(body, page.content_type, source=page.final_url)
    return _read_html(tree, page.final_url, site)


def page_date(page: Page) -> str:
    """A statement page's own date (ISO), for listings that print none; ``""`` when it shows none either."""
    try:
        tree = parse_html(page.body, page.content_type, source=page.final_url)
    except ExtractionError:
        return ""
    profile = page_profile(tree)
    candidates = [*(profile.date(tree) if profile else []), *X.PUBLISHED_META(tree), *_TIME_VALUES(tree)]
    for found in candidates:
        text = found.text_content() if isinstance(found, etree._Element) else str(found)
        if date := parse_date(text):
            return date
    return ""


def statement_link(url: str, site: Site, *, sectioned: bool, date: str = "") -> Link | None:
    """``url`` as a statement link if a profile's scheme or the generic rule takes it; else None.

    ``sectioned``: on a listing page only links in its section count, so that menus, footers and
    other sections do not; a sitemap lists the site's pages, so there any path counts.
    """
    if not site.owns(url) or (sectioned and not site.holds(url, below=True)):
        return None
    if found := url_profile(url):
        profile, match = found
        return Link(match.url_for(match.lang), f"{profile.name}:{match.doc_id}", match.lang, date)
    return _generic_statement(url, site, date=date)


# --- sitemaps ------------------------------------------------------------------------------------


def _gunzip(page: Page) -> bytes:
    """A ``sitemap.xml.gz`` as served (not as Content-Encoding, which httpx already undid)."""
    if page.body[:2] != b"\x1f\x8b":
        return page.body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(page.body, _MAX_SITEMAP_BYTES)
    except zlib.error as error:
        raise ExtractionError(f"{page.final_url}: a broken gzip file ({error})") from None
    if inflater.unconsumed_tail:
        raise ExtractionError(f"{page.final_url}: a sitemap larger than {_MAX_SITEMAP_BYTES // 2**20} MB")
    return data


def _sitemap_root(body: bytes) -> etree._Element | None:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"<?xml", b"<urlset", b"<sitemapindex")) or not re.search(
        rb"<(?:\w+:)?(?:urlset|sitemapindex)\b", body[:4096]
    ):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return None
    return root if root is not None and etree.QName(root).localname in ("urlset", "sitemapindex") else None


def _read_sitemap(root: etree._Element, site: Site) -> Listing:
    links = []
    for entry in _SITEMAP_URLS(root):
        locs = _LOC(entry)
        # the publication date, when the news extension gives it, before the last modification
        dates = [d for text in [*_PUBLISHED(entry), *_LASTMOD(entry)] if (d := parse_date(text))]
        link = statement_link(locs[0].strip(), site, sectioned=False, date=dates[0] if dates else "") if locs else None
        if link is not None:
            links.append(link)
    children = tuple(url for loc in _SITEMAP_CHILDREN(root) if site.owns(url := (loc.text or "").strip()))
    return Listing(tuple(links), children, is_sitemap=True)


# --- HTML listings -------------------------------------------------------------------------------


def _read_html(tree: etree._Element, page_url: str, site: Site) -> Listing:
    anchors: list[tuple[etree._Element, str]] = []
    for anchor in X.ANCHORS(tree):
        href = anchor.get("href", "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            anchors.append((anchor, urljoin(page_url, href).split("#")[0]))
    pages = [urljoin(page_url, href).split("#")[0] for href in _NEXT_LINKS(tree)]
    pages += [url for anchor, url in anchors if _is_pagination(anchor, url, page_url, site)]
    paging = set(pages)
    candidates = [(anchor, url) for anchor, url in anchors if url not in paging and url != page_url]
    found = [(a, link) for a, url in candidates if (link := statement_link(url, site, sectioned=True))]
    if any(url_profile(link.url) for _, link in found):
        # A page with profiled links is a profiled site: the generic rule's guesses there are no statements.
        found = [(a, link) for a, link in found if url_profile(link.url)]
    keys = {a: link.key for a, link in found}
    links = [Link(link.url, link.key, link.lang, _item_date(a, keys)) for a, link in found]
    return Listing(tuple(links), tuple(dict.fromkeys(p for p in pages if site.owns(p))), is_sitemap=False)


def _is_pagination(anchor: etree._Element, url: str, page_url: str, site: Site) -> bool:
    """A "next" link, or a numbered page of the same listing (same path, or under the section)."""
    if not site.owns(url):
        return False
    text = " ".join(anchor.text_content().split())
    parent = anchor.getparent()
    classes = f"{anchor.get('class', '')} {parent.get('class', '') if parent is not None else ''}"
    if "next" in anchor.get("rel", "").split() or _NEXT_TEXT.match(text) or _NEXT_CLASS.search(classes):
        return True
    if not _PAGE_NUMBER.match(text) or url_profile(url) or not _among_numbers(anchor):
        return False
    return urlsplit(url).path == urlsplit(page_url).path or site.holds(url)


def _among_numbers(anchor: etree._Element) -> bool:
    """Page numbers come in rows ("1 2 3 ... 12"): a lone number ("2024" in a menu) is another page.

    A row is numbered anchors in the same place as this one: beside it, or in siblings of its parent
    shaped like it (``<li><a>1</a></li><li><a>2</a></li>``).
    """
    parent = anchor.getparent()
    if parent is None:
        return False
    grandparent = parent.getparent()
    rows = [parent.findall("a"), grandparent.findall(f"{parent.tag}/a") if grandparent is not None else []]
    return any(sum(bool(_PAGE_NUMBER.match(a.text_content().strip())) for a in row) > 1 for row in rows)


def _item_date(anchor: etree._Element, keys: dict[etree._Element, str]) -> str:
    """The date printed in the smallest element around ``anchor`` that holds no other statement's link."""
    node: etree._Element | None = anchor
    for _ in range(5):
        if node is None:
            return ""
        if len({keys[a] for a in node.iter("a") if a in keys}) > 1:
            return ""  # this element is the list, not the item
        if date := _date_in(node):
            return date
        node = node.getparent()
    return ""


def _date_in(node: etree._Element) -> str:
    """``<time datetime>``, then an element classed as a date, then any date in text outside the links."""
    for value in _TIME_VALUES(node):
        if date := parse_date(str(value)):
            return date
    for element in _CLASSED(node):
        if _DATE_CLASS.search(element.get("class", "")) and (date := parse_date(element.text_content())):
            return date
    return parse_date(" ".join(_TEXT_OUTSIDE_LINKS(node)))


# --- the generic rule ----------------------------------------------------------------------------


def _generic_statement(url: str, site: Site, *, date: str) -> Link | None:
    """A page that reads as one item: its last path segment has an id (not a bare year) or is a dated slug."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments or _NOT_A_PAGE.search(segments[-1]):
        return None
    ids = [n for n in _ID.findall(segments[-1]) if not _YEAR.fullmatch(n)]
    lang = _url_lang(segments, parts.query)
    if ids:
        doc_id = ids[-1]
    elif _DATED_PATH.search(parts.path) and segments[-1].count("-") >= 2:
        doc_id = _without_lang(parts.path).strip("/")
    else:
        return None
    return Link(url, f"{site.host}:{doc_id}", lang, date)


def _url_lang(segments: list[str], query: str) -> str:
    """The language a generic URL names: its first path segment (``/en/``, ``/de_DE/``) or ``?lang=``."""
    for code in [segments[0] if segments else "", *parse_qs(query).get("lang", [])]:
        if re.fullmatch(r"[a-z]{2}(?:[-_][A-Za-z]{2})?", code):
            try:
                return normalize_lang(code)
            except LanguageError:
                continue
    return ""


def _without_lang(path: str) -> str:
    """``/en/press/`` -> ``/press/``: the language versions of a site share one section."""
    first, sep, rest = path.lstrip("/").partition("/")
    return f"/{rest}" if sep and _url_lang([first], "") else path


def _bare_host(host: str) -> str:
    return host.lower().removeprefix("www.")
