"""Batch throughput: statements per minute for 50 local five-language statements, 1 and 2 workers.

The statements are UD PUD documents (``../shared/data/ud-pud``): each ``# newdoc id`` becomes a folder
with en/de/fr/es/ru text files built from its ``# text =`` lines. Each configuration runs in a fresh
process, so that its peak memory (ru_maxrss of the batch process and of its worker processes) and its
model loading are its own. The embedding cache starts empty each time.

    python benchmarks/batch_local.py [--statements 50] [--workers 1 2] [--threads T] [--also-single-thread]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import LANGS, PUD, require


def build_statements(root: Path, count: int) -> int:
    """Write the first ``count`` PUD documents as statement folders; return the number of sentences per language."""
    texts: dict[str, dict[str, list[str]]] = {}
    for lang in LANGS:
        doc = ""
        for line in (PUD / f"{lang}_pud-ud-test.conllu").read_text("utf-8").splitlines():
            if line.startswith("# newdoc id"):
                doc = line.split("=", 1)[1].strip()
            elif line.startswith("# text =") and doc:
                texts.setdefault(doc, {}).setdefault(lang, []).append(line.split("=", 1)[1].strip())
    chosen = list(texts)[:count]
    for doc in chosen:
        folder = root / doc
        folder.mkdir(parents=True)
        for lang in LANGS:
            (folder / f"{lang}.txt").write_text(" ".join(texts[doc][lang]) + "\n", "utf-8")
    return sum(len(texts[doc]["en"]) for doc in chosen)


def run_one(input: Path, workers: int, threads: int | None) -> None:
    """One batch in this process; prints its figures as JSON."""
    from aligner.batch import BatchOptions, read_batch_input, run_batch

    jobs = read_batch_input(input)
    first: list[float] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        result = run_batch(
            jobs,
            out,
            BatchOptions(workers=workers, threads=threads),
            on_result=lambda r: first.append(time.perf_counter() - start) if not first else None,
        )
    elapsed = time.perf_counter() - start
    print(
        json.dumps(
            {
                "workers": workers,
                "threads": BatchOptions(workers=workers, threads=threads).threads_per_worker(),
                "statements": len(jobs),
                "ok": result.count("ok"),
                "seconds": round(elapsed, 2),
                "first_result_s": round(first[0], 2),
                "per_minute": round(len(jobs) / elapsed * 60, 1),
                "per_minute_after_first": round((len(jobs) - 1) / (elapsed - first[0]) * 60, 1),
                "maxrss_self_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "maxrss_children_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--threads", type=int, help="encoder threads per worker (default: cores / workers)")
    parser.add_argument(
        "--also-single-thread",
        action="store_true",
        help="add a run with 1 worker and 1 thread (BLAS threading can be slower than none)",
    )
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        run_one(args.run_one, args.workers[0], args.threads)
        return
    require(PUD)
    with tempfile.TemporaryDirectory() as tmp:
        sentences = build_statements(Path(tmp), args.statements)
        print(f"{args.statements} statements from UD PUD, {sentences} sentences per language, 5 languages")
        print(
            f"{'workers':>7} {'threads':>7} {'seconds':>8} {'1st result s':>12} {'stmts/min':>10} {'after 1st':>10} "
            f"{'RSS self MB':>11} {'RSS children MB':>15}"
        )
        runs = [(workers, args.threads) for workers in args.workers] + ([(1, 1)] if args.also_single_thread else [])
        for workers, threads in runs:
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--run-one",
                    tmp,
                    "--workers",
                    str(workers),
                    *(["--threads", str(threads)] if threads else []),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(output.strip().splitlines()[-1])
            print(
                f"{r['workers']:>7} {r['threads']:>7} {r['seconds']:>8} {r['first_result_s']:>12} "
                f"{r['per_minute']:>10} {r['per_minute_after_first']:>10} {r['maxrss_self_mb']:>11} "
                f"{r['maxrss_children_mb']:>15}"
            )
        print("stmts/min includes loading the model; 'after 1st' is the rate once the first statement is done.")
        print("RSS children: the largest single worker process (ru_maxrss of RUSAGE_CHILDREN is a maximum, not a sum).")


if __name__ == "__main__":
    main()
