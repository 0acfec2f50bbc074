"""TMX 1.4b translation memories: units from alignments, a streaming writer, a safe streaming reader.

Every alignment becomes a stream of ``TranslationUnit`` records, the one shape that is written, read
back and merged. Writing goes through ``lxml.etree.xmlfile`` element by element, so a memory of any
size is written in constant memory; reading uses ``iterparse`` with entities, DTDs and the network
switched off, so a hostile file can neither expand nor reach out.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from ._io import atomic_write_path, file_size
from ._version import __version__
from .errors import AlignerError, AlignmentError, LanguageError, OutputError, TMXError
from .flags import flag_list, unit_flags
from .languages import locale_for, normalize_lang
from .sources import is_url
from .types import Alignment, MultiAlignment, SegmentedDocument, Unit

#: Largest TMX file read, in bytes (a million five-language units is about 1 GB).
MAX_TMX_BYTES = 4 * 1024**3

#: Header ``srclang`` of a multilingual memory: any variant may serve as the source.
ALL_LANGUAGES = "*all*"

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Characters XML 1.0 cannot carry at all: C0 controls except tab/LF/CR, surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Inline elements whose content is native code (markup of the original format), not text; "" stands
# for the nodes that are no elements (entity references left unresolved, comments).
_DROPPED_INLINE = frozenset({"bpt", "ept", "ph", "it", "ut", ""})
_SPACES = re.compile(" {2,}")

#: How every TMX file is parsed: streamed by unit, no entities, DTD or network, no comments or PIs.
SAFE_PARSING: dict[str, object] = {
    "events": ("start", "end"),
    "tag": ("{*}tmx", "{*}header", "{*}tu"),
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


@dataclass(frozen=True)
class TranslationUnit:
    """One ``<tu>``: a stable id, the text in each language (2-letter codes) and ``<prop>`` pairs."""

    tuid: str
    variants: tuple[tuple[str, str], ...]
    props: tuple[tuple[str, str], ...] = ()

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.variants)

    @property
    def is_linked(self) -> bool:
        """True when the unit has text in two or more languages (``Unit.is_linked`` as read back from TMX)."""
        return len(set(self.langs)) > 1

    def text(self, lang: str) -> str:
        """The first variant in ``lang`` ("" when the unit has none)."""
        return next((text for code, text in self.variants if code == lang), "")

    def prop(self, name: str) -> str | None:
        return next((value for key, value in self.props if key == name), None)

    @property
    def score(self) -> float | None:
        """The ``x-score`` prop as a number; None when absent or not a number (other tools' TMX)."""
        value = self.prop("x-score")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    @property
    def confidence(self) -> float | None:
        """The ``x-confidence`` prop as a number; None when absent or not a number."""
        value = self.prop("x-confidence")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    @property
    def flags(self) -> tuple[str, ...]:
        """The ``x-flags`` prop split at commas (reasons for doubt, see ``aligner.flags``)."""
        return tuple(flag for flag in (self.prop("x-flags") or "").split(",") if flag)


@dataclass(frozen=True)
class MergeSummary:
    """What ``merge_tmx`` did, for the CLI to report."""

    read: int
    written: int
    duplicates: int
    below_min_score: int
    below_min_confidence: int = 0


def units_from_multi(
    multi: MultiAlignment,
    *,
    min_score: float | None = None,
    keep_unpaired: bool = True,
    confidence: Sequence[float] | None = None,
    min_confidence: float | None = None,
) -> Iterator[TranslationUnit]:
    """Translation units of a multilingual alignment, in document order.

    A unit with text in fewer than two languages is "unpaired" and dropped unless ``keep_unpaired``;
    a unit with no text at all is never produced. ``min_score`` drops units scored below it.
    ``confidence`` (one per unit, from ``aligner.confidence``) is written as ``x-confidence``;
    ``min_confidence`` drops units whose confidence is below it (it needs ``confidence``).
    """
    for index, (unit, tu) in enumerate(translation_units(multi, confidence)):
        if not tu.variants or (not keep_unpaired and not unit.is_linked):
            continue
        if min_score is not None and unit.score < min_score:
            continue
        if min_confidence is not None and confidence is not None and confidence[index] < min_confidence:
            continue
        yield tu


def units_from_bitext(
    alignment: Alignment,
    *,
    min_score: float | None = None,
    keep_unpaired: bool = True,
    confidence: Sequence[float] | None = None,
    min_confidence: float | None = None,
) -> Iterator[TranslationUnit]:
    """Translation units of a pairwise alignment: source variant first, one unit per bead."""
    if alignment.src.lang == alignment.tgt.lang:
        raise AlignmentError(f"source and target are both {alignment.src.lang!r}; nothing to translate")
    units = tuple(
        Unit(
            members=((alignment.src.lang, bead.src), (alignment.tgt.lang, bead.tgt)), score=bead.score, moved=bead.moved
        )
        for bead in alignment.beads
    )
    multi = MultiAlignment(docs=(alignment.src, alignment.tgt), units=units, model=alignment.model)
    return units_from_multi(
        multi, min_score=min_score, keep_unpaired=keep_unpaired, confidence=confidence, min_confidence=min_confidence
    )


def translation_units(
    multi: MultiAlignment, confidence: Sequence[float] | None = None
) -> Iterator[tuple[Unit, TranslationUnit]]:
    """Every unit with its TranslationUnit (variants of languages without text left out).

    Props: ``x-score``, ``x-confidence`` (when ``confidence`` gives one per unit), ``x-bead``,
    ``x-moved``, ``x-flags`` (reasons for doubt, absent when there are none) and the document's.

    The tuid hashes the documents' languages and texts and the unit's texts, plus an occurrence number
    when the same texts recur (a repeated "Thank you."): aligning the same documents again gives the same
    ids, wherever they were read from, and another statement sharing a sentence pair gets other ids.
    """
    identity = _document_identity(multi.docs)
    props = _document_props(multi.docs)
    sentences = {doc.lang: doc.sentences for doc in multi.docs}
    seen: Counter[tuple[tuple[str, str], ...]] = Counter()
    flags = unit_flags(multi)
    if confidence is not None and len(confidence) != len(multi.units):
        raise ValueError(f"{len(confidence)} confidence values for {len(multi.units)} units")
    for k, unit in enumerate(multi.units):
        variants = tuple(
            (lang, " ".join(sentences[lang][i] for i in indices)) for lang, indices in unit.members if indices
        )
        occurrence = seen[variants]
        seen[variants] += 1
        tuid = _hash(identity, *(f"{lang}\x1f{text}" for lang, text in variants), str(occurrence))
        sure = (("x-confidence", f"{confidence[k]:.3f}"),) if confidence is not None else ()
        moved = (("x-moved", "yes"),) if unit.moved else ()
        doubts = (("x-flags", flag_list(flags[k])),) if flags[k] else ()
        unit_props = (("x-score", f"{unit.score:.3f}"), *sure, ("x-bead", unit.kind), *moved, *doubts, *props)
        yield unit, TranslationUnit(tuid=tuid, variants=variants, props=unit_props)


def _document_identity(docs: Sequence[SegmentedDocument]) -> str:
    """Languages and texts only: where a file was read from, or how its path was typed, is no part of it."""
    return "\x1e".join(_hash(doc.lang, *("\x1f".join(p) for p in doc.paragraphs)) for doc in docs)


def _document_props(docs: Sequence[SegmentedDocument]) -> tuple[tuple[str, str], ...]:
    """x-document (the statement, else its doc id), x-doc-id and x-date, each only when known."""
    doc_id = next((d.doc_id for d in docs if d.doc_id), "")
    date = next((d.date for d in docs if d.date), "")
    found = (("x-document", statement_name(docs) or doc_id), ("x-doc-id", doc_id), ("x-date", date))
    return tuple((key, value) for key, value in found if value)


def statement_name(docs: Sequence[SegmentedDocument]) -> str:
    """What names the statement in ``x-document``: its first URL, else the folder its files are in.

    Never a local path: the name is the same however the path was typed, and says nothing of the
    machine it was made on. Files from several folders give their names joined by ``+``.
    """
    sources = [d.source for d in docs if d.source]
    url = next((s for s in sources if is_url(s)), None)
    if url is not None:
        return url
    return "+".join(dict.fromkeys(Path(os.path.abspath(s)).parent.name for s in sources))


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\x1d".join(parts).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot represent (they are removed, not escaped)."""
    return _NOT_XML.sub("", text)


def write_tmx(
    path: str | Path,
    units: Iterable[TranslationUnit],
    *,
    srclang: str,
    locales: dict[str, str] | None = None,
    creationtool: str = "aligner",
    creationdate: datetime | None = None,
    if_empty: Callable[[], AlignerError] | None = None,
) -> int:
    """Write ``units`` as TMX 1.4b to ``path`` atomically, one ``<tu>`` at a time; return how many.

    ``srclang`` is the source language code of a bitext memory, or ``"*all*"`` for a multilingual one.
    ``locales`` overrides the ``xml:lang`` locale of a language (``{"en": "en-US"}``); ``creationdate``
    fixes the header date so that the same input gives byte-identical output. ``if_empty`` gives the
    error to raise, leaving no file, when there turns out to be no unit to write.
    """
    with tmx_writer(
        path, srclang=srclang, locales=locales, creationtool=creationtool, creationdate=creationdate, if_empty=if_empty
    ) as writer:
        for unit in units:
            writer.write(unit)
    return writer.count


class TMXWriter:
    """The open body of a TMX file being written by ``tmx_writer``; ``count`` is the units written so far."""

    def __init__(self, xf: Any, locales: dict[str, str] | None) -> None:
        self._xf = xf
        self._locales = locales
        self.count = 0

    def write(self, unit: TranslationUnit) -> None:
        """Write one ``<tu>``; a unit without variants is skipped."""
        if unit.variants:
            self._xf.write(_tu_element(unit, self._locales), pretty_print=True)
            self.count += 1


@contextlib.contextmanager
def tmx_writer(
    path: str | Path,
    *,
    srclang: str,
    locales: dict[str, str] | None = None,
    creationtool: str = "aligner",
    creationdate: datetime | None = None,
    if_empty: Callable[[], AlignerError] | None = None,
) -> Iterator[TMXWriter]:
    """``write_tmx`` as a context: several memories can be written in one pass over a stream of units.

    The file appears at ``path`` when the block ends without an error; until then it does not exist.
    """
    header_srclang = srclang if srclang == ALL_LANGUAGES else locale_for(normalize_lang(srclang), locales)
    created = (creationdate or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    header = etree.Element(
        "header",
        attrib={
            "creationtool": xml_safe(creationtool),
            "creationtoolversion": __version__,
            "segtype": "sentence",
            "o-tmf": "aligner",
            "adminlang": "en-US",
            "srclang": header_srclang,
            "datatype": "plaintext",
            "creationdate": created,
        },
    )
    with atomic_write_path(path) as tmp:
        try:
            with etree.xmlfile(str(tmp), encoding="utf-8") as xf:
                xf.write_declaration()
                with xf.element("tmx", version="1.4"):
                    xf.write("\n", header, pretty_print=True)
                    with xf.element("body"):
                        xf.write("\n")
                        writer = TMXWriter(xf, locales)
                        yield writer
                    xf.write("\n")
        except etree.SerialisationError as error:
            raise OutputError(f"{path}: cannot write ({error})") from None
        if not writer.count and if_empty is not None:
            raise if_empty()  # inside atomic_write_path: the partial file goes, the target is untouched


def _tu_element(unit: TranslationUnit, locales: dict[str, str] | None) -> etree._Element:
    tu = etree.Element("tu")
    if unit.tuid:
        tu.set("tuid", xml_safe(unit.tuid))
    for key, value in unit.props:
        prop = etree.SubElement(tu, "prop", type=xml_safe(key))
        prop.text = xml_safe(value)
    for lang, text in unit.variants:
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(_XML_LANG, locale_for(lang, locales))
        etree.SubElement(tuv, "seg").text = xml_safe(text)
    return tu


def read_tmx(path: str | Path, *, max_bytes: int = MAX_TMX_BYTES) -> Iterator[TranslationUnit]:
    """Stream the units of a TMX 1.1-1.4 file (ours or another tool's) with 2-letter language codes.

    Inline markup is flattened: ``<hi>`` keeps its text, the native codes in bpt/ept/ph/it/ut are
    dropped. Variants with empty text are skipped, and so are units left without any variant.
    """
    for kind, element in _events(path, max_bytes):
        if kind == "tu":
            unit = _read_tu(element, path)
            if unit.variants:
                yield unit


def read_header(path: str | Path, *, max_bytes: int = MAX_TMX_BYTES) -> dict[str, str]:
    """The ``<header>`` attributes of a TMX file; parsing stops at the header."""
    for kind, element in _events(path, max_bytes):
        if kind == "header":
            return dict(element.attrib)
    return {}


def _events(path: str | Path, max_bytes: int) -> Iterator[tuple[str, etree._Element]]:
    """("header", element) then ("tu", element) for each unit, cleared once the caller moves on."""
    name = str(path)
    size = file_size(path, kind="TMX file", error=TMXError)
    if size > max_bytes:
        limit = f"{max_bytes // 1024**2} MB" if max_bytes >= 1024**2 else f"{max_bytes} bytes"
        raise TMXError(f"{name}: larger than the {limit} limit for TMX files")
    parser = etree.iterparse(name, **SAFE_PARSING)
    try:
        first = True
        for event, element in parser:
            local = _local(element.tag)
            if first:
                if event != "start" or local != "tmx" or element.getparent() is not None:
                    raise TMXError(f"{name}: not a TMX file (the root element is not <tmx>)")
                first = False
            elif event == "end" and local in ("header", "tu"):
                yield local, element
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        if first:
            raise TMXError(f"{name}: not a TMX file (the root element is not <tmx>)")
    except etree.XMLSyntaxError as error:
        message = error.msg.splitlines()[0] if error.msg else "syntax error"
        raise TMXError(f"{name}: not well-formed XML ({message})") from None
    except OSError as error:
        raise TMXError(f"{name}: cannot read ({error.strerror or error})") from None


def _read_tu(tu: etree._Element, path: str | Path) -> TranslationUnit:
    props: list[tuple[str, str]] = []
    variants: list[tuple[str, str]] = []
    for child in tu:
        local = _local(child.tag)
        if local == "prop" and child.get("type"):
            props.append((child.get("type", ""), child.text or ""))  # TMX props hold text only
        elif local == "tuv":
            code = child.get(_XML_LANG) or child.get("lang") or ""
            lang = _short_lang(code)
            if lang is None:
                raise TMXError(f"{path}: line {child.sourceline}: <tuv> has no usable language ({code!r})")
            text = next((segment_text(seg) for seg in child if _local(seg.tag) == "seg"), "")
            if text:
                variants.append((lang, text))
    return TranslationUnit(tuid=tu.get("tuid", ""), variants=tuple(variants), props=tuple(props))


def _local(tag: object) -> str:
    """Tag name without namespace; "" for comments, processing instructions and entity references."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@functools.lru_cache(maxsize=512)
def _short_lang(code: str) -> str | None:
    """``"pt-BR"``, ``"zh-Hans-CN"``, ``"EN_us"`` -> the 2-letter code; None when it is no language."""
    try:
        return normalize_lang(re.split(r"[-_]", code.strip(), maxsplit=1)[0])
    except LanguageError:
        return None


def segment_text(seg: etree._Element) -> str:
    """Plain text of a ``<seg>``: text and ``<hi>`` kept, native codes and entity references dropped.

    Public for tools that parse TMX their own way (``lint`` reads broken files ``read_tmx`` refuses).
    """
    if not len(seg):
        return seg.text or ""
    parts = [seg.text or ""]
    for child in seg:
        if _local(child.tag) not in _DROPPED_INLINE:
            parts.append(segment_text(child))
        parts.append(child.tail or "")
    # Dropped codes leave their neighbours' spaces side by side ("Click <ph/> here").
    return _SPACES.sub(" ", "".join(parts)).strip()


def merge_tmx(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    dedupe: bool = True,
    min_score: float | None = None,
    min_confidence: float | None = None,
    locales: dict[str, str] | None = None,
    max_bytes: int = MAX_TMX_BYTES,
) -> MergeSummary:
    """Concatenate TMX files into ``output`` (atomically), streaming.

    ``dedupe`` keeps the first of units with the same variants (tuid and props ignored); ``min_score``
    drops units whose ``x-score`` is lower (units without a score, from other tools, are kept), and
    ``min_confidence`` likewise by ``x-confidence``. The
    header ``srclang`` is the inputs' common source language, else ``*all*``. When no unit is left,
    OutputError is raised and ``output`` is not written.
    """
    srclangs = {read_header(path, max_bytes=max_bytes).get("srclang", ALL_LANGUAGES) for path in inputs}
    srclang = srclangs.pop() if len(srclangs) == 1 else ALL_LANGUAGES
    if srclang != ALL_LANGUAGES:
        srclang = _short_lang(srclang) or ALL_LANGUAGES
    counts = Counter[str]()
    seen: set[bytes] = set()

    def kept() -> Iterator[TranslationUnit]:
        for path in inputs:
            for unit in read_tmx(path, max_bytes=max_bytes):
                counts["read"] += 1
                score = unit.score
                if min_score is not None and score is not None and score < min_score:
                    counts["below"] += 1
                    continue
                confidence = unit.confidence
                if min_confidence is not None and confidence is not None and confidence < min_confidence:
                    counts["below_confidence"] += 1
                    continue
                if dedupe:
                    key = hashlib.blake2b(repr(sorted(unit.variants)).encode(), digest_size=16).digest()
                    if key in seen:
                        counts["duplicates"] += 1
                        continue
                    seen.add(key)
                yield unit

    def nothing_left() -> OutputError:
        return OutputError(
            f"{output}: nothing to write: {counts['read']} units read, {counts['duplicates']} duplicates, "
            f"{counts['below']} below --min-score, {counts['below_confidence']} below --min-confidence"
        )

    written = write_tmx(output, kept(), srclang=srclang, locales=locales, if_empty=nothing_left)
    return MergeSummary(
        read=counts["read"],
        written=written,
        duplicates=counts["duplicates"],
        below_min_score=counts["below"],
        below_min_confidence=counts["below_confidence"],
    )
