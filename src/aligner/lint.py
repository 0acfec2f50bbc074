"""What CAT tools (OmegaT, Trados, memoQ, Phrase) choke on in a TMX file, and a repaired copy.

An **error** makes one of them refuse the whole file or misread units (their language, their dates);
a **warning** leaves the file loadable, with some units skipped, doubled or slow to load. ``CHECKS``
lists them all. ``lint_tmx`` reads what ``read_tmx`` refuses, in one streaming pass: characters XML
forbids and bytes that are not text are removed (and counted by line) before lxml sees them, and the
parser recovers from the rest, still without entities, DTDs or the network. ``fix_tmx`` writes a copy
without the problems it can repair, keeping markup, notes and props as they were.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from lxml import etree

from ._io import atomic_write_path, file_size
from ._tmx_scan import elements
from .errors import LanguageError, OutputError, TMXError
from .flags import LONG_CHARS
from .languages import normalize_lang
from .tmx import ALL_LANGUAGES, segment_text


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


#: Each check: its severity, and what ``fix_tmx`` does about it ("" when it cannot repair it).
CHECKS: dict[str, tuple[Severity, str]] = {
    "forbidden-char": (Severity.ERROR, "removed"),
    "bad-bytes": (Severity.ERROR, "removed"),
    "malformed": (Severity.ERROR, ""),
    "entity": (Severity.ERROR, "removed"),
    "missing-lang": (Severity.ERROR, "inferred in a two-language file, else the variant is dropped"),
    "srclang": (Severity.ERROR, "set to the language most units start with, or *all*"),
    "mixed-locales": (Severity.ERROR, "all become the most frequent locale"),
    "date": (Severity.ERROR, "converted to UTC, or removed when unreadable"),
    "bom": (Severity.WARNING, "removed"),
    "empty-segment": (Severity.WARNING, "the variant is dropped"),
    "long-segment": (Severity.WARNING, ""),
    "file-size": (Severity.WARNING, ""),
    "duplicate": (Severity.WARNING, "the first is kept"),
}

#: A file larger than this is slow or too large to import (OmegaT holds a memory in its heap).
MAX_CAT_BYTES = 1024**3

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DATES = ("creationdate", "changedate", "lastusagedate")
_TMX_DATE = re.compile(r"\d{8}T\d{6}Z")


@dataclass(frozen=True)
class Problem:
    """One kind of problem: where it first occurs (a line, when known) and how often."""

    code: str
    severity: Severity
    message: str
    count: int = 1
    line: int | None = None

    def describe(self, path: str | Path) -> str:
        """``FILE:LINE: error: MESSAGE [code]``, the way compilers report."""
        where = f"{path}:{self.line}" if self.line is not None else str(path)
        return f"{where}: {self.severity.value}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class LintReport:
    """The problems of a TMX file, and what ``fix_tmx`` needs to repair them."""

    path: Path
    units: int
    problems: tuple[Problem, ...]
    languages: tuple[str, ...] = ()
    locales: dict[str, str] = field(default_factory=dict)
    srclang: str = ALL_LANGUAGES

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


@dataclass(frozen=True)
class FixSummary:
    """What ``fix_tmx`` wrote, and how many of each problem it repaired."""

    written: int
    fixed: dict[str, int]
    dropped_units: int


@dataclass
class _Finding:
    line: int | None
    count: int = 0
    details: Counter[str] = field(default_factory=Counter)


class _Tally:
    """Findings by check code, with the first line each was seen on."""

    def __init__(self) -> None:
        self.found: dict[str, _Finding] = {}

    def add(self, code: str, line: int | None, detail: str = "", count: int = 1) -> None:
        finding = self.found.setdefault(code, _Finding(line))
        finding.count += count
        if detail:
            finding.details[detail] += count


def lint_tmx(path: str | Path, *, max_bytes: int = MAX_CAT_BYTES) -> LintReport:
    """Every problem of the TMX at ``path`` that CAT tools choke on; TMXError only when it is no TMX at all.

    ``max_bytes`` is the size above which a file is reported as too large to import.
    """
    path = Path(path)
    size = file_size(path, kind="TMX file", error=TMXError)
    tally = _Tally()
    survey = _Survey()
    for kind, element in elements(path, tally):
        if kind == "header":
            survey.header(element, tally)
        else:
            survey.unit(element, tally)
    if size > max_bytes:
        tally.add("file-size", None, f"{size / 1024**3:.1f} GB")
    return survey.report(path, tally, max_bytes)


class _Survey:
    """What one pass over the units learns: languages, locales, duplicates, and the header's claims."""

    def __init__(self) -> None:
        self.units = 0
        self.header_srclang: str | None = None
        self.header_line: int | None = None
        self.locales: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.locale_lines: dict[tuple[str, str], int] = {}
        self.first_langs: Counter[str] = Counter()
        self.seen: set[int] = set()

    def header(self, header: etree._Element, tally: _Tally) -> None:
        self.header_line = header.sourceline
        self.header_srclang = header.get("srclang")
        _check_dates(header, tally)

    def unit(self, tu: etree._Element, tally: _Tally) -> None:
        self.units += 1
        _check_dates(tu, tally)
        langs = []
        for tuv in _children(tu, "tuv"):
            code = _code(tuv)
            lang = _language(code)
            if lang is None:
                tally.add("missing-lang", tuv.sourceline, repr(code) if code else "")
            else:
                langs.append(lang)
                self.locales[lang][code] += 1
                self.locale_lines.setdefault((lang, code), tuv.sourceline)
            _check_dates(tuv, tally)
            seg = next(_children(tuv, "seg"), None)
            text = segment_text(seg) if seg is not None else ""
            if not text.strip() and (seg is None or not len(seg)):
                tally.add("empty-segment", tuv.sourceline)
            elif len(text) > LONG_CHARS:
                tally.add("long-segment", tuv.sourceline, f"{len(text):,}")
            if seg is not None:
                for node in seg.iter(etree.Entity):
                    tally.add("entity", node.sourceline or seg.sourceline, node.text or "")
        if langs:
            self.first_langs[langs[0]] += 1
        key = _unit_key(tu)
        if key in self.seen:
            tally.add("duplicate", tu.sourceline)
        self.seen.add(key)

    def report(self, path: Path, tally: _Tally, max_bytes: int) -> LintReport:
        languages = tuple(sorted(self.locales))
        locales = {lang: _majority(codes) for lang, codes in self.locales.items()}
        for lang in languages:
            codes = self.locales[lang]
            if len(codes) > 1:
                line = min(self.locale_lines[(lang, code)] for code in codes if code != locales[lang])
                listed = " and ".join(f"{code} ({n:,})" for code, n in codes.most_common())
                tally.add("mixed-locales", line, listed, sum(codes.values()) - codes[locales[lang]])
        srclang = self._check_srclang(languages, locales, tally)
        problems = tuple(
            _problem(code, finding, max_bytes) for code in CHECKS if (finding := tally.found.get(code)) is not None
        )
        return LintReport(path, self.units, problems, languages, locales, srclang)

    def _check_srclang(self, languages: tuple[str, ...], locales: dict[str, str], tally: _Tally) -> str:
        """Report a missing, wrong or ``*all*`` srclang in a two-language file; return the srclang to write."""
        usual = max(self.first_langs, key=lambda lang: self.first_langs[lang], default=None)
        fallback = ALL_LANGUAGES if len(languages) > 2 or usual is None else locales[usual]
        declared, line = self.header_srclang, self.header_line
        lang = _language(declared or "")
        if line is None:
            tally.add("srclang", None, "there is no <header>, so no srclang")
        elif declared is None:
            tally.add("srclang", line, "the header has no srclang")
        elif declared == ALL_LANGUAGES:
            if len(languages) == 2:
                tally.add("srclang", line, "srclang is *all* in a two-language file (Trados wants the source)")
                return fallback
            return ALL_LANGUAGES
        elif lang is None:
            tally.add("srclang", line, f"srclang {declared!r} is not a language code")
        elif languages and lang not in languages:
            tally.add("srclang", line, f"srclang {declared!r} is not a language of the file ({', '.join(languages)})")
        elif languages and declared.casefold() != locales[lang].casefold() and "-" in declared.replace("_", "-"):
            tally.add("srclang", line, f"srclang {declared!r} but the {lang} variants are {locales[lang]!r}")
            return locales[lang]
        else:
            return declared
        return fallback


