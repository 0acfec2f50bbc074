"""Streaming TMX: write and read back N synthetic five-language units; memory must not grow with N.

Each phase runs in a fresh Python process, so its peak RSS (``resource.getrusage``) is its own; the
baseline is that process's peak right after importing aligner, before any unit exists.

    python benchmarks/tmx_stream.py                      # 100,000 then 1,000,000 units
    python benchmarks/tmx_stream.py --sizes 10000 50000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from aligner.tmx import TranslationUnit, read_tmx, write_tmx

LANGS = ("de", "en", "es", "ru", "fr")
SENTENCES = {
    "de": "Der Minister hat am {n}. Treffen über die Lage in der Region und die nächsten Schritte gesprochen.",
    "en": "The minister spoke at meeting {n} about the situation in the region and the next steps.",
    "es": "El ministro habló en la reunión {n} sobre la situación en la región y los próximos pasos.",
    "ru": "Министр выступил на встрече {n} о ситуации в регионе и о дальнейших шагах.",
    "fr": "Le ministre a parlé lors de la réunion {n} de la situation dans la région et des prochaines étapes.",
}


def synthetic_units(count: int) -> Iterator[TranslationUnit]:
    """``count`` distinct units, generated one at a time (nothing is held in memory)."""
    for n in range(count):
        yield TranslationUnit(
            tuid=f"{n:020x}",
            variants=tuple((lang, SENTENCES[lang].format(n=n)) for lang in LANGS),
            props=(("x-score", f"{(n % 1000) / 1000:.3f}"), ("x-bead", "1-1-1-1-1"), ("x-document", "bench")),
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds() -> float:
    """User + system time: unlike wall time, not inflated when other processes share the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(phase: str, count: int, path: Path) -> None:
    """One measured phase; prints a JSON line for the parent."""
    baseline = _peak_mb()
    start, cpu = time.perf_counter(), _cpu_seconds()
    if phase == "write":
        units = write_tmx(path, synthetic_units(count), srclang="*all*", creationdate=datetime(2024, 1, 1, tzinfo=UTC))
    else:
        units = sum(1 for _ in read_tmx(path))
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    result = {
        "phase": phase,
        "units": units,
        "seconds": seconds,
        "cpu": cpu,
        "baseline_mb": baseline,
        "peak_mb": _peak_mb(),
    }
    print(json.dumps(result))


def _run(phase: str, count: int, path: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", phase, str(count), str(path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--child", nargs=3, metavar=("PHASE", "COUNT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        phase, count, path = args.child
        _child(phase, int(count), Path(path))
        return

    print(
        f"{'phase':<6} {'units':>10} {'file MB':>9} {'wall s':>8} {'cpu s':>7} {'units/cpu s':>11}"
        f" {'base MB':>8} {'peak MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="tmx-bench-") as folder:
        for count in args.sizes:
            path = Path(folder) / f"bench-{count}.tmx"
            for phase in ("write", "read"):
                r = _run(phase, count, path)
                assert r["units"] == count, r
                size = path.stat().st_size / 1024**2
                print(
                    f"{phase:<6} {count:>10,} {size:>9.1f} {r['seconds']:>8.1f} {r['cpu']:>7.1f}"
                    f" {count / r['cpu']:>11,.0f} {r['baseline_mb']:>8.1f} {r['peak_mb']:>8.1f}",
                    flush=True,
                )
            path.unlink()


if __name__ == "__main__":
    main()
