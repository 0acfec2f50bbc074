"""Peak memory (RSS) of ``aligner run`` on large ordinary texts: it should grow with sentence count only.

Each language file is built from that language's UD PUD sentences (``../shared/data/ud-pud``), a
few per paragraph, until it holds SIZE megabytes of UTF-8; sentence k of every file translates
sentence k of the others. So that no text repeats (an embedding cache would hide repeated work),
each pass over the 1,000 sentences after the first takes them in its own shuffled order and numbers
them with the pass, ``... (12).``: every sentence, and every run of sentences, is new.
``--one-line MB`` adds a statement whose files are one line of that size without punctuation (cut
into 2,000-character pieces by the segmenter). ``aligner run`` is started in a fresh process per
input and its peak resident set size is read from ``resource.getrusage(RUSAGE_CHILDREN)``, so model
weights count too. The target is under 1 GB for 10 MB of ordinary text.

Usage:  python benchmarks/memory_input.py [--sizes 1,10] [--one-line 1.5] [--langs en,de] [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud-pud"
SENTENCES_PER_PARAGRAPH = 4
TARGET_MB = 1024
# The sentence's closing punctuation (and quotes), where a pass number goes in front of.
_CLOSING = re.compile(r"[.!?…\"'”»)]*$")


def pud_sentences(data: Path, lang: str) -> list[str]:
    """The ``# text =`` lines of one language's PUD file, in order (the same 1000 in every language)."""
    path = data / f"{lang}_pud-ud-test.conllu"
    return [
        line.split("=", 1)[1].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# text =")
    ]


def varied(sentences: list[str], count: int) -> list[str]:
    """``count`` sentences: the corpus once as it is, then in a new order per pass, numbered with the pass.

    The orders depend only on the pass, so the same call on another language gives its translations.
    """
    out: list[str] = []
    for rnd in range(-(-count // len(sentences))):
        order = list(range(len(sentences)))
        if rnd:
            random.Random(rnd).shuffle(order)
        for k in order:
            sentence = sentences[k]
            if rnd:
                cut = _CLOSING.search(sentence).start()  # type: ignore[union-attr]
                sentence = f"{sentence[:cut]} ({rnd}){sentence[cut:]}"
            out.append(sentence)
    return out[:count]


def write_statement(folder: Path, data: Path, langs: list[str], megabytes: float) -> int:
    """Write ``LL.txt`` per language, each about ``megabytes`` MB; return the sentences per file."""
    corpus = {lang: pud_sentences(data, lang) for lang in langs}
    bytes_per_round = max(sum(len(s.encode()) + 1 for s in sentences) for sentences in corpus.values())
    count = max(1, int(megabytes * 1024 * 1024 / bytes_per_round * len(corpus[langs[0]])))
    for lang, sentences in corpus.items():
        chosen = varied(sentences, count)
        paragraphs = [
            " ".join(chosen[k : k + SENTENCES_PER_PARAGRAPH]) for k in range(0, count, SENTENCES_PER_PARAGRAPH)
        ]
        (folder / f"{lang}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return count


def write_one_line(folder: Path, data: Path, langs: list[str], megabytes: float) -> int:
    """Write ``LL.txt`` per language as one line of about ``megabytes`` MB of words, no punctuation at all."""
    size = int(megabytes * 1024 * 1024)
    for lang in langs:
        words = re.sub(r"[^\w\s]", "", " ".join(pud_sentences(data, lang))).split()
        text = " ".join(words)
        line = " ".join([text] * (size // len(text.encode()) + 1)).encode()[:size].decode(errors="ignore")
        (folder / f"{lang}.txt").write_text(line + "\n", encoding="utf-8")
    return 1


_MEASURE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)


def peak_rss_mb(command: list[str]) -> tuple[float, float, int]:
    """Peak RSS in MB of ``command``, its wall time in seconds, and its exit code.

    A wrapper process runs it, so that each measurement has its own RUSAGE_CHILDREN (which keeps the
    largest peak of all children ever waited for).
    """
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    peak_kb, code = done.stdout.split()
    if done.stderr.strip():
        print(done.stderr.strip(), file=sys.stderr)
    return int(peak_kb) / 1024, elapsed, int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10", help="Megabytes per language file, comma-separated.")
    parser.add_argument("--one-line", type=float, help="Also a statement of one line of this many MB per language.")
    parser.add_argument("--langs", default="en,de", help="Languages of the statement.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: UD PUD not found at {args.data} (the shared data folder is absent)")
        return
    langs = args.langs.split(",")
    inputs = [(float(size), write_statement) for size in args.sizes.split(",") if size]
    if args.one_line:
        inputs.append((args.one_line, write_one_line))
    for size, write in inputs:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            sentences = write(folder, args.data, langs, size)
            command = [
                sys.executable,
                "-c",
                "from aligner.cli import main; main()",
                "run",
                str(folder),
                "-o",
                str(folder / "out.tmx"),
                "--quiet",
            ]
            peak, elapsed, code = peak_rss_mb(command)
            verdict = "ok" if peak < TARGET_MB else f"OVER {TARGET_MB} MB"
            shape = "one line" if write is write_one_line else f"{sentences} sentences each"
            print(
                f"{size:g} MB x {len(langs)} ({shape}): peak RSS {peak:.0f} MB, "
                f"{elapsed:.0f} s, exit {code} [{verdict}]",
                flush=True,
            )


if __name__ == "__main__":
    main()
