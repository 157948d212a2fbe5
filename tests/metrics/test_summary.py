"""compute_metrics and curves on a small data set worked out by hand.

Three problems of k = 4 samples, (passed, judgement, critique_reasoning_tokens) per sample_index 0..3:

  A (easy):  (T, right, 300) (F, right, 100) (T, wrong, 50) (T, right, 200)
  B (hard):  (F, wrong, 10)  (F, wrong, 20)  (T, wrong, 30) (F, null, null)
  C (easy):  (T, right, 100) (T, right, 100) (F, wrong, 70) (F, wrong, 80)

k = 4:
  pass@1:            A 3/4, B 1/4, C 2/4                       -> overall 1/2
  pass@4:            1 for each (each has a pass)              -> 1
  shortest-critique: A -> sample 1 (100 tok, fails) = 0;
                     B: nothing right -> random fallback = 1/4;
                     C: tie at 100 between 0 and 1, both pass = 1 -> (0 + 1/4 + 1) / 3 = 5/12
  random-right:      A: right = {0 T, 1 F, 3 T} = 2/3; B 1/4; C 1  -> (2/3 + 1/4 + 1) / 3 = 23/36
  Table 4:           A: sample 1 judged right but fails -> no; B: 2 judged wrong but passes -> no;
                     C: all four correct -> yes                -> 1/3
  per solution:      A 2/4, B 2/4 (3 is unparsable), C 4/4    -> 8/12 = 2/3
  confusion:         tp 4 (A0 A3 C0 C1), fp 1 (A1), fn 2 (A2 B2), tn 4 (B0 B1 C2 C3), unparsable&failed 1 (B3)
  precision 4/5, recall 4/(4+2) = 2/3
  easy (A, C): pass@1 5/8, shortest 1/2, random-right 5/6, Table 4 1/2, per solution 3/4
  hard (B):    pass@1 1/4, shortest 1/4, random-right 1/4, Table 4 0,   per solution 1/2

k = 2 (first two samples):
  A: (T, right, 300) (F, right, 100): pass@1 1/2, pass@2 1, shortest 0, random-right 1/2, Table 4 no, 1/2
  B: (F, wrong) (F, wrong):          pass@1 0,   pass@2 0, shortest 0 (random fallback), Table 4 YES, 1
  C: (T, right, 100) x2:             pass@1 1,   pass@2 1, shortest 1, random-right 1, Table 4 yes, 1
  -> pass@1 1/2, pass@2 2/3, shortest 1/3, random-right 1/2, Table 4 2/3, per solution 5/6
"""

import json

import pytest

from codecritique.metrics.selection import StrategyUnavailable, select
from codecritique.errors import DataError
from codecritique.metrics.bootstrap import bootstrap_ci95
from codecritique.metrics.records import Sample
from codecritique.metrics.summary import compute_metrics, curve_ks, curves, per_problem, reported_ks

T, F = True, False
TABLE = {
    ("A", "easy"): [(T, "right", 300), (F, "right", 100), (T, "wrong", 50), (T, "right", 200)],
    ("B", "hard"): [(F, "wrong", 10), (F, "wrong", 20), (T, "wrong", 30), (F, None, None)],
    ("C", "easy"): [(T, "right", 100), (T, "right", 100), (F, "wrong", 70), (F, "wrong", 80)],
}
STRATS = ["shortest-critique", "random-right"]


def records(table=TABLE, **extra):
    return [Sample(pid, i, difficulty, passed, judgement, tokens, **extra)
            for (pid, difficulty), rows in table.items() for i, (passed, judgement, tokens) in enumerate(rows)]


def approx(x):
    return pytest.approx(x, abs=1e-12)


def test_reported_ks():
    assert reported_ks(1) == [1]
    assert reported_ks(4) == [1, 4]
    assert reported_ks(10) == [1, 5, 10]
    assert reported_ks(12) == [1, 5, 10, 12]
    assert reported_ks(100) == [1, 5, 10, 20, 50, 100]


