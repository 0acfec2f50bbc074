"""Align the 7 Text+Berg de-fr documents and score them against the gold (strict/lax P/R/F1).

Usage: python benchmarks/align_textberg.py [--model use] [--model e5-small] [--json] [--cache-dir DIR] [--max-total N]
                                           [--moved-above X | --no-moved]
Prints the scores and the whole-process wall time (model load included) per model, how many moved
(crossing) beads were linked and how many of those are gold beads, and of the gold beads that no
monotonic aligner can produce (they cross or skip: textberg_ceiling.py) how many come out exactly. With --cache-dir
embeddings are kept on disk (a second run then measures the search, not the model).
Data: ../shared/data/textberg-de-fr (presegmented, one sentence per line).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

START = time.perf_counter()

from _common import TEXTBERG, require  # noqa: E402
from textberg_ceiling import reachable  # noqa: E402

from aligner.align import AlignOptions, align_sentences  # noqa: E402
from aligner.embed import EmbeddingCache, get_encoder  # noqa: E402
from aligner.evaluate import read_ladder, score  # noqa: E402

# Reference figures measured on this 2-core machine with the same data (see the issue tracker).
REFERENCE = {
    "Bertalign + USE": (0.911, 0.984, "19.9 s"),
    "Vecalign + USE": (0.878, 0.978, "93 s"),
    "hunalign": (0.744, 0.867, ""),
    "Bertalign + LaBSE (published)": (0.936, 0.989, ""),
}


def run(model: str, options: AlignOptions, cache_dir: Path | None = None) -> dict:
    """Align and score; the timings stop before the analysis of moved and crossing beads (benchmark-only work,
    which ea485c3's timings did not include either)."""
    started = time.perf_counter()
    encoder = EmbeddingCache(get_encoder(model), cache_dir)
    aligned = []
    for gold in sorted((TEXTBERG / "gold").iterdir()):
        src = (TEXTBERG / "de" / gold.name).read_text(encoding="utf-8").splitlines()
        tgt = (TEXTBERG / "fr" / gold.name).read_text(encoding="utf-8").splitlines()
        beads = align_sentences([s.strip() for s in src], [t.strip() for t in tgt], encoder, options)
        aligned.append((beads, read_ladder(gold)))
    scores = score([([(b.src, b.tgt) for b in beads], ladder) for beads, ladder in aligned])
    finished = time.perf_counter()
    moved = moved_in_gold = crossing = crossing_found = 0
    for beads, ladder in aligned:
        gold_beads = {(tuple(s), tuple(t)) for s, t in ladder}
        linked = {(b.src, b.tgt) for b in beads if b.moved}
        moved, moved_in_gold = moved + len(linked), moved_in_gold + len(linked & gold_beads)
        unreachable = {bead for bead in gold_beads if not reachable(bead, ladder)}
        crossing += len(unreachable)
        crossing_found += len(unreachable & {(b.src, b.tgt) for b in beads})
    return {"model": model, **scores.as_dict(), "seconds": round(finished - started, 2),
            "process_seconds": round(finished - START, 2), "moved": moved, "moved_in_gold": moved_in_gold,
            "crossing_gold": crossing, "crossing_gold_found": crossing_found}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="encoder id (repeatable); default: use")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    parser.add_argument("--cache-dir", type=Path, help="keep embeddings in this folder between runs")
    parser.add_argument("--max-total", type=int, default=AlignOptions.max_total, help="most sentences in one bead")
    parser.add_argument("--moved-above", type=float, default=AlignOptions.moved_above, help="AlignOptions.moved_above")
    parser.add_argument("--no-moved", action="store_true", help="link no moved beads (to see what linking them adds)")
    args = parser.parse_args()
    require(TEXTBERG)
    options = AlignOptions(max_total=args.max_total, moved_above=None if args.no_moved else args.moved_above)
    for model in args.model or ["use"]:
        result = run(model, options, args.cache_dir)
        if model != (args.model or ["use"])[0]:
            del result["process_seconds"]  # the first model's process time includes the start-up
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{model:10s} strict P/R/F1 {result['strict_precision']:.4f}/{result['strict_recall']:.4f}/"
                f"{result['strict_f1']:.4f}  lax P/R/F1 {result['lax_precision']:.4f}/"
                f"{result['lax_recall']:.4f}/{result['lax_f1']:.4f}  {result['seconds']:.1f} s"
                + (f" (whole process {result['process_seconds']:.1f} s)" if "process_seconds" in result else "")
            )
            print(f"{'':10s} moved beads linked: {result['moved']}, of which gold beads: {result['moved_in_gold']}; "
                  f"gold beads that cross or skip: {result['crossing_gold']}, output exactly: "
                  f"{result['crossing_gold_found']}")  # fmt: skip
    if not args.json:
        for name, (strict, lax, seconds) in REFERENCE.items():
            print(f"reference: {name:30s} strict F1 {strict:.3f}  lax F1 {lax:.3f}  {seconds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