def _problem(code: str, finding: _Finding, max_bytes: int) -> Problem:
    severity, _ = CHECKS[code]
    n, details = finding.count, finding.details
    listed = ", ".join(f"{d} x{k}" if k > 1 else d for d, k in details.most_common(5))
    match code:
        case "forbidden-char":
            message = f"{n:,} {_plural(n, 'character')} XML 1.0 forbids ({listed})"
        case "bad-bytes":
            message = f"{n:,} undecodable {_plural(n, 'byte')} (not text in the file's encoding)"
        case "malformed":
            message = f"not well-formed XML, {next(iter(details))} ({n:,} parser {_plural(n, 'error')})"
        case "entity":
            message = f"{n:,} entity {_plural(n, 'reference')} ({listed}) that tools expand or refuse"
        case "missing-lang":
            message = f"{n:,} <tuv> without a usable xml:lang" + (f" ({listed})" if details else "")
        case "srclang":
            message = "; ".join(details)
        case "mixed-locales":
            message = "; ".join(f"one language written as {d}" for d in details)
        case "date":
            message = f"{n:,} {_plural(n, 'date')} not in TMX's UTC form YYYYMMDDThhmmssZ ({listed})"
        case "bom":
            message = "a byte order mark (BOM) before the XML declaration"
        case "empty-segment":
            message = f"{n:,} empty {_plural(n, 'segment')}"
        case "long-segment":
            longest = max(details, key=lambda d: int(d.replace(",", "")))
            message = f"{n:,} {_plural(n, 'segment')} over {LONG_CHARS:,} characters (longest {longest})"
        case "file-size":
            message = f"{next(iter(details))}, more than the {max_bytes / 1024**3:g} GB CAT tools import comfortably"
        case _:  # "duplicate"
            message = f"{n:,} duplicate {_plural(n, 'unit')} (the same segments in the same languages)"
    return Problem(code, severity, message, n, finding.line)


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def fix_tmx(report: LintReport, output: str | Path) -> FixSummary:
    """Write the file ``report`` is about to ``output`` (atomically) without the problems that can be fixed.

    Not well-formed XML beyond what the checks name is not guessed at: TMXError, and nothing written.
    """
    malformed = next((p for p in report.problems if p.code == "malformed"), None)
    if malformed is not None:
        raise TMXError(f"{malformed.describe(report.path)}: repair it by hand first, --fix would lose text")
    fixed: Counter[str] = Counter()
    tally = _Tally()  # the characters and bytes removed on the way in
    events = elements(report.path, tally)
    first = next(events, None)
    header = first[1] if first is not None and first[0] == "header" else etree.Element("header")
    rest = events if first is None or first[1] is header else itertools.chain([first], events)
    fixed["srclang"] = int(header.get("srclang") != report.srclang)
    header.set("srclang", report.srclang)
    fixed["date"] += _fix_dates(header)
    written = dropped = 0
    seen: set[int] = set()
    with atomic_write_path(output) as tmp:
        try:
            with etree.xmlfile(str(tmp), encoding="utf-8") as xf:
                xf.write_declaration()
                with xf.element("tmx", version="1.4"):
                    header.tail = None
                    xf.write("\n", header, "\n")
                    with xf.element("body"):
                        xf.write("\n")
                        for _, tu in rest:
                            key = _fix_unit(tu, report, fixed)
                            if key is None:
                                dropped += 1
                            elif key in seen:
                                fixed["duplicate"] += 1
                            else:
                                seen.add(key)
                                tu.tail = None
                                xf.write(tu, "\n")
                                written += 1
                    xf.write("\n")
        except etree.SerialisationError as error:
            raise OutputError(f"{output}: cannot write ({error})") from None
    for code in ("forbidden-char", "bad-bytes", "bom"):
        if code in tally.found:
            fixed[code] = tally.found[code].count
    return FixSummary(written, {code: fixed[code] for code in CHECKS if fixed[code]}, dropped)


