"""Self-critique accuracy (Table 4) and the confusion matrix, against hand-computed values."""

import pytest

from codecritique.metrics.critique import Confusion, judgement_correct, problem_critique_correct
from codecritique.metrics.records import Sample


def s(passed, judgement, idx=0):
    return Sample("p", idx, "easy", passed, judgement, None if judgement is None else 10)


@pytest.mark.parametrize("passed, judgement, correct", [
    (True, "right", True), (False, "right", False), (True, "wrong", False), (False, "wrong", True),
    # an unparsable critique is an incorrect judgement, whatever the solution did
    (True, None, False), (False, None, False),
])
def test_judgement_correct(passed, judgement, correct):
    assert judgement_correct(s(passed, judgement)) is correct


def test_problem_is_correct_only_if_all_k_judgements_are():
    nine_correct = [s(True, "right", i) for i in range(5)] + [s(False, "wrong", i) for i in range(5, 9)]
    assert problem_critique_correct(nine_correct)
    # one wrong judgement out of 10 makes the whole problem incorrect (Table 4)
    assert not problem_critique_correct(nine_correct + [s(False, "right", 9)])
    # one unparsable critique too
    assert not problem_critique_correct(nine_correct + [s(False, None, 9)])


def test_confusion_matrix_by_hand():
    samples = [s(True, "right"), s(True, "right"), s(False, "right"), s(True, "wrong"),
               s(False, "wrong"), s(False, "wrong"), s(True, None), s(False, None)]
    c = Confusion.of(samples)
    assert c.to_dict() == {"tp": 2, "fp": 1, "fn": 1, "tn": 2, "unparsable_passed": 1, "unparsable_failed": 1}
    assert c.total == 8
    assert c.accuracy == 4 / 8  # (TP + TN) / all; unparsable counts as wrong
    assert c.precision == 2 / 3  # TP / (TP + FP)
    assert c.recall == 2 / 4  # TP / (TP + FN + unparsable&passed)
    assert (c + c).to_dict() == {"tp": 4, "fp": 2, "fn": 2, "tn": 4, "unparsable_passed": 2, "unparsable_failed": 2}


def test_undefined_rates_are_none():
    nothing_right_nothing_passes = Confusion.of([s(False, "wrong"), s(False, None)])
    assert nothing_right_nothing_passes.precision is None
    assert nothing_right_nothing_passes.recall is None
    assert nothing_right_nothing_passes.accuracy == 0.5
    assert Confusion().accuracy is None
