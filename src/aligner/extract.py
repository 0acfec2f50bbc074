"""Turn a saved or downloaded HTML page into a ``Document``: title, date and body paragraphs.

Extraction is a sequence of named passes on one lxml tree (see ``extract_document``):

1. decode   bytes -> str: BOM, HTTP charset, ``<meta charset>``, then detection (``_decode``)
2. refuse   anti-bot interstitials and login pages, which would otherwise be "aligned" as text
3. profile  a site profile recognised by page structure names title, date, body, document number
4. clean    scripts, navigation, switchers, "Additional materials"/"Advanced settings" blocks
5. split    a contents block (a "Contents" heading over in-page links) goes; ``<p>`` and
            ``<br><br>``-separated blocks become paragraphs; table-of-contents lines go
6. fallback without a profile, the densest text container (see ``_generic_body``)

Text is NFC-normalised and whitespace-collapsed, otherwise kept exactly as published.
"""

from __future__ import annotations

import html as html_entities
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from lxml import etree, html

from . import _xpaths as X
from ._decode import decode_html
from ._io import read_bytes
from .errors import ExtractionError, LanguageError
from .languages import detect_language, normalize_lang
from .profiles import SiteProfile, page_profile, url_profile
from .types import Document

__all__ = [
    "MAX_HTML_BYTES",
    "declared_language",
    "decode_html",
    "extract_document",
    "extract_html",
    "parse_html",
    "read_html_file",
]

#: Largest local HTML file read by ``read_html_file``.
MAX_HTML_BYTES = 50 * 1024 * 1024

logger = logging.getLogger("aligner.extract")

# --- parsing -----------------------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# huge_tree lifts libxml2's nesting limit from 256 to 2048 elements (pages with hundreds of unclosed
# <div>s exist); the input is already capped at MAX_HTML_BYTES.
_PARSER = html.HTMLParser(huge_tree=True)
_NOT_TEXT = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.DOTALL | re.IGNORECASE)
_LETTER_RUNS = re.compile(r"[^\W\d_]+")
#: Below this share of the source's letters in the tree, text was lost in parsing.
_KEPT_SHARE = 0.9


def parse_html(data: bytes | str, content_type: str | None = None, *, source: str = "page") -> etree._Element:
    """Parse (possibly broken) HTML into an lxml tree; raise ExtractionError for an empty page."""
    text = data if isinstance(data, str) else decode_html(data, content_type)[0]
    text = _XML_DECLARATION.sub("", text)
    if not text.strip():
        raise ExtractionError(f"{source}: empty page, no text to extract")
    try:
        tree = html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as error:
        raise ExtractionError(f"{source}: not an HTML page ({error})") from None
    _warn_if_text_lost(text, tree, source)
    return tree


def _warn_if_text_lost(text: str, tree: etree._Element, source: str) -> None:
    """Say so when the tree holds clearly fewer letters than the page: beyond the deepest nesting
    libxml2 keeps (2048), text is dropped without an error."""
    if not X.AT_NESTING_LIMIT(tree):
        return
    page = _letters(html_entities.unescape(_NOT_TEXT.sub(" ", text)))
    kept = _letters(" ".join(X.VISIBLE_TEXT(tree)) + " ".join(X.HEAD_TITLE(tree)))
    if kept < _KEPT_SHARE * page:
        logger.warning(
            "%s: nested too deeply to parse whole; %d of %d letters of text were lost", source, page - kept, page
        )


def _letters(text: str) -> int:
    return sum(map(len, _LETTER_RUNS.findall(text)))


# --- 2. refuse pages that are not the statement ------------------------------------------------

_INTERSTITIAL = re.compile(
    r"data processing|please,? wait|checking your browser|just a moment|enable javascript|are you a robot|"
    r"captcha|ddos protection|access denied|обработка данных|пожалуйста,? подождите|проверка браузера|"
    r"bitte warten|veuillez patienter|espere por favor|por favor,? espere",
    re.IGNORECASE,
)
#: Pages with less visible text than this can be interstitials; longer ones are left alone.
_INTERSTITIAL_MAX_CHARS = 600


def _refuse_non_statement(tree: etree._Element, source: str) -> None:
    text = _normalize(" ".join(X.VISIBLE_TEXT(tree)))
    if len(text) <= _INTERSTITIAL_MAX_CHARS:
        hint = _normalize(" ".join(X.HEAD_TITLE(tree))) + " " + text
        if found := _INTERSTITIAL.search(hint):
            raise ExtractionError(f"{source}: anti-bot or interstitial page ({found.group(0)!r}), not the statement")
        if X.META_REFRESH(tree) and len(text) < 200:
            raise ExtractionError(f"{source}: a redirecting placeholder page, not the statement")
    if X.PASSWORD_INPUT(tree) and len(text) < 2000:
        raise ExtractionError(f"{source}: a login page, not the statement")