def _fix_unit(tu: etree._Element, report: LintReport, fixed: Counter[str]) -> int | None:
    """Repair a ``<tu>`` in place; its duplicate key, or None when too little is left of it to keep."""
    fixed["date"] += _fix_dates(tu)
    tuvs = list(_children(tu, "tuv"))
    known = {lang for tuv in tuvs if (lang := _language(_code(tuv))) is not None}
    for tuv in tuvs:
        code = _code(tuv)
        lang = _language(code)
        if lang is None:
            others = set(report.languages) - known
            if len(report.languages) == 2 and len(known) == 1 and len(others) == 1:
                lang = others.pop()
            fixed["missing-lang"] += 1
        seg = next(_children(tuv, "seg"), None)
        if seg is not None:
            for node in list(seg.iter(etree.Entity)):
                _remove_keeping_tail(node)
                fixed["entity"] += 1
        if lang is None:
            tu.remove(tuv)
            continue
        if seg is None or (not segment_text(seg).strip() and not len(seg)):
            fixed["empty-segment"] += 1
            tu.remove(tuv)
            continue
        locale = report.locales.get(lang, code)
        fixed["mixed-locales"] += int(code != locale and _language(code) is not None)
        tuv.attrib.pop("lang", None)
        tuv.set(_XML_LANG, locale)
        fixed["date"] += _fix_dates(tuv)
    left = sum(1 for _ in _children(tu, "tuv"))
    if left == 0 or (left < 2 <= len(tuvs)):
        return None
    return _unit_key(tu)


