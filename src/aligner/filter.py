"""Keep the units of a translation memory a translator can trust; set the others aside with their reasons.

A unit is removed when its ``x-confidence`` is below the minimum or it carries one of the flags to drop.
The aligner's units carry both props (``x-flags`` is absent when there is no flag). A unit from another
tool has neither: its flags are computed here from its texts (``flags.text_flags``), and no
minimum confidence can apply to it, so it stays unless a flag removes it. One pass over the input writes
every output, each atomically; when nothing is kept, no file is written at all.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ._io import atomic_writer
from .errors import LanguageError, OutputError
from .flags import FLAGS, text_flags
from .languages import normalize_lang
from .tmx import ALL_LANGUAGES, TMXWriter, TranslationUnit, read_header, read_tmx, tmx_writer

#: The columns of the ``--reasons`` CSV: the unit's position in the input (from 1), its tuid, its
#: confidence ("" when it has none), why it was removed (comma-separated) and its first variant's text.
REASON_COLUMNS = ("unit", "tuid", "confidence", "reasons", "text")

# Variants looked at to learn the input's locales (en-US stays en-US in the outputs).
_LOCALE_SAMPLE = 2000
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class FilterSummary:
    """What ``filter_tmx`` read, kept and removed; ``removed_by`` counts each reason (a unit may have several)."""

    read: int
    kept: int
    removed: int
    removed_by: dict[str, int]
    without_confidence: int
    flags_computed: int


def filter_tmx(
    path: str | Path,
    output: str | Path,
    *,
    min_confidence: float | None = None,
    drop_flags: Collection[str] = (),
    rejected: str | Path | None = None,
    reasons: str | Path | None = None,
) -> FilterSummary:
    """Write the units of ``path`` that pass to ``output``; the others to ``rejected`` and ``reasons``.

    Streaming and atomic: every output appears complete when the input has been read, or not at all.
    OutputError, and no file, when no unit is kept.
    """
    unknown = sorted(set(drop_flags) - set(FLAGS))
    if unknown:
        raise ValueError(f"unknown flags {unknown}; known: {', '.join(FLAGS)}")
    srclang, locales = _srclang(path), _locales(path)
    counts: Counter[str] = Counter()
    removed_by: Counter[str] = Counter()

    def nothing_kept() -> OutputError:
        why = ", ".join(f"{n} {reason}" for reason, n in removed_by.most_common())
        return OutputError(f"{output}: nothing to write: all {counts['read']} units removed ({why})")

    with contextlib.ExitStack() as outputs:
        # Opened in this order so that the kept memory closes first: if it is empty, its error unwinds the others.
        table = csv.writer(outputs.enter_context(atomic_writer(reasons))) if reasons is not None else None
        if table is not None:
            table.writerow(REASON_COLUMNS)
        aside = _writer(outputs, rejected, srclang, locales)
        kept = outputs.enter_context(tmx_writer(output, srclang=srclang, locales=locales, if_empty=nothing_kept))
        for position, unit in enumerate(read_tmx(path), start=1):
            counts["read"] += 1
            confidence = _number(unit.prop("x-confidence"))
            flags, computed = _flags(unit)
            counts["without_confidence"] += confidence is None
            counts["flags_computed"] += computed
            why = [flag for flag in flags if flag in drop_flags]
            if min_confidence is not None and confidence is not None and confidence < min_confidence:
                why.insert(0, "confidence")
            if not why:
                kept.write(unit)
                continue
            removed_by.update(why)
            if aside is not None:
                aside.write(unit)
            if table is not None:
                text = unit.variants[0][1] if unit.variants else ""
                table.writerow((position, unit.tuid, unit.prop("x-confidence") or "", ",".join(why), text))
    return FilterSummary(
        read=counts["read"],
        kept=kept.count,
        removed=counts["read"] - kept.count,
        removed_by=dict(removed_by),
        without_confidence=counts["without_confidence"],
        flags_computed=counts["flags_computed"],
    )


def _writer(
    outputs: contextlib.ExitStack, path: str | Path | None, srclang: str, locales: dict[str, str]
) -> TMXWriter | None:
    return None if path is None else outputs.enter_context(tmx_writer(path, srclang=srclang, locales=locales))


def _flags(unit: TranslationUnit) -> tuple[tuple[str, ...], bool]:
    """The unit's flags, and whether they were computed here (a unit without x-confidence or x-flags)."""
    declared = unit.prop("x-flags")
    if declared is not None or unit.prop("x-confidence") is not None:
        return tuple(flag.strip() for flag in (declared or "").split(",") if flag.strip()), False
    return text_flags(dict(unit.variants), moved=unit.prop("x-moved") == "yes"), True


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _srclang(path: str | Path) -> str:
    """The header's source language as a 2-letter code, or ``*all*`` (also for a missing or odd one)."""
    declared = read_header(path).get("srclang", ALL_LANGUAGES)
    try:
        return normalize_lang(re.split(r"[-_]", declared.strip(), maxsplit=1)[0])
    except LanguageError:
        return ALL_LANGUAGES


def _locales(path: str | Path) -> dict[str, str]:
    """The locale each language is written with in the first variants (``{"en": "en-US"}``).

    The outputs keep them: a memory for an en-US project stays en-US. Read with read_tmx's safe settings.
    """
    found: defaultdict[str, Counter[str]] = defaultdict(Counter)
    variants = etree.iterparse(
        str(path), events=("end",), tag="{*}tuv", resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        for _, tuv in itertools.islice(variants, _LOCALE_SAMPLE):
            code = (tuv.get(_XML_LANG) or tuv.get("lang") or "").strip()
            with contextlib.suppress(LanguageError):
                found[normalize_lang(re.split(r"[-_]", code, maxsplit=1)[0])][code] += 1
            tuv.clear()
    except etree.XMLSyntaxError:
        pass  # read_tmx reports it, as one line, when it gets there
    return {lang: codes.most_common(1)[0][0] for lang, codes in found.items()}
