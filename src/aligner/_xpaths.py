"""Compiled XPath expressions, named by what they find; site-specific selectors live in ``profiles``.

Class tests use the ``contains(concat(' ', @class, ' '), ' name ')`` idiom so that ``class="a b"``
matches ``b`` but ``class="ab"`` does not.
"""

from __future__ import annotations

from lxml import etree


def has_class(name: str) -> str:
    """XPath predicate body true for elements whose class list contains ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# --- page metadata -----------------------------------------------------------------------------
HTML_LANG = etree.XPath("/html/@lang")
OG_LOCALE = etree.XPath("//meta[@property='og:locale' or @name='og:locale']/@content")
OG_TITLE = etree.XPath("//meta[@property='og:title' or @name='og:title']/@content")
HEAD_TITLE = etree.XPath("//head/title//text()")
META_REFRESH = etree.XPath("//meta[translate(@http-equiv, 'REFSH', 'refsh')='refresh']/@content")
PUBLISHED_META = etree.XPath(
    "//meta[@property='article:published_time' or @name='date' or @itemprop='datePublished']/@content"
)
TIME_ELEMENT = etree.XPath("//time[@datetime]")
FIRST_H1 = etree.XPath("(//h1)[1]")
VISIBLE_TEXT = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
#: Any element at the depth where libxml2 (with huge_tree) stops nesting and starts dropping content.
AT_NESTING_LIMIT = etree.XPath("/" + "/".join(["*"] * 2040))
PASSWORD_INPUT = etree.XPath("//input[translate(@type, 'PASWORD', 'pasword')='password']")

# --- discovery of language versions ------------------------------------------------------------
ALTERNATE_LINKS = etree.XPath("//link[@hreflang and @href and contains(concat(' ', @rel, ' '), ' alternate ')]")
ANCHORS = etree.XPath("//a[@href]")

# --- cleaning ----------------------------------------------------------------------------------
#: Elements that never hold statement text (not ``form``: some sites wrap the whole page in one).
NEVER_TEXT = etree.XPath(
    "//script | //style | //noscript | //template | //iframe | //svg | //canvas | //button"
    " | //select | //input | //textarea | //object | //embed | //nav | //comment()"
)
#: Page furniture for the generic extractor (profiles name their body exactly instead).
FURNITURE = etree.XPath(
    "//header | //footer | //aside | //*[@role='navigation' or @role='banner' or @role='contentinfo']"
)
#: Short text nodes: where a "Contents" heading can be.
SHORT_TEXT = etree.XPath(".//text()[string-length(normalize-space(.)) > 0 and string-length(normalize-space(.)) < 40]")
_IN_PAGE = "starts-with(@href, '#') and string-length(@href) > 1"
#: Links to a place in the same page, as a table of contents has (the element itself included).
IN_PAGE_LINKS = etree.XPath(f"descendant-or-self::a[{_IN_PAGE}]")
#: An element's text outside in-page links.
TEXT_OUTSIDE_IN_PAGE_LINKS = etree.XPath(f"descendant-or-self::text()[not(ancestor::a[{_IN_PAGE}])]")
#: Candidates for the generic extractor: every element with a paragraph or line break child.
TEXT_CONTAINERS = etree.XPath("//*[p or br or div[not(*)]]")
