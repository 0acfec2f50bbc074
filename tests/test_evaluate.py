"""Ladder files and the strict/lax scores of Sennrich & Volk (2011), on cases worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.errors import InputError
from aligner.evaluate import (
    Scores,
    format_ladder,
    ladder_pairs,
    parse_ladder,
    read_ladder,
    score,
)
from aligner.types import Bead

GOLD = "[0]:[0]\n[1]:[1, 2]\n[2]:[]\n[3]:[3]\n"
# Against GOLD: [1]:[1] is only laxly right (gold links 1 to 1), []:[2] is wrong, the rest exact.
PREDICTED = "[0]:[0]\n[1]:[1]\n[]:[2]\n[2]:[]\n[3]:[3]\n"


def test_parse_ladder() -> None:
    text = "[3]:[3, 4]\n[46]:[]\n\n  [] : [5]  \n[7,8]:[6]\n[10 11]:[7]\n"
    assert parse_ladder(text) == [((3,), (3, 4)), ((46,), ()), ((), (5,)), ((7, 8), (6,)), ((10, 11), (7,))]
    assert parse_ladder("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[0]:[0]\n[1]:[1]\n[2]-[2]\n", r"^gold/001:3: not a bead line like '\[3\]:\[3, 4\]': '\[2\]-\[2\]'$"),
        ("[0]:[0]\n\n[a]:[1]\n", r"^gold/001:3: "),
        ("[-1]:[0]\n", r"^gold/001:1: "),
        ("0:0\n", r"^gold/001:1: "),
        ("[0]:[0] trailing\n", r"^gold/001:1: "),
    ],
)
def test_parse_ladder_names_the_first_bad_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_ladder(text, "gold/001")


def test_format_ladder_round_trips_through_parse_ladder() -> None:
    beads = [Bead((0,), (0,), 0.9), Bead((1, 2), (1,), 0.7), Bead((3,), ()), Bead((), (2,)), Bead((4,), (3, 4, 5))]
    text = format_ladder(beads)
    assert text == "[0]:[0]\n[1, 2]:[1]\n[3]:[]\n[]:[2]\n[4]:[3, 4, 5]\n"
    assert parse_ladder(text) == [(b.src, b.tgt) for b in beads]
    assert format_ladder([]) == ""


def test_score_by_hand() -> None:
    scores = score([(parse_ladder(PREDICTED), parse_ladder(GOLD))])
    # Precision is judged over all 5 predicted beads: exact [0]:[0], [2]:[], [3]:[3]; lax adds [1]:[1].
    assert scores.strict_precision == pytest.approx(3 / 5)
    assert scores.lax_precision == pytest.approx(4 / 5)
    # Recall over the 3 gold beads with both sides: [1]:[1, 2] is missed strictly but found laxly.
    assert scores.strict_recall == pytest.approx(2 / 3)
    assert scores.lax_recall == pytest.approx(3 / 3)
    assert scores.strict_f1 == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))
    assert scores.lax_f1 == pytest.approx(2 * 0.8 * 1.0 / 1.8)


def test_deletions_count_in_precision_but_not_in_recall() -> None:
    gold = [((0,), (0,)), ((1,), ())]
    right = score([([((0,), (0,)), ((1,), ())], gold)])
    wrong = score([([((0,), (0,)), ((), (1,))], gold)])  # predicts an insertion where gold has a deletion
    assert (right.strict_precision, right.strict_recall) == (1.0, 1.0)
    assert (wrong.strict_precision, wrong.strict_recall) == (0.5, 1.0)


def test_a_merge_that_covers_a_gold_link_is_a_lax_only_match() -> None:
    gold = [((0,), (0,)), ((1,), ())]
    scores = score([([((0, 1), (0,))], gold)])
    assert (scores.strict_precision, scores.strict_recall, scores.strict_f1) == (0.0, 0.0, 0.0)
    assert (scores.lax_precision, scores.lax_recall, scores.lax_f1) == (1.0, 1.0, 1.0)


def test_counts_are_pooled_over_documents_not_averaged() -> None:
    gold_a, gold_b = [((0,), (0,))], [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    pred_a, pred_b = [((0,), (0,))], [((0,), (1,)), ((1,), (2,)), ((2,), (0,))]
    scores = score([(pred_a, gold_a), (pred_b, gold_b)])
    assert scores.strict_precision == pytest.approx(1 / 4)  # an average per document would give 1/2
    assert scores.strict_recall == pytest.approx(1 / 4)


def test_nothing_to_score_gives_zeros_not_a_division_error() -> None:
    assert score([]) == Scores(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert score([([((), ())], [])]).strict_precision == 0.0


def test_as_dict_rounds_for_json() -> None:
    scores = score([(parse_ladder(PREDICTED), parse_ladder(GOLD))])
    assert scores.as_dict() == {
        "strict_precision": 0.6,
        "strict_recall": 0.6667,
        "strict_f1": 0.6316,
        "lax_precision": 0.8,
        "lax_recall": 1.0,
        "lax_f1": 0.8889,
    }


def test_read_ladder_reports_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_ladder(tmp_path / "missing")
    bad = tmp_path / "001"
    bad.write_text("[0]:[0]\nnonsense\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"^{bad}:2: "):
        read_ladder(bad)


def test_ladder_pairs_matches_directories_by_file_name(tmp_path: Path) -> None:
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    pred.mkdir()
    gold.mkdir()
    for name, text in (("001", "[0]:[0]\n"), ("002", "[0]:[]\n")):
        (gold / name).write_text(text, encoding="utf-8")
        (pred / name).write_text(text, encoding="utf-8")
    (gold / ".hidden").write_text("not a ladder", encoding="utf-8")
    (pred / "extra").write_text("[5]:[5]\n", encoding="utf-8")  # predictions without gold are ignored
    assert ladder_pairs(pred, gold) == [
        ([((0,), (0,))], [((0,), (0,))]),
        ([((0,), ())], [((0,), ())]),
    ]
    assert ladder_pairs(pred / "001", gold / "002") == [([((0,), (0,))], [((0,), ())])]


def test_ladder_pairs_errors(tmp_path: Path) -> None:
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    pred.mkdir()
    gold.mkdir()
    with pytest.raises(InputError, match="no ladder files"):
        ladder_pairs(pred, gold)
    (gold / "001").write_text("[0]:[0]\n", encoding="utf-8")
    (gold / "002").write_text("[0]:[0]\n", encoding="utf-8")
    (pred / "002").write_text("[0]:[0]\n", encoding="utf-8")
    with pytest.raises(InputError, match="no prediction for 001$"):
        ladder_pairs(pred, gold)
    with pytest.raises(InputError, match="both be files or both be directories"):
        ladder_pairs(pred / "002", gold)
    with pytest.raises(InputError, match="both be files or both be directories"):
        ladder_pairs(pred, gold / "001")


def test_gold_against_itself_scores_one(shared_data: Path) -> None:
    gold = shared_data / "textberg-de-fr" / "gold"
    if not gold.is_dir():
        pytest.skip(f"Text+Berg gold not found at {gold}")
    pairs = ladder_pairs(gold, gold)
    assert len(pairs) == 7
    assert sum(len(g) for _, g in pairs) == 916  # as SOURCE.txt counts them
    assert score(pairs) == Scores(1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
