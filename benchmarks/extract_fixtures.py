"""Extraction accuracy on the saved pages in tests/pages/: site profiles, the generic fallback, and
(when importable) trafilatura and readability-lxml on the same pages.

Usage:  python benchmarks/extract_fixtures.py
        PYTHONPATH=/path/with/trafilatura-and-readability python benchmarks/extract_fixtures.py

For each extractor it prints exact matches (the paragraph list equals the expected one) and
paragraph-level precision/recall/F1 over all pages, plus milliseconds per page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from _common import PAGES
from lxml import html

from aligner.extract import _blocks, extract_html

Extractor = Callable[[bytes], list[str]]


def _aligner(use_profiles: bool) -> Extractor:
    return lambda data: list(extract_html(data, use_profiles=use_profiles).paragraphs)


def _optional_extractors() -> dict[str, Extractor]:
    found: dict[str, Extractor] = {}
    try:
        import trafilatura
    except ImportError:
        print("trafilatura: not installed, skipped")
    else:

        def run_trafilatura(data: bytes) -> list[str]:
            text = trafilatura.extract(data, include_comments=False, include_tables=False, favor_precision=True)
            return [line.strip() for line in (text or "").splitlines() if line.strip()]

        found["trafilatura"] = run_trafilatura
    try:
        from readability import Document as Readability
    except ImportError:
        print("readability-lxml: not installed, skipped")
    else:

        def run_readability(data: bytes) -> list[str]:
            # aligner's own paragraph splitting, so that only the choice of content is compared
            return _blocks(html.fromstring(Readability(data).summary(html_partial=True)))

        found["readability-lxml"] = run_readability
    return found


def _score(got: list[str], want: list[str]) -> tuple[int, int, int]:
    """Paragraphs found, expected, and found correctly (as multisets)."""
    remaining = list(want)
    correct = 0
    for paragraph in got:
        if paragraph in remaining:
            remaining.remove(paragraph)
            correct += 1
    return len(got), len(want), correct


def main() -> None:
    cases = [
        (p.stem, (PAGES / f"{p.stem}.html").read_bytes(), json.loads(p.read_text("utf-8"))["paragraphs"])
        for p in sorted((PAGES / "expected").glob("*.json"))
    ]
    extractors = {
        "aligner (profiles)": _aligner(True),
        "aligner (generic only)": _aligner(False),
        **_optional_extractors(),
    }
    print(f"{len(cases)} pages with expected paragraphs\n")
    print(f"{'extractor':<24} {'exact':>7} {'P':>6} {'R':>6} {'F1':>6} {'ms/page':>8}  failures")
    for name, extract in extractors.items():
        found = expected = correct = exact = 0
        failures = []
        start = time.perf_counter()
        for case, data, want in cases:
            try:
                got = extract(data)
            except Exception as error:  # noqa: BLE001 - a benchmark reports every failure and goes on
                got = []
                failures.append(f"{case} ({type(error).__name__})")
            f, e, c = _score(got, want)
            found, expected, correct = found + f, expected + e, correct + c
            if got == want:
                exact += 1
            elif case not in " ".join(failures):
                failures.append(case)
        elapsed = (time.perf_counter() - start) * 1000 / len(cases)
        precision, recall = correct / max(found, 1), correct / max(expected, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        print(
            f"{name:<24} {exact:>3}/{len(cases):<3} {precision:6.3f} {recall:6.3f} {f1:6.3f} {elapsed:8.1f}  "
            f"{', '.join(failures) or '-'}"
        )


if __name__ == "__main__":
    main()
