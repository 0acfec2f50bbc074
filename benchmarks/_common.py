"""What the benchmark scripts share: where ``../shared`` is, and the UD PUD helpers.

Every script runs from the repository root (``python benchmarks/x.py``; Python puts ``benchmarks/`` on
``sys.path``, so ``from _common import ...`` works) and finds the read-only data next to the
repository, in ``../shared/data``. A script whose data is absent says so and exits 0.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
PUD = DATA / "ud-pud"  # {lang}_pud-ud-test.conllu: the same 1000 sentences in 397 documents per language
TEXTBERG = DATA / "textberg-de-fr"  # de/NNN, fr/NNN (one sentence per line) and gold/NNN ladders
PAGES = ROOT / "tests" / "pages"  # saved web pages and their expected paragraphs

LANGS = ("en", "de", "fr", "es", "ru")

# A line of a perturbed document is the tuple of original sentence numbers it holds (two after a merge).
Lines = list[tuple[int, ...]]


def require(path: Path) -> None:
    """Exit 0 with a one-line note on stderr when the shared data folder ``path`` is absent."""
    if not path.is_dir():
        print(f"skipped: {path} not found (the shared data set is needed; see ../shared/README.md)", file=sys.stderr)
        sys.exit(0)


#: UD Spanish-PUD (see COMMITS.txt for the version) has three sentences of document w01079 out of order: the
#: text under each id on the left translates the sentence under the id on the right in the other four files.
#: Checked by hand after an embedding scan of every document found nothing else out of place. ``pud_corpus``
#: puts them back, so that sentence k of a document is the translation of sentence k in every language.
PUD_MISPLACED = {"es": {"w01079049": "w01079077", "w01079057": "w01079049", "w01079077": "w01079057"}}


def pud_corpus() -> dict[str, list[list[str]]]:
    """Every language's UD PUD documents, each a list of its sentences (exits when the data is absent)."""
    require(PUD)
    return {lang: load_documents(PUD / f"{lang}_pud-ud-test.conllu", PUD_MISPLACED.get(lang, {})) for lang in LANGS}


def load_documents(path: Path, misplaced: dict[str, str] | None = None) -> list[list[str]]:
    """The sentences of each document (``# newdoc id``) of one CoNLL-U file, in order; a sentence
    whose id is a key of ``misplaced`` is moved to where the id it maps to stands."""
    documents: list[list[tuple[str, str]]] = []
    sent_id = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc id"):
            documents.append([])
        elif line.startswith("# sent_id ="):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text ="):
            documents[-1].append((sent_id, line.split("=", 1)[1].strip()))
    misplaced = misplaced or {}
    result = []
    for document in documents:
        text_of = {misplaced.get(sent_id, sent_id): text for sent_id, text in document}
        result.append([text_of[sent_id] for sent_id, _ in document])
    return result


def perturb(n: int, rng: random.Random, delete: float = 0.05, merge: float = 0.08) -> Lines:
    """Which original sentences each line of a perturbed document holds."""
    kept = [k for k in range(n) if rng.random() >= delete] or [0]
    lines: Lines = []
    k = 0
    while k < len(kept):
        if k + 1 < len(kept) and rng.random() < merge:
            lines.append((kept[k], kept[k + 1]))
            k += 2
        else:
            lines.append((kept[k],))
            k += 1
    return lines


def gold_beads(a: Lines, b: Lines) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Gold ladder between two perturbed versions: lines sharing an original sentence are linked."""
    a_of = {s: i for i, line in enumerate(a) for s in line}
    b_of = {s: j for j, line in enumerate(b) for s in line}
    beads: list[tuple[set[int], set[int]]] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and not any(s in b_of for s in a[i]):
            beads.append(({i}, set()))
            i += 1
            continue
        if j < len(b) and not any(s in a_of for s in b[j]):
            beads.append((set(), {j}))
            j += 1
            continue
        group_a, group_b = {i}, set()
        frontier = True
        while frontier:  # close the group under "shares an original sentence"
            frontier = False
            for x in sorted(group_a):
                for s in a[x]:
                    if s in b_of and b_of[s] not in group_b:
                        group_b.add(b_of[s])
                        frontier = True
            for y in sorted(group_b):
                for s in b[y]:
                    if s in a_of and a_of[s] not in group_a:
                        group_a.add(a_of[s])
                        frontier = True
        beads.append((group_a, group_b))
        i, j = max(group_a) + 1, max(group_b) + 1
    return [(tuple(sorted(x)), tuple(sorted(y))) for x, y in beads]