def _remove_keeping_tail(node: etree._Element) -> None:
    parent, previous = node.getparent(), node.getprevious()
    if node.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _check_dates(element: etree._Element, tally: _Tally) -> None:
    for name in _DATES:
        value = element.get(name)
        if value is not None and not _is_tmx_date(value):
            tally.add("date", element.sourceline, f'{name}="{value}"')


def _fix_dates(element: etree._Element) -> int:
    """Rewrite dates into TMX's form, or drop those that cannot be read; return how many changed."""
    changed = 0
    for name in _DATES:
        value = element.get(name)
        if value is None or _is_tmx_date(value):
            continue
        changed += 1
        try:
            moment = datetime.fromisoformat(value.strip().replace(" ", "T"))
        except ValueError:
            del element.attrib[name]
            continue
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        element.set(name, moment.strftime("%Y%m%dT%H%M%SZ"))
    return changed


def _is_tmx_date(value: str) -> bool:
    if not _TMX_DATE.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return False
    return True


def _unit_key(tu: etree._Element) -> int:
    """The unit's segments (markup included) with their languages, as a 64-bit hash."""
    parts = sorted(f"{_language(_code(tuv)) or _code(tuv)}\x1f{_seg_xml(tuv)}" for tuv in _children(tu, "tuv"))
    return int.from_bytes(hashlib.blake2b("\x1e".join(parts).encode(), digest_size=8).digest(), "big")


def _seg_xml(tuv: etree._Element) -> str:
    seg = next(_children(tuv, "seg"), None)
    return "" if seg is None else etree.tostring(seg, encoding="unicode", with_tail=False)


def _majority(codes: Counter[str]) -> str:
    """The most frequent spelling; the first seen of equally frequent ones."""
    return codes.most_common(1)[0][0]


def _code(tuv: etree._Element) -> str:
    """A variant's language as written: ``xml:lang``, or ``lang`` in TMX 1.1."""
    return (tuv.get(_XML_LANG) or tuv.get("lang") or "").strip()


@functools.lru_cache(maxsize=1024)
def _language(code: str) -> str | None:
    """``"en-GB"`` -> ``"en"``; None when the code names no language."""
    try:
        return normalize_lang(re.split(r"[-_]", code, maxsplit=1)[0]) if code else None
    except LanguageError:
        return None


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == name)
