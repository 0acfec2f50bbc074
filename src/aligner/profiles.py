"""Site profiles as data: how a site's URLs name a language, and where its pages keep the text.

A profile recognises a page by its *structure* (``marker``) and a URL by its *scheme*, never by host
name alone: the same site is served from mirrors, archives, saved copies and test servers.
``PROFILES`` lists them most specific first; ``page_profile`` and ``url_profile`` pick one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lxml import etree

from ._xpaths import has_class
from .errors import LanguageError
from .languages import normalize_lang

__all__ = ["MID_NEW", "MID_OLD", "PROFILES", "SiteProfile", "UrlMatch", "UrlScheme", "page_profile", "url_profile"]

_NS = {"re": "http://exslt.org/regular-expressions"}


def _xpath(expr: str) -> etree.XPath:
    return etree.XPath(expr, namespaces=_NS)


@dataclass(frozen=True)
class UrlScheme:
    """One way a site spells a language in its URLs.

    ``pattern`` has named groups ``id`` and ``lang`` (or ``locale``); ``template`` rebuilds the URL
    from the groups with ``{locale}`` replaced by ``locales[lang]`` (or the bare code).
    """

    name: str
    pattern: re.Pattern[str]
    template: str
    locales: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def match(self, url: str) -> UrlMatch | None:
        found = self.pattern.match(url)
        if not found:
            return None
        groups = {k: v or "" for k, v in found.groupdict().items()}
        try:
            lang = normalize_lang(groups.get("lang") or groups.get("locale", ""))
        except LanguageError:
            return None
        return UrlMatch(self, lang, groups["id"], MappingProxyType(groups))


@dataclass(frozen=True)
class UrlMatch:
    """A URL read through a scheme: its language and the id all language versions share."""

    scheme: UrlScheme
    lang: str
    doc_id: str
    groups: Mapping[str, str]

    def url_for(self, lang: str) -> str:
        """The same item's URL in another language, as the scheme spells it."""
        values = dict(self.groups)
        values["lang"] = lang
        values["locale"] = self.scheme.locales.get(lang, lang)
        return self.scheme.template.format(**values)


@dataclass(frozen=True)
class SiteProfile:
    """Where one site layout keeps each part of a statement; every selector is an XPath."""

    name: str
    marker: etree.XPath  # non-empty on the site's statement pages
    schemes: tuple[UrlScheme, ...]
    title: etree.XPath
    date: etree.XPath
    bodies: tuple[etree.XPath, ...]  # tried in order; the first that yields text is the body
    doc_number: etree.XPath
    remove: etree.XPath  # furniture that can sit inside the body
    #: Anchors of a switcher that lists only the languages the item exists in (None: no such switcher).
    switcher: etree.XPath | None = None

    def match_url(self, url: str) -> UrlMatch | None:
        for scheme in self.schemes:
            found = scheme.match(url)
            if found:
                return found
        return None


_ANY_PREFIX = r"(?P<prefix>https?://.*?)"

#: mid.ru since 2021: ``/<lang>/<section>/<id>/``, or ``?lang=xx`` on the same id.
MID_NEW = SiteProfile(
    name="mid.ru",
    marker=_xpath(f"//h1[{has_class('photo-content__title')}]"),
    schemes=(
        UrlScheme(
            "mid.ru query",
            re.compile(
                r"^(?P<base>https?://[^?#]*?/(?P<id>\d{3,})/?)\?(?P<before>(?:[^#]*&)?)lang=(?P<lang>[A-Za-z]{2})"
                r"(?P<after>[&#].*)?$"
            ),
            "{base}?{before}lang={lang}{after}",
        ),
        UrlScheme(
            "mid.ru path",
            re.compile(
                r"(?!.*/-/asset_publisher/)"
                + _ANY_PREFIX
                + r"/(?P<lang>[a-z]{2})/(?P<section>(?:[^/?#]+/)*?)(?P<id>\d{3,})/?(?:[?#].*)?$"
            ),
            "{prefix}/{lang}/{section}{id}/",
        ),
    ),
    title=_xpath(f"//h1[{has_class('photo-content__title')}]"),
    date=_xpath(f"//*[{has_class('photo-content__date')}]"),
    bodies=(_xpath(f"//div[{has_class('text')} and {has_class('article-content')}]"),),
    doc_number=_xpath(f"//p[{has_class('article-line__note')} and {has_class('article-line__note_small')}]"),
    remove=_xpath(
        f"//*[{has_class('article-materials')} or {has_class('share')} or {has_class('lang-switcher')}"
        f" or {has_class('breadcrumbs')}]"
    ),
    switcher=_xpath(r"//a[re:test(normalize-space(.), '^[a-z]{2}-[A-Z]{2}$')]"),
)

#: mid.ru before 2021 (Liferay): ``/<locale>/<section>/-/asset_publisher/<portlet>/content/id/<id>``.
MID_OLD = SiteProfile(
    name="mid.ru (old)",
    marker=_xpath(
        f"//div[{has_class('page-content')}]//h1 | //p[{has_class('dxl-par')}] | //b[{has_class('doc-number')}]"
        f" | //div[{has_class('anons-text')}]"
    ),
    schemes=(
        UrlScheme(
            "mid.ru asset_publisher",
            re.compile(
                _ANY_PREFIX + r"/(?P<locale>[a-z]{2}(?:_[A-Z]{2})?)/(?P<section>(?:[^/?#]+/)*?)-/asset_publisher/"
                r"(?P<portlet>[^/?#]+)/content/id/(?P<id>\d+)(?:[/?#].*)?$"
            ),
            "{prefix}/{locale}/{section}-/asset_publisher/{portlet}/content/id/{id}",
            MappingProxyType({"de": "de", "en": "en_GB", "es": "es_ES", "ru": "ru_RU", "fr": "fr_FR"}),
        ),
    ),
    title=_xpath(f"//div[{has_class('page-content')}]//h1"),
    date=_xpath(f"//div[{has_class('page-content')}]//*[{has_class('date')} or {has_class('news-date')}]"),
    bodies=(
        _xpath(f"//div[{has_class('text')} and {has_class('article-content')}]"),
        _xpath(f"//div[{has_class('anons-text')}]"),
        _xpath(f"//*[p[{has_class('dxl-par')}]]"),
    ),
    doc_number=_xpath(f"//b[{has_class('doc-number')}]"),
    remove=_xpath(f"//*[{has_class('print-link')} or {has_class('tags')} or {has_class('social')}]"),
)

PROFILES: tuple[SiteProfile, ...] = (MID_NEW, MID_OLD)


def page_profile(tree: etree._Element) -> SiteProfile | None:
    """The profile whose page structure ``tree`` has, if any."""
    for profile in PROFILES:
        if profile.marker(tree):
            return profile
    return None


def url_profile(url: str) -> tuple[SiteProfile, UrlMatch] | None:
    """The first profile whose URL scheme ``url`` follows, with what the URL says."""
    for profile in PROFILES:
        found = profile.match_url(url)
        if found:
            return profile, found
    return None
