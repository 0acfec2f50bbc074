"""``aligner review`` at scale: how long a 3,000-unit five-language TMX takes to open in Chromium.

Builds the TMX from the sentences in ``samples/`` (Cyrillic and Latin, some units scored low, some
unpaired), starts ``aligner review`` on it (timed until it prints its URL: reading and segmenting
the TMX), then times, over several runs, from starting the page load until the first page of units
is on screen, and turning a page with the keyboard. Needs ``aligner[review]``, Playwright for Python
and Debian's ``chromium``.

    python benchmarks/review_load.py                 # 3,000 units, 5 runs
    python benchmarks/review_load.py --units 10000 --runs 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aligner.segment import split_sentences
from aligner.sources import load_statement
from aligner.tmx import ALL_LANGUAGES, TranslationUnit, write_tmx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def build_tmx(path: Path, units: int, seed: int = 14) -> Path:
    """A five-language TMX of ``units`` units made of the samples' sentences; every 40th is unpaired."""
    documents = load_statement([str(ROOT / "samples")])
    sentences = {
        doc.lang: [s for block in doc.text_blocks() for s in split_sentences(block, doc.lang)] for doc in documents
    }
    n = min(len(v) for v in sentences.values())
    rng = random.Random(seed)

    def generate() -> list[TranslationUnit]:
        out = []
        for k in range(units):
            i = k % n
            variants = tuple((lang, texts[i]) for lang, texts in sentences.items())
            if k % 40 == 39:
                variants = variants[k % len(variants) :][:1]
            score = rng.choice((rng.uniform(0.2, 0.5), rng.uniform(0.5, 0.7), *[rng.uniform(0.7, 0.95)] * 4))
            props = (("x-score", f"{score:.3f}"), ("x-document", "samples"))
            out.append(TranslationUnit(tuid=f"{k:08d}", variants=variants, props=props))
        return out

    write_tmx(path, generate(), srclang=ALL_LANGUAGES)
    return path


def start_review(tmx: Path, output: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """``aligner review`` in a subprocess on a free port; returns it and the URL it printed."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from aligner.cli import main; main()",
            "review",
            str(tmx),
            "-o",
            str(output),
            "--no-browser",
            "--quiet",
            *extra,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"aligner review did not start (printed {url!r})")
    return process, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("needs Playwright for Python: pip install playwright")
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium")

    with tempfile.TemporaryDirectory() as folder:
        tmx = build_tmx(Path(folder) / "big.tmx", args.units)
        launched = time.perf_counter()
        process, url = start_review(tmx, Path(folder) / "out.tmx")
        startup = time.perf_counter() - launched  # Python start, reading and segmenting the TMX
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    page.goto(url)
                    page.wait_for_selector("body[data-ready] #rows tr")
                    times.append(time.perf_counter() - start)
                rows = page.locator("#rows tr").count()
                scroll = time.perf_counter()
                for _ in range(20):
                    page.keyboard.press("PageDown")
                page.wait_for_selector("#page-info:has-text('page 21 of')")
                paging = (time.perf_counter() - scroll) / 20
                browser.close()
        finally:
            process.terminate()
            process.wait()
    print(
        f"{args.units} five-language units: server ready in {startup:.2f} s; "
        f"page ready in median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs); {rows} rows in the DOM; "
        f"next page in {paging * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