def test_overall_metrics_by_hand():
    out = compute_metrics(records(), bootstrap=0)
    assert (out["n_problems"], out["k"], out["fallback"], out["dropped_problems"]) == (3, 4, "random", [])
    m = out["overall"]
    assert m["n_problems"] == 3 and m["n_samples"] == 12
    assert m["pass@1"] == approx(1 / 2)
    assert m["pass@k"] == {"1": approx(1 / 2), "4": 1.0}
    assert m["pass@1|select@k"] == {"shortest-critique": approx(5 / 12), "random-right": approx(23 / 36)}
    assert m["critique_accuracy_problem"] == approx(1 / 3)
    assert m["critique_accuracy_solution"] == approx(2 / 3)
    assert m["confusion"] == {"tp": 4, "fp": 1, "fn": 2, "tn": 4, "unparsable_passed": 0, "unparsable_failed": 1}
    assert m["precision_right"] == approx(4 / 5) and m["recall_right"] == approx(2 / 3)
    # only B has nothing judged right
    assert m["selection"]["shortest-critique"]["fallbacks"] == {"random": 1}
    assert m["selection"]["random-right"]["fallbacks"] == {"random": 1}
    assert "ci95" not in m


def test_by_difficulty_by_hand():
    by = compute_metrics(records(), bootstrap=0)["by_difficulty"]
    assert list(by) == ["easy", "hard"]
    easy, hard = by["easy"], by["hard"]
    assert easy["n_problems"] == 2 and hard["n_problems"] == 1
    assert (easy["pass@1"], hard["pass@1"]) == (approx(5 / 8), approx(1 / 4))
    assert easy["pass@1|select@k"] == {"shortest-critique": approx(1 / 2), "random-right": approx(5 / 6)}
    assert hard["pass@1|select@k"] == {"shortest-critique": approx(1 / 4), "random-right": approx(1 / 4)}
    assert (easy["critique_accuracy_problem"], hard["critique_accuracy_problem"]) == (approx(1 / 2), 0.0)
    assert (easy["critique_accuracy_solution"], hard["critique_accuracy_solution"]) == (approx(3 / 4), approx(1 / 2))
    assert easy["selection"]["shortest-critique"]["fallbacks"] == {}
    assert hard["selection"]["shortest-critique"]["fallbacks"] == {"random": 1}


def test_k_truncation_uses_the_first_k_samples():
    out = compute_metrics(records(), k=2, bootstrap=0)
    m = out["overall"]
    assert out["k"] == 2 and m["n_samples"] == 6
    assert m["pass@1"] == approx(1 / 2)
    assert m["pass@k"] == {"1": approx(1 / 2), "2": approx(2 / 3)}
    assert m["pass@1|select@k"] == {"shortest-critique": approx(1 / 3), "random-right": approx(1 / 2)}
    # B's first two judgements are both correct: truncation changes the Table 4 verdict
    assert m["critique_accuracy_problem"] == approx(2 / 3)
    assert m["critique_accuracy_solution"] == approx(5 / 6)


def test_seeded_draw_is_reported_next_to_the_expectation():
    out = compute_metrics(records(), bootstrap=0, seed=5)
    expected = sum(select(samples, "shortest-critique", seed=5).selected_passed
                   for samples in ([r for r in records() if r.problem_id == p] for p in "ABC")) / 3
    assert out["overall"]["selection"]["shortest-critique"]["seeded_draw"] == approx(expected)
    # only B's draw is random (A's candidate fails, C's two candidates pass): 1/3 or 2/3
    assert expected in (approx(1 / 3), approx(2 / 3))


