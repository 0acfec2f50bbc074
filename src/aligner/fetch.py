"""Download the language versions of a statement: discovery, checks, extraction.

``fetch_statement(url)`` fetches the start page, finds its language versions (in order of trust:
``<link rel="alternate" hreflang>``, language-switcher anchors, site profiles), downloads each,
extracts it (``aligner.extract``) and checks that it really is the expected language version of the
same statement. A version that fails any step is reported in ``missing`` with a one-line reason; the
run fails only when the start page cannot be downloaded or fewer than two languages yield text.

The versions are downloaded at once, so one stalled host costs one deadline, not one per language.
Only links on the start URL's site are followed (``aligner._urls.Site``); a link elsewhere is
skipped with a warning. Every URL a ``FetchedStatement`` holds has its credentials removed.

All network behaviour (deadlines, retries, size cap, per-host delay, robots.txt, on-disk cache) is
set by one ``FetchOptions`` and lives in the client, ``aligner._http``.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from . import _xpaths as X
from ._dates import parse_date
from ._http import FetchOptions, Http, Page
from ._urls import Site, lend_credentials, redact
from .errors import ExtractionError, FetchError, LanguageError
from .extract import declared_language, extract_document, extract_html, parse_html, read_html_file
from .languages import CORE_LANGUAGES, language_from_name, language_mismatch, normalize_lang
from .profiles import page_profile, url_profile
from .types import Document

__all__ = ["FetchOptions", "FetchedStatement", "fetch_page", "fetch_statement", "read_html_file"]

log = logging.getLogger("aligner.fetch")


@dataclass(frozen=True)
class FetchedStatement:
    """What ``fetch_statement`` found: a ``Document`` per language, and why the others are missing.

    ``raw_pages`` holds the bytes of every page downloaded for a language, including rejected ones
    (so that a rejection can be inspected); ``urls`` the address each language was fetched from
    (without credentials, like every URL here).
    """

    documents: dict[str, Document]
    missing: dict[str, str]
    raw_pages: dict[str, bytes]
    urls: dict[str, str] = field(default_factory=dict)


def fetch_page(url: str, options: FetchOptions | None = None) -> bytes:
    """The raw bytes of one page, with all of ``FetchOptions``' politeness (for scripts and tests)."""
    options = options or FetchOptions()
    with Http(options, Site(url, options.allow_hosts)) as http:
        return http.get(url).body


# --- discovery ---------------------------------------------------------------------------------

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
    if named := language_from_name(text):
        return named
    match = _CLASS_LANG.search(anchor.get("class", ""))
    return _code(match.group(1)) if match else None


def _discover(
    tree: etree._Element | None, page_url: str, langs: Sequence[str], site: Site
) -> tuple[dict[str, _Lead], dict[str, str]]:
    """Where each language version is, by trust; and why the others are not (no such version, off site)."""
    leads: dict[str, _Lead] = {}
    off_site: dict[str, str] = {}
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
        if refusal := site.refusal(target):  # a later link on the site may still do
            off_site.setdefault(lang, f"not following {redact(target)}: {refusal}")
            return
        leads[lang] = _Lead(lend_credentials(target, page_url), how)

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
        elif lang in off_site:
            unlisted[lang] = off_site[lang]
            log.warning("%s: %s", lang, off_site[lang])
    return leads, unlisted


# --- checks ------------------------------------------------------------------------------------