# --- 4. clean ----------------------------------------------------------------------------------


def _phrases(text: str) -> frozenset[str]:
    return frozenset(phrase.strip() for phrase in text.split("|") if phrase.strip())


#: Labels that open a block of links or search settings rather than statement text (lower case).
_FURNITURE_LABELS = _phrases(
    """additional materials|related materials|advanced settings|advanced search|
    дополнительные материалы|расширенные настройки|расширенный поиск|
    zusätzliche materialien|weitere materialien|erweiterte einstellungen|erweiterte suche|
    materiales adicionales|configuración avanzada|ajustes avanzados|búsqueda avanzada|
    documents complémentaires|matériaux supplémentaires|documents supplémentaires|paramètres avancés|
    recherche avancée"""
)
#: Table-of-contents navigation lines inside long statements (lower case, no arrows).
_TOC_LINES = _phrases(
    """back to contents|back to table of contents|back to top|to contents|contents|
    к содержанию|вернуться к содержанию|назад к содержанию|наверх|содержание|
    zurück zum inhalt|zurück zum inhaltsverzeichnis|zum inhaltsverzeichnis|nach oben|inhalt|
    volver al índice|volver al contenido|al índice|volver arriba|índice|
    retour au sommaire|retour à la table des matières|retour en haut|sommaire"""
)
_LABEL_STRIP = " \t\n:.↑↩←→«»<>▲^-–—*()[]"
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(nav|navbar|menu|breadcrumbs?|footer|header|sidebar|share|social|cookies?|banner|related|"
    r"comments?|lang|language|switcher|pagination|advert|ads|tags|print)(?:$|[\s_-])",
    re.IGNORECASE,
)


def _label(text: str) -> str:
    return _normalize(text).strip(_LABEL_STRIP).casefold()


def _drop(element: etree._Element, keep_tail: bool = True) -> None:
    """Remove an element; its tail text (which belongs to the parent) stays unless told otherwise."""
    parent = element.getparent()
    if parent is None:
        return
    if keep_tail and element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _drop_never_text(tree: etree._Element) -> None:
    for element in X.NEVER_TEXT(tree):
        _drop(element)


def _drop_labelled_blocks(root: etree._Element) -> None:
    """Remove "Additional materials"-style blocks: the label and everything after it in its container."""
    for element in list(root.iter(etree.Element)):
        if element.getparent() is None or (label := _label(element.text_content())) not in _FURNITURE_LABELS:
            continue
        while (
            (parent := element.getparent()) is not None
            and parent is not root
            and (_label(parent.text_content()) == label)
        ):
            element = parent
        for sibling in [element, *element.itersiblings()]:
            _drop(sibling, keep_tail=False)


#: Headings of a table of contents (lower case).
_CONTENTS_HEADINGS = _phrases(
    """contents|table of contents|содержание|оглавление|inhalt|inhaltsverzeichnis|
    índice|indice|contenido|índice de contenidos|sommaire|table des matières"""
)
# What may stand between or around the entries of a table of contents: numbering and punctuation.
_NUMBERING = re.compile(r"\b(?:\d+(?:\.\d+)*|[ivxlc]+|[a-z])\b", re.IGNORECASE)


def _drop_contents_blocks(root: etree._Element) -> None:
    """Remove tables of contents: a "Contents" heading with the in-page links that follow it.

    The heading and links share an element (``<p><b>Inhalt</b><br><a href="#1">…</a></p>``), or the
    links follow the heading as siblings (``<h2>Sommaire</h2><ol>…</ol>``, or bare ``Índice<br>…``).
    """
    for text in X.SHORT_TEXT(root):
        if _label(text) not in _CONTENTS_HEADINGS or not _inside(text.getparent(), root):
            continue
        element = text.getparent()
        if text.is_tail:  # a bare heading between elements: the links follow it
            _drop_entries(element.getnext(), heading=(element, "tail"))
            continue
        top = None
        while element is not root and _label(_text_outside_links(element)) == _label(text):
            if X.IN_PAGE_LINKS(element):
                _drop(element, keep_tail=True)
                break
            top, element = element, element.getparent()
        else:
            if top is not None and not _stripped(top.tail or ""):
                _drop_entries(top.getnext(), heading=(top, "element"))
            else:  # the heading is the container's own text
                _drop_entries(element[0] if len(element) else None, heading=(element, "text"))


