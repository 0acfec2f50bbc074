"""Batch throughput on Ray against the local engine: 100 local five-language statements.

The statements are the 1,000 parallel sentences of UD PUD (``../shared/data/ud-pud``) cut into 100
statements of 10 sentences per language. Each configuration runs in a fresh process with one encoder
thread per worker: local with 1 and 2 worker processes, and Ray (a local cluster of 2 CPUs started by
that process) with 1 and 2 actors. Ray's start-up (``ray.init``) is timed apart and included in the
total; peak memory is per worker process (for Ray: the largest resident set of any actor, polled).

    python benchmarks/batch_ray.py [--statements 100] [--runs local:1 local:2 ray:1 ray:2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ud-pud"
LANGS = ("en", "de", "fr", "es", "ru")


def build_statements(root: Path, count: int) -> int:
    """PUD's sentences in ``count`` statement folders; returns the sentences per language in all."""
    texts = {
        lang: [
            line.split("=", 1)[1].strip()
            for line in (SHARED / f"{lang}_pud-ud-test.conllu").read_text("utf-8").splitlines()
            if line.startswith("# text =")
        ]
        for lang in LANGS
    }
    size = len(texts["en"]) // count
    for n in range(count):
        folder = root / f"s{n:03d}"
        folder.mkdir(parents=True)
        for lang in LANGS:
            (folder / f"{lang}.txt").write_text(" ".join(texts[lang][n * size : (n + 1) * size]) + "\n", "utf-8")
    return size * count


class _ActorMemory:
    """The largest resident set of any Ray actor process running statements, polled twice a second."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while not self._stop.wait(0.5):
            for process in psutil.process_iter(["cmdline", "memory_info"]):
                if "_StatementActor" in " ".join(process.info["cmdline"] or ()) and process.info["memory_info"]:
                    self.peak = max(self.peak, process.info["memory_info"].rss)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_one(input: Path, engine: str, workers: int) -> None:
    """One batch in this process; prints its figures as JSON."""
    from aligner.batch import BatchOptions, read_batch_input, run_batch

    jobs = read_batch_input(input)
    options = BatchOptions(workers=workers, threads=1)
    start = time.perf_counter()
    startup, memory, kwargs = 0.0, None, {}
    if engine == "ray":
        import ray

        from aligner._ray_engine import RayEngine

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        startup = time.perf_counter() - start
        memory, kwargs = _ActorMemory(), {"engine": RayEngine()}
    first: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        result = run_batch(
            jobs,
            out,
            options,
            **kwargs,
            on_result=lambda r: first.append(time.perf_counter() - start) if not first else None,
        )
    elapsed = time.perf_counter() - start
    worker_peak = (
        memory.stop()
        if memory
        else (resource.getrusage(resource.RUSAGE_CHILDREN if workers > 1 else resource.RUSAGE_SELF).ru_maxrss * 1024)
    )
    print(
        json.dumps(
            {
                "engine": engine,
                "workers": workers,
                "statements": len(jobs),
                "ok": result.count("ok"),
                "startup_s": round(startup, 2),
                "seconds": round(elapsed, 2),
                "first_result_s": round(first[0], 2),
                "per_minute": round(len(jobs) / elapsed * 60, 1),
                "per_minute_after_first": round((len(jobs) - 1) / (elapsed - first[0]) * 60, 1),
                "worker_peak_mb": round(worker_peak / 2**20, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--runs", nargs="+", default=["local:1", "local:2", "ray:1", "ray:2"])
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        engine, workers = args.runs[0].split(":")
        run_one(args.run_one, engine, int(workers))
        return
    if not SHARED.is_dir():
        print(f"skipped: UD PUD data not found at {SHARED} (the shared data folder is needed)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        sentences = build_statements(Path(tmp), args.statements)
        print(f"{args.statements} statements from UD PUD, {sentences // args.statements} sentences each in 5 languages")
        print(
            f"{'engine':>6} {'workers':>7} {'start-up s':>10} {'seconds':>8} {'1st result s':>12} {'stmts/min':>10} "
            f"{'after 1st':>10} {'sents/s/core':>12} {'worker peak MB':>14}"
        )
        for run in args.runs:
            output = subprocess.run(
                [sys.executable, __file__, "--run-one", tmp, "--runs", run], capture_output=True, text=True, check=True
            ).stdout
            r = json.loads(output.strip().splitlines()[-1])
            # sentences embedded and aligned per second per core, once the model is loaded (1 thread per worker)
            rate = (sentences * len(LANGS) / args.statements) * r["per_minute_after_first"] / 60 / r["workers"]
            print(
                f"{r['engine']:>6} {r['workers']:>7} {r['startup_s']:>10} {r['seconds']:>8} {r['first_result_s']:>12} "
                f"{r['per_minute']:>10} {r['per_minute_after_first']:>10} {rate:>12.0f} {r['worker_peak_mb']:>14}"
            )
        print(
            "seconds and stmts/min include start-up and loading the model; 'after 1st' is the rate from the "
            "first result on."
        )


if __name__ == "__main__":
    main()