def test_strategies_default_to_those_the_records_allow():
    out = compute_metrics(records(), bootstrap=0)
    assert list(out["overall"]["pass@1|select@k"]) == STRATS
    # (codet, cluster, p-right, cascade need generated tests or P(right): tests/selection/test_run_selection.py)
    assert set(out["strategies_unavailable"]) == {"public-tests+critique", "majority-output", "codet", "cluster",
                                                  "p-right", "cascade"}
    assert "missing on 12 of 12 samples" in out["strategies_unavailable"]["majority-output"]
    with pytest.raises(StrategyUnavailable, match="public-tests\\+critique"):
        compute_metrics(records(), strategies=["public-tests+critique"], bootstrap=0)
    # with the fields present every strategy runs
    full = compute_metrics(records(passed_public=True, output_signature="same"), bootstrap=0)
    assert set(full["strategies_unavailable"]) == {"codet", "cluster", "p-right", "cascade"}
    # every solution passes the (fake) sample tests, so public-tests+critique equals shortest-critique;
    # one cluster holding all four samples makes majority-output equal pass@1
    sel = full["overall"]["pass@1|select@k"]
    assert sel["public-tests+critique"] == sel["shortest-critique"] == approx(5 / 12)
    assert sel["majority-output"] == approx(1 / 2)


def test_explicit_strategy_list_and_unknown_names():
    out = compute_metrics(records(), strategies=["random-right"], bootstrap=0)
    assert list(out["overall"]["pass@1|select@k"]) == ["random-right"]
    with pytest.raises(ValueError, match="unknown selection strategy 'oracle'"):
        compute_metrics(records(), strategies=["oracle"], bootstrap=0)


def test_fallback_choice_changes_only_fallback_problems():
    out = compute_metrics(records(), fallback="first", bootstrap=0)
    # B falls back to its sample 0, which fails: (0 + 0 + 1) / 3
    assert out["overall"]["pass@1|select@k"]["shortest-critique"] == approx(1 / 3)
    assert out["overall"]["selection"]["shortest-critique"]["fallbacks"] == {"first": 1}
    out = compute_metrics(records(), fallback="shortest-wrong", bootstrap=0)
    # B's shortest wrong critique is sample 0 (10 tokens), which fails
    assert out["overall"]["pass@1|select@k"]["random-right"] == approx((2 / 3 + 0 + 1) / 3)


def test_short_problems():
    table = {**TABLE, ("D", "medium"): [(T, "right", 1)] * 3}
    with pytest.raises(DataError, match="problem 'D' has 3 samples, fewer than k=4"):
        compute_metrics(records(table), bootstrap=0)
    out = compute_metrics(records(table), drop_short=True, bootstrap=0)
    assert out["dropped_problems"] == ["D"] and out["n_problems"] == 3
    assert "medium" not in out["by_difficulty"]
    assert out["overall"]["pass@1"] == approx(1 / 2)


def test_bootstrap_intervals():
    out = compute_metrics(records(), bootstrap=200, seed=1)
    ci = out["overall"]["ci95"]
    assert set(ci) == {"pass@1", "pass@k", "pass@1|select@k", "critique_accuracy_problem",
                       "critique_accuracy_solution"}
    m = out["overall"]
    for key in ("pass@1", "critique_accuracy_problem", "critique_accuracy_solution"):
        assert ci[key][0] <= m[key] <= ci[key][1]
    # every problem has pass@4 = 1: the interval is degenerate
    assert ci["pass@k"]["4"] == [1.0, 1.0]
    # B alone: every resample is B
    assert out["by_difficulty"]["hard"]["ci95"]["pass@1"] == [0.25, 0.25]
    assert compute_metrics(records(), bootstrap=200, seed=1) == out
    assert json.loads(json.dumps(out)) == out


