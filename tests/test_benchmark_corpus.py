"""The UD PUD corpus as the benchmarks read it (``benchmarks/_common.py``): the gold of every PUD figure."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUD = ROOT.parent / "shared" / "data" / "ud-pud"


@pytest.fixture
def common(monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.syspath_prepend(ROOT / "benchmarks")
    return runpy.run_path(str(ROOT / "benchmarks" / "_common.py"))


CONLLU = """# newdoc id = d1
# sent_id = s1
# text = One.
1\tOne\tone\tNUM\t_\t_\t0\troot\t_\t_

# sent_id = s2
# text = Two.
1\tTwo\ttwo\tNUM\t_\t_\t0\troot\t_\t_

# sent_id = s3
# text = Three.
1\tThree\tthree\tNUM\t_\t_\t0\troot\t_\t_

# newdoc id = d2
# sent_id = s4
# text = Four.
1\tFour\tfour\tNUM\t_\t_\t0\troot\t_\t_
"""


def test_a_misplaced_sentence_is_put_where_its_translation_stands(common: dict, tmp_path: Path) -> None:
    path = tmp_path / "x.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    assert common["load_documents"](path) == [["One.", "Two.", "Three."], ["Four."]]
    # the text under s2 translates s3's sentence, and s3's translates s2's
    assert common["load_documents"](path, {"s2": "s3", "s3": "s2"}) == [["One.", "Three.", "Two."], ["Four."]]


@pytest.mark.slow
@pytest.mark.skipif(not PUD.is_dir(), reason=f"UD PUD treebanks not found at {PUD}")
def test_the_spanish_sentences_pud_misplaces_are_back_in_order(common: dict) -> None:
    corpus = common["pud_corpus"]()
    assert [len(doc) for doc in corpus["es"]] == [len(doc) for doc in corpus["en"]]
    # document w01079: 1538, then forced baptism, then 1492, in every language
    assert [s[:7] for s in corpus["es"][217][1:]] == ["En 1538", "El baut", "España "]
    assert [s[:7] for s in corpus["en"][217][1:]] == ["In 1538", "Forced ", "Spain h"]