def _redirect_problem(page: Page, lang: str) -> str | None:
    if page.final_url == page.url:
        return None
    parts = urlsplit(page.final_url)
    if _LOGIN.search(parts.path + "?" + parts.query):
        return f"redirected to a login page ({redact(page.final_url)})"
    moved = url_profile(page.final_url)
    if moved and moved[1].lang != lang:
        return f"redirected to the {moved[1].lang!r} version ({redact(page.final_url)})"
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
    is then the reference page the others are checked against (usually one of them), and the hosts
    of the given URLs count as the site.
    Raises FetchError when ``url`` cannot be downloaded and ExtractionError when fewer than two
    languages yield text; every other failure is a reason in ``missing``.
    """
    options = options or FetchOptions()
    wanted = tuple(dict.fromkeys(normalize_lang(lang) for lang in langs))
    given = {normalize_lang(lang): target for lang, target in (explicit or {}).items()}
    site = Site(url, (*options.allow_hosts, *(urlsplit(target).hostname or "" for target in given.values())))
    documents: dict[str, Document] = {}
    missing: dict[str, str] = {}
    raw: dict[str, bytes] = {}
    urls: dict[str, str] = {}
    with Http(options, site) as http:
        start = http.get(url)
        reference, start_lang, tree = _read_start(start)
        if given:
            leads = {lang: _Lead(target, "given") for lang, target in given.items()}
            unlisted = {lang: "no URL given for it" for lang in wanted if lang not in given}
        else:
            leads, unlisted = _discover(tree, start.final_url, wanted, site)
            if start_lang in wanted:
                leads[start_lang] = _Lead(url, "start page")
                unlisted.pop(start_lang, None)
        found = [lang for lang in wanted if lang in leads]
        with ThreadPoolExecutor(max_workers=max(len(found), 1), thread_name_prefix="fetch") as pool:
            downloads = dict(zip(found, pool.map(lambda lang: _download(http, leads[lang].url), found), strict=True))
        for lang in wanted:
            lead = leads.get(lang)
            if lead is None:
                missing[lang] = unlisted.get(lang) or "no link to this language version found on the page"
                continue
            page, outcome = _check_version(http, lead, lang, downloads[lang], start, reference)
            urls[lang] = redact(page.final_url if page else lead.url)
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
        found_text = ", ".join(documents) or "none"
        reasons = "; ".join(f"{lang}: {reason}" for lang, reason in missing.items())
        raise ExtractionError(
            f"{redact(url)}: fewer than two languages yield text (found: {found_text}; missing {reasons})"
        )
    return FetchedStatement(documents=documents, missing=missing, raw_pages=raw, urls=urls)


def _download(http: Http, url: str) -> Page | str:
    """The page at ``url``, or the one-line reason it could not be downloaded (run in a thread)."""
    try:
        return http.get(url)
    except FetchError as error:
        return str(error)


def _check_version(
    http: Http, lead: _Lead, lang: str, download: Page | str, start: Page, reference: Document | None
) -> tuple[Page | None, Document | str]:
    """The page downloaded for one language, and its document or the one-line reason it is unusable."""
    if isinstance(download, str):
        return None, download
    page, shown = download, redact(download.final_url)
    problem = _redirect_problem(page, lang)
    if problem is not None:
        return page, f"{shown}: {problem}"
    if page is start and reference is not None and reference.lang == lang:
        doc = reference  # the start page, already extracted in this language by _read_start
    else:
        try:
            doc = extract_html(page.body, source=shown, lang=lang, content_type=page.content_type)
        except (ExtractionError, LanguageError) as error:
            http.forget(lead.url)  # an interstitial today may be the statement tomorrow
            return page, str(error)
    problem = _content_problem(doc, lang, reference)
    return (page, doc) if problem is None else (page, f"{shown}: {problem}")


def _read_start(start: Page) -> tuple[Document | None, str, etree._Element | None]:
    """The start page's document (the reference for the others), language, and tree for discovery."""
    on_scheme = url_profile(start.final_url)
    scheme_lang = on_scheme[1].lang if on_scheme else ""
    shown = redact(start.final_url)
    try:
        tree = parse_html(start.body, start.content_type, source=shown)
    except ExtractionError as error:
        log.warning("%s", error)
        return None, scheme_lang, None
    lang = declared_language(tree) or scheme_lang
    try:
        # Extraction strips the tree (switchers, navigation) that discovery still needs: extract a copy
        # rather than decode and parse the page a second time.
        reference = extract_document(copy.deepcopy(tree), source=shown, lang=lang or None)
    except (ExtractionError, LanguageError) as error:
        log.warning("%s", error)  # the loop over languages reports it, and forgets the page
        return None, lang, tree
    return reference, lang or reference.lang, tree