def test_bootstrap_ci95_percentiles():
    # values 0 and 1: resampled means of two problems are 0, 1/2 or 1; with 400 resamples both
    # extremes occur well over 2.5% of the time, so the interval is [0, 1]
    assert bootstrap_ci95({"x": [0.0, 1.0]}, 400, "s") == {"x": (0.0, 1.0)}
    a = bootstrap_ci95({"x": [0.0, 0.5, 1.0, 0.25] * 5}, 300, "s")
    assert a == bootstrap_ci95({"x": [0.0, 0.5, 1.0, 0.25] * 5}, 300, "s")
    assert a != bootstrap_ci95({"x": [0.0, 0.5, 1.0, 0.25] * 5}, 300, "t")
    with pytest.raises(ValueError):
        bootstrap_ci95({"x": [1.0]}, 1, "s")


def test_curve_ks():
    assert curve_ks(4) == [1, 2, 3, 4]
    assert curve_ks(12) == [*range(1, 11), 12]
    assert curve_ks(100) == [*range(1, 11), 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100]


def test_curves_by_hand():
    c = curves(records(), ks=[1, 2, 4], bootstrap=0)
    assert (c["n"], c["ks"], c["n_problems"]) == (4, [1, 2, 4], 3)
    # first k samples: A passes T F T T, B F F T F, C T T F F
    assert c["pass@1"]["value"] == [approx(2 / 3), approx(1 / 2), approx(1 / 2)]
    assert c["pass@k"]["value"] == [approx(2 / 3), approx(2 / 3), 1.0]
    # select@1 takes each first sample: A passes (right), B fails (random over {B0}), C passes
    assert c["pass@1|select@k"]["shortest-critique"]["value"] == [approx(2 / 3), approx(1 / 3), approx(5 / 12)]
    assert c["pass@1|select@k"]["random-right"]["value"] == [approx(2 / 3), approx(1 / 2), approx(23 / 36)]
    assert "first k samples" in c["definition"]


def test_curves_meet_at_k1_and_selection_never_beats_pass_at_k():
    c = curves(records(), bootstrap=0)
    first = {c["pass@1"]["value"][0], c["pass@k"]["value"][0],
             *(v["value"][0] for v in c["pass@1|select@k"].values())}
    assert len(first) == 1
    for v in c["pass@1|select@k"].values():
        assert all(s <= p + 1e-12 for s, p in zip(v["value"], c["pass@k"]["value"]))


def test_curves_agree_with_compute_metrics_at_each_k():
    c = curves(records(), bootstrap=0)
    for i, k in enumerate(c["ks"]):
        m = compute_metrics(records(), k=k, bootstrap=0)["overall"]
        assert c["pass@1"]["value"][i] == approx(m["pass@1"])
        assert c["pass@k"]["value"][i] == approx(m["pass@k"][str(k)])
        for name in STRATS:
            assert c["pass@1|select@k"][name]["value"][i] == m["pass@1|select@k"][name]


def test_curves_intervals_and_errors():
    c = curves(records(), bootstrap=100)
    assert len(c["pass@k"]["ci95"]) == 4 and len(c["pass@1"]["ci95"]) == 4
    assert c["pass@k"]["ci95"][-1] == [1.0, 1.0]
    with pytest.raises(ValueError, match="ks must lie in 1..4"):
        curves(records(), ks=[5], bootstrap=0)


def test_per_problem_rows_for_auditing():
    rows = per_problem(records(), strategies=["shortest-critique"], seed=2)
    assert [r["problem_id"] for r in rows] == ["A", "B", "C"]
    a, b, c = rows
    assert (a["k"], a["n_passed"], a["critique_correct"]) == (4, 3, False)
    assert a["selections"]["shortest-critique"] == {
        "candidates": [1], "p_pass": 0.0, "selected": 1, "selected_passed": False, "fallbacks": []}
    assert b["selections"]["shortest-critique"]["fallbacks"] == ["random"]
    assert b["selections"]["shortest-critique"]["p_pass"] == 0.25
    assert c["critique_correct"] is True and c["selections"]["shortest-critique"]["candidates"] == [0, 1]
    assert per_problem(records(), k=2, strategies=["shortest-critique"])[1]["critique_correct"] is True
