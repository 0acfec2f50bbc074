"""Which language check to trust on short segments: ``languages.language_mismatch`` or py3langid.

Usage: python benchmarks/language_id.py
On every UD PUD sentence (1000 per language, en/de/fr/es/ru, median ~120 characters) each method is asked
whether the sentence is not in its language, once with its true language (a "yes" is a false alarm) and
once given as each of the four others (a "yes" is a catch). A good ``language`` flag catches much and
almost never raises a false alarm.
"""

from __future__ import annotations

import sys
import time

from _common import LANGS, pud_corpus

from aligner.flags import segment_language_mismatch
from aligner.languages import language_mismatch

SHORT = 60  # characters: the short segments, where the methods differ most


def main() -> int:
    corpus = {lang: [s for doc in documents for s in doc] for lang, documents in pud_corpus().items()}
    methods = {
        "stopwords (languages.language_mismatch)": lambda text, lang: language_mismatch(text, lang) is not None,
        "py3langid (flags.segment_language_mismatch)": segment_language_mismatch,
    }
    for name, mismatch in methods.items():
        started = time.perf_counter()
        for subset, longest in (("all", None), (f"under {SHORT} characters", SHORT)):
            false_alarms = catches = total = 0
            for lang, sentences in corpus.items():
                for text in sentences:
                    if longest is None or len(text) < longest:
                        total += 1
                        false_alarms += mismatch(text, lang)
                        catches += sum(mismatch(text, other) for other in LANGS if other != lang)
            print(f"{name}, {subset}: false alarms {false_alarms}/{total} ({false_alarms / total:.2%}), "
                  f"caught {catches}/{4 * total} ({catches / (4 * total):.2%})")  # fmt: skip
        print(f"   {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