def _drop_entries(first: etree._Element | None, heading: tuple[etree._Element, str]) -> None:
    """Drop the run of link-only elements from ``first`` on, and the heading, if the run has in-page links."""
    run: list[etree._Element] = []
    element = first
    while element is not None and not _stripped(_text_outside_links(element)):
        run.append(element)
        if _stripped(element.tail or ""):
            break
        element = element.getnext()
    if not any(X.IN_PAGE_LINKS(e) for e in run if isinstance(e.tag, str)):
        return
    owner, where = heading  # first: the last entry's tail (text after the block) may move into it
    if where == "element":
        _drop(owner, keep_tail=False)
    elif where == "tail":
        owner.tail = ""
    else:
        owner.text = ""
    for entry in run:
        _drop(entry, keep_tail=entry is run[-1])


def _text_outside_links(element: etree._Element) -> str:
    if not isinstance(element.tag, str):
        return ""
    return "".join(X.TEXT_OUTSIDE_IN_PAGE_LINKS(element))


def _stripped(text: str) -> str:
    """What is left of text between contents entries once numbering and punctuation are gone."""
    return _NUMBERING.sub("", _label(text)).strip(_LABEL_STRIP + ",;")


def _inside(element: etree._Element | None, root: etree._Element) -> bool:
    """Is ``element`` still in the tree under ``root`` (not removed with an earlier block)?"""
    return element is not None and (element is root or any(a is root for a in element.iterancestors()))


def _drop_furniture_classes(tree: etree._Element) -> None:
    for element in list(tree.iter(etree.Element)):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if element.getparent() is not None and element.tag not in ("html", "body") and _FURNITURE_CLASS.search(names):
            _drop(element)


# --- 5. split into paragraphs ------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "section",
        "article",
        "header",
        "footer",
        "pre",
        "figure",
        "figcaption",
        "address",
        "hr",
        "main",
        "aside",
        "center",
    }
)
_BR = "\x0b"
_PARAGRAPH_BREAK = re.compile(f"{_BR}[\\s{_BR}]*{_BR}")
_SPACES = re.compile(r"[ \t\n\r\f\v\u2028\u2029]+")
_INVISIBLE = re.compile("[\u200b\ufeff]")
_FLUSH = object()


def _normalize(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))).strip()


def _blocks(container: etree._Element) -> list[str]:
    """Paragraphs of a container: block elements and ``<br><br>`` separate them, inline markup does not."""
    blocks: list[str] = []
    pieces: list[str] = []

    def flush() -> None:
        for part in _PARAGRAPH_BREAK.split("".join(pieces)):
            text = _normalize(part.replace(_BR, " "))
            if text:
                blocks.append(text)
        pieces.clear()

    # Depth-first with an explicit stack (pages nest up to 2048 deep): an element, a string to
    # add, or _FLUSH to end the paragraph (around block elements).
    todo: list[etree._Element | str | object] = [container]
    while todo:
        item = todo.pop()
        if item is _FLUSH:
            flush()
        elif isinstance(item, str):
            pieces.append(item)
        else:
            pieces.append(item.text or "")  # type: ignore[union-attr]
            after: list[etree._Element | str | object] = []
            for child in item:  # type: ignore[union-attr]
                if child.tag == "br":
                    after.append(_BR)
                elif isinstance(child.tag, str):
                    after.extend((_FLUSH, child, _FLUSH) if child.tag in _BLOCK_TAGS else (child,))
                after.append(child.tail or "")
            todo.extend(reversed(after))
    flush()
    return blocks


def _drop_toc_lines(blocks: Iterable[str]) -> list[str]:
    return [b for b in blocks if _label(b) not in _TOC_LINES]


# --- 6. generic fallback -----------------------------------------------------------------------


