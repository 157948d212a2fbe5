"""Hand-computed cases for every strategy of metrics.agreement: ties, nothing passing, all alike."""

import math

import pytest

from codecritique.metrics.agreement import (Candidate, available, cascade, cluster, codet, codet_paper, p_right,
                                            random_pick, select_all)


def c(index, passed, gen=None, outputs=None, **kw):
    return Candidate(index, passed, frozenset(gen) if gen is not None else None,
                     tuple(outputs) if outputs is not None else None, **kw)


# A, B pass tests {0, 1}; C passes {0, 1, 2}; D passes nothing; E passes {3}
POOL = [c(0, False, {0, 1}), c(1, False, {0, 1}), c(2, True, {0, 1, 2}), c(3, True, set()), c(4, False, {3})]


def test_codet_released_score_prefers_more_tests():
    # sqrt(2) * 2 = 2.83 < sqrt(1) * 3 = 3 > sqrt(1) * 1
    pick = codet(POOL, [1, 1, 1, 1])
    assert pick.candidates == (2,) and pick.p_pass == 1.0 and pick.rule == "agreement"


def test_codet_paper_score_prefers_more_solutions():
    # 2 * 2 = 4 > 1 * 3 = 3
    pick = codet_paper(POOL, [1, 1, 1, 1])
    assert pick.candidates == (0, 1) and pick.p_pass == 0.0


def test_codet_counts_tests_with_multiplicity():
    # test 3 written 4 times: {3} scores 1 * 4 = 4 > 3 (released) and = 4 (paper: tie with {0, 1} -> union)
    assert codet(POOL, [1, 1, 1, 4]).candidates == (4,)
    pick = codet_paper(POOL, [1, 1, 1, 4])
    assert sorted(pick.candidates) == [0, 1, 4] and pick.p_pass == 0.0


def test_codet_tie_is_the_union_and_expectation():
    pool = [c(0, True, {0}), c(1, False, {1}), c(2, False, {1, 0} - {0, 1})]
    pick = codet(pool, [1, 1])
    assert sorted(pick.candidates) == [0, 1] and pick.p_pass == 0.5


def test_codet_nothing_passes_falls_back_to_random_over_all():
    pool = [c(0, True, set()), c(1, False, set()), c(2, False, set()), c(3, False, set())]
    pick = codet(pool, [1, 1])
    assert pick.candidates == (0, 1, 2, 3) and pick.p_pass == 0.25 and pick.rule == "fallback:random"


def test_codet_all_alike():
    pool = [c(i, i == 0, {0, 1}) for i in range(4)]
    pick = codet(pool, [2, 3])
    assert pick.candidates == (0, 1, 2, 3) and pick.p_pass == 0.25


def test_codet_without_weights_counts_each_test_once():
    assert codet(POOL).candidates == (2,)


def test_cluster_largest_group_and_crashes_left_out():
    pool = [c(0, False, outputs=["CE", "CE"]), c(1, False, outputs=["CE", "CE"]), c(2, False, outputs=["RE", "TLE"]),
            c(3, True, outputs=["a", "b"]), c(4, True, outputs=["a", "b"]), c(5, False, outputs=["a", "c"])]
    pick = cluster(pool)
    assert pick.candidates == (3, 4) and pick.p_pass == 1.0


def test_cluster_tie_and_nothing_ran():
    pool = [c(0, True, outputs=["x"]), c(1, False, outputs=["y"]), c(2, False, outputs=["RE"])]
    pick = cluster(pool)
    assert pick.candidates == (0, 1) and pick.p_pass == 0.5
    dead = [c(0, True, outputs=["CE"]), c(1, False, outputs=["TLE"])]
    pick = cluster(dead)
    assert pick.candidates == (0, 1) and pick.rule == "fallback:random"


def test_cluster_all_alike():
    pick = cluster([c(i, i < 3, outputs=["v", "w"]) for i in range(4)])
    assert pick.candidates == (0, 1, 2, 3) and pick.p_pass == 0.75


def test_p_right_highest_ties_and_missing():
    pool = [c(0, False, p_right=0.9), c(1, True, p_right=0.9), c(2, True, p_right=0.2), c(3, True)]
    pick = p_right(pool)
    assert pick.candidates == (0, 1) and pick.p_pass == 0.5
    pick = p_right([c(0, True), c(1, False)])
    assert pick.candidates == (0, 1) and pick.rule == "fallback:random"


def test_cascade_public_then_agreement_then_paper_rule():
    pool = [
        c(0, False, {0, 1, 2}, passed_public=False, judgement="right", critique_tokens=5),  # best agreement, no public
        c(1, True, {0, 1}, passed_public=True, judgement="right", critique_tokens=30),
        c(2, False, {0, 1}, passed_public=True, judgement="right", critique_tokens=10),
        c(3, True, {0, 1}, passed_public=True, judgement="wrong", critique_tokens=1),
        c(4, True, {2}, passed_public=True, judgement="right", critique_tokens=2),
    ]
    # public: 1..4; agreement among them: {0,1} x 3 solutions = 2 * sqrt(3) = 3.46 > {2}: 1; right: 1, 2;
    # shortest critique: 2 (10 tokens)
    pick = cascade(pool, [1, 1, 1])
    assert pick.candidates == (2,) and pick.p_pass == 0.0 and pick.rule == "public+agreement+shortest-critique"


def test_cascade_p_right_replaces_the_paper_rule_when_present():
    pool = [c(0, True, {0}, p_right=0.7, judgement="right"), c(1, False, {0}, p_right=0.8, judgement="wrong"),
            c(2, False, {0}, p_right=0.6, judgement="right")]
    pick = cascade(pool, [1])
    assert pick.candidates == (0,) and pick.rule == "agreement+p-right"


def test_cascade_no_layer_applies_is_random():
    pool = [c(0, True, set(), passed_public=False), c(1, False, set(), passed_public=False)]
    pick = cascade(pool, [1])
    assert pick.candidates == (0, 1) and pick.p_pass == 0.5 and pick.rule == "fallback:random"


def test_random_and_select_all_sorts_the_pool():
    pick = random_pick([c(1, True), c(0, False), c(2, False)])
    assert pick.p_pass == pytest.approx(1 / 3)
    picks = select_all({"p": [c(1, False, {0}), c(0, True, {0, 1})]}, "codet", {"p": [1, 1]})
    assert picks["p"].candidates == (0,)
    with pytest.raises(ValueError, match="no samples"):
        select_all({"p": []}, "random")


def test_available_strategies():
    assert available(set()) == ["random"]
    assert available({"generated-tests"}) == ["random", "codet", "codet-paper", "cluster", "cascade"]
    assert available({"critiques"}) == ["random", "p-right", "cascade"]


def test_codet_score_is_the_released_formula():
    from codecritique.metrics.agreement import codet_score, paper_score

    assert codet_score(4, 3) == 3 * math.sqrt(4) == 6.0 and paper_score(4, 3) == 12.0


def test_cascade_breaks_an_agreement_tie_by_outputs():
    # all pass test 0 (one consensus set); on test 1 (failed by all) two return "x", one returns "y", one crashes
    pool = [c(0, True, {0}, ["a", "x"]), c(1, True, {0}, ["a", "x"]), c(2, False, {0}, ["a", "y"]),
            c(3, False, {0}, ["a", "RE"]), c(4, False, set(), ["CE", "CE"])]
    pick = cascade(pool, [1, 1])
    assert pick.candidates == (0, 1) and pick.p_pass == 1.0 and pick.rule == "agreement+cluster"
    assert codet(pool, [1, 1]).candidates == (0, 1, 2, 3)