def _generic_body(tree: etree._Element) -> etree._Element | None:
    """The element whose own paragraphs hold the most non-link text (after furniture is gone).

    A light version of the readability/trafilatura idea. On this project's fixtures it beats both
    (paragraph F1 0.95 against 0.74 and 0.78, ``benchmarks/extract_fixtures.py``), so no extra
    dependency is needed.
    """
    for element in X.FURNITURE(tree):
        _drop(element)
    _drop_furniture_classes(tree)
    best, best_score = None, 0.0
    for candidate in X.TEXT_CONTAINERS(tree):
        score = 0.0
        for part in [candidate, *candidate.findall("p"), *candidate.findall("div")]:
            if part.tag == "div" and part is not candidate and len(part):
                continue  # a div with children is a container of its own, scored separately
            text = _normalize(part.text_content() if part is not candidate else _own_text(candidate))
            links = sum(len(_normalize(a.text_content())) for a in part.iter("a"))
            score += max(len(text) - 2 * links, 0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _own_text(element: etree._Element) -> str:
    """Text directly in an element (between its children), as ``<br>``-separated blocks have it."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


# --- metadata ----------------------------------------------------------------------------------


def _first_text(elements: Iterable[etree._Element | str]) -> str:
    for element in elements:
        text = _normalize(element.text_content() if isinstance(element, etree._Element) else str(element))
        if text:
            return text
    return ""


def declared_language(tree: etree._Element) -> str:
    """The language a page says it is in (``<html lang>``, then ``og:locale``), or ``""``."""
    for value in [*X.HTML_LANG(tree), *X.OG_LOCALE(tree)]:
        try:
            return normalize_lang(str(value))
        except LanguageError:
            continue
    return ""


def _generic_title(tree: etree._Element) -> str:
    return _first_text([*X.OG_TITLE(tree), *X.FIRST_H1(tree)]) or _normalize(" ".join(X.HEAD_TITLE(tree)))


def _generic_date(tree: etree._Element) -> str:
    return _first_text([*X.PUBLISHED_META(tree), *(t.get("datetime", "") for t in X.TIME_ELEMENT(tree))])


# --- the whole sequence ------------------------------------------------------------------------


def extract_document(
    tree: etree._Element, *, source: str = "", lang: str | None = None, use_profiles: bool = True
) -> Document:
    """Extract a statement from a parsed page (the tree is modified).

    ``lang`` defaults to the page's declared language, then the detected one. ``meta`` records
    ``declared_lang``, ``doc_number`` and ``profile`` (``"generic"`` when no profile matched, or
    ``use_profiles`` is false: for a site that only looks like a profiled one).
    """
    name = source or "page"
    _refuse_non_statement(tree, name)
    declared = declared_language(tree)
    profile = page_profile(tree) if use_profiles else None
    _drop_never_text(tree)
    if profile is not None:
        title = _first_text(profile.title(tree)) or _generic_title(tree)
        date = _first_text(profile.date(tree)) or _generic_date(tree)
        numbers = profile.doc_number(tree)
        doc_number = _first_text(numbers)
        for element in [*numbers, *profile.remove(tree)]:
            _drop(element)
        paragraphs = _profile_paragraphs(tree, profile)
    else:
        title, date, doc_number = _generic_title(tree), _generic_date(tree), ""
        _drop_labelled_blocks(tree)
        _drop_contents_blocks(tree)
        body = _generic_body(tree)
        paragraphs = _drop_toc_lines(_blocks(body)) if body is not None else []
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise ExtractionError(f"{name}: no statement text found (an empty or non-text page)")
    found_lang = lang or declared or detect_language(" ".join(paragraphs))
    if not found_lang:
        raise LanguageError(f"{name}: cannot tell the page's language; give it explicitly")
    scheme = url_profile(source) if source else None
    meta = {"declared_lang": declared, "doc_number": doc_number, "profile": profile.name if profile else "generic"}
    return Document(
        lang=normalize_lang(found_lang),
        paragraphs=tuple(paragraphs),
        title=title,
        source=source,
        date=date,
        doc_id=scheme[1].doc_id if scheme else doc_number,
        meta=tuple(sorted((k, v) for k, v in meta.items() if v)),
    )


def _profile_paragraphs(tree: etree._Element, profile: SiteProfile) -> list[str]:
    for body in profile.bodies:
        for container in body(tree):
            _drop_labelled_blocks(container)
            _drop_contents_blocks(container)
            paragraphs = _drop_toc_lines(_blocks(container))
            if paragraphs:
                return paragraphs
    return []


def extract_html(
    data: bytes | str,
    *,
    source: str = "",
    lang: str | None = None,
    content_type: str | None = None,
    use_profiles: bool = True,
) -> Document:
    """Decode, parse and extract in one call (what ``read_html_file`` does)."""
    tree = parse_html(data, content_type, source=source or "page")
    return extract_document(tree, source=source, lang=lang, use_profiles=use_profiles)


def read_html_file(path: str | Path, lang: str | None = None) -> Document:
    """Extract the statement from a saved HTML page; ``lang`` overrides what the page declares."""
    data = read_bytes(path, max_bytes=MAX_HTML_BYTES, kind="HTML file")
    return extract_html(data, source=str(path), lang=normalize_lang(lang) if lang else None)
