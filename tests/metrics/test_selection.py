"""Selection strategies: candidates, exact expected pass, fallbacks and seeded draws, worked out by hand."""

import pytest

from codecritique.metrics.selection import STRATEGIES, StrategyUnavailable, select, unavailable_reason
from codecritique.metrics.records import Sample


def pool(*specs, pid="p"):
    """specs: (passed, judgement, tokens[, passed_public[, output_signature]]), sample_index = position."""
    out = []
    for i, (passed, judgement, tokens, *rest) in enumerate(specs):
        public = rest[0] if rest else None
        signature = rest[1] if len(rest) > 1 else None
        out.append(Sample(pid, i, "easy", passed, judgement, tokens, passed_public=public,
                          output_signature=signature))
    return out


def test_registered_strategies():
    assert list(STRATEGIES) == ["shortest-critique", "random-right", "public-tests+critique", "majority-output",
                                "codet", "cluster", "p-right", "cascade"]  # the last four: metrics.agreement


def test_shortest_critique_picks_the_shortest_right_critique():
    samples = pool((False, "right", 300), (True, "right", 200), (True, "wrong", 100), (False, "right", 250))
    sel = select(samples, "shortest-critique")
    # the wrong-judged sample 2 has the shortest critique but is not a candidate
    assert sel.candidates == (1,) and sel.p_pass == 1.0
    assert sel.selected == 1 and sel.selected_passed is True and sel.fallbacks == ()
    samples[1] = Sample("p", 1, "easy", True, "right", 260)
    sel = select(samples, "shortest-critique")
    assert sel.candidates == (3,) and sel.p_pass == 0.0


def test_tie_in_critique_length_is_an_exact_expectation_and_a_seeded_draw():
    samples = pool((True, "right", 200), (False, "right", 200), (True, "right", 200), (False, "right", 300))
    sel = select(samples, "shortest-critique", seed=7)
    assert sel.candidates == (0, 1, 2)
    assert sel.p_pass == 2 / 3  # 2 of the 3 tied candidates pass
    assert sel.selected in (0, 1, 2) and sel.selected_passed == samples[sel.selected].passed
    # deterministic given the seed, whatever the order of the input
    assert select(list(reversed(samples)), "shortest-critique", seed=7) == sel
    # over seeds, every tied candidate gets drawn, and p_pass never changes
    draws = {select(samples, "shortest-critique", seed=seed) for seed in range(60)}
    assert {d.selected for d in draws} == {0, 1, 2}
    assert {d.p_pass for d in draws} == {2 / 3}


def test_nothing_judged_right_falls_back_to_random_by_default():
    samples = pool((True, "wrong", 400), (False, "wrong", 100), (False, None, None), (False, "wrong", 100))
    sel = select(samples, "shortest-critique")
    assert sel.fallbacks == ("random",)
    assert sel.candidates == (0, 1, 2, 3) and sel.p_pass == 1 / 4
    assert select(samples, "random-right").fallbacks == ("random",)


def test_shortest_wrong_fallback():
    samples = pool((False, "wrong", 400), (True, "wrong", 100), (False, "wrong", 100), (False, None, None))
    sel = select(samples, "shortest-critique", fallback="shortest-wrong")
    assert sel.fallbacks == ("shortest-wrong",)
    assert sel.candidates == (1, 2) and sel.p_pass == 0.5
    # every critique unparsable: shortest-wrong has nothing either and falls back to random
    unparsable = pool((True, None, None), (False, None, None), (False, None, None))
    sel = select(unparsable, "shortest-critique", fallback="shortest-wrong")
    assert sel.fallbacks == ("shortest-wrong", "random") and sel.p_pass == 1 / 3


def test_first_fallback_takes_the_lowest_sample_index():
    samples = [Sample("p", i, "easy", i == 3, "wrong", 5) for i in (5, 3, 8)]
    sel = select(samples, "random-right", fallback="first")
    assert sel.fallbacks == ("first",) and sel.candidates == (3,) and sel.p_pass == 1.0


def test_all_right():
    samples = pool((True, "right", 50), (False, "right", 40), (True, "right", 60))
    assert select(samples, "shortest-critique").candidates == (1,)
    assert select(samples, "shortest-critique").p_pass == 0.0
    # random among all three, since all are judged right
    assert select(samples, "random-right").p_pass == 2 / 3


def test_random_right_is_the_expectation_over_right_judged_only():
    samples = pool((True, "right", 1), (True, "wrong", 1), (False, "right", 1), (True, "right", 1),
                   (True, "right", 1), (False, None, None))
    sel = select(samples, "random-right")
    # right-judged: 0 (pass), 2 (fail), 3 (pass), 4 (pass) -> 3/4; the passing wrong-judged 1 is excluded
    assert sel.candidates == (0, 2, 3, 4) and sel.p_pass == 3 / 4 and sel.fallbacks == ()


def test_public_tests_then_shortest_critique():
    samples = pool((False, "right", 500, True), (True, "right", 900, True), (False, "right", 10, False),
                   (True, "wrong", 5, False))
    sel = select(samples, "public-tests+critique")
    # among public passers {0, 1} the shortest right critique is 0; plain shortest-critique would pick 2
    assert sel.candidates == (0,) and sel.p_pass == 0.0 and sel.fallbacks == ()
    assert select(samples, "shortest-critique").candidates == (2,)


def test_public_tests_fallbacks():
    # public passers exist but none is judged right: the fallback ranges over the public passers
    samples = pool((True, "wrong", 5, True), (False, "wrong", 5, True), (False, "right", 1, False))
    sel = select(samples, "public-tests+critique")
    assert sel.fallbacks == ("random",) and sel.candidates == (0, 1) and sel.p_pass == 0.5
    # nobody passes the sample tests: shortest-critique over all
    samples = pool((True, "right", 5, False), (False, "right", 1, False), (True, "wrong", 1, False))
    sel = select(samples, "public-tests+critique")
    assert sel.fallbacks == ("no-public-pass",) and sel.candidates == (1,) and sel.p_pass == 0.0
    samples = pool((True, "wrong", 5, False), (False, "wrong", 1, False))
    sel = select(samples, "public-tests+critique")
    assert sel.fallbacks == ("no-public-pass", "random") and sel.p_pass == 0.5


def test_majority_output():
    samples = pool(*[(p, "wrong", 1, None, sig) for p, sig in
                     [(True, "a"), (False, "a"), (True, "b"), (True, "a"), (False, "c")]])
    sel = select(samples, "majority-output")
    assert sel.candidates == (0, 1, 3) and sel.p_pass == 2 / 3 and sel.fallbacks == ()


def test_majority_output_tied_clusters():
    samples = pool(*[(p, "right", 1, None, sig) for p, sig in
                     [(True, "a"), (True, "a"), (False, "b"), (True, "b"), (False, "c")]])
    sel = select(samples, "majority-output", seed=3)
    # clusters a (2/2 pass) and b (1/2 pass) tie: a uniform cluster then a uniform member = (1 + 1/2) / 2
    assert sel.candidates == (0, 1, 2, 3) and sel.p_pass == 0.75
    assert sel == select(samples, "majority-output", seed=3)


def test_strategies_needing_a_missing_field_are_unavailable():
    samples = pool((True, "right", 1, True, "x"), (True, "right", 1, None, None), (True, "right", 1, True, None))
    assert unavailable_reason("shortest-critique", samples) is None
    assert unavailable_reason("public-tests+critique", samples) == (
        "needs field 'passed_public' on every record; missing on 1 of 3 samples")
    assert "missing on 2 of 3" in unavailable_reason("majority-output", samples)
    with pytest.raises(StrategyUnavailable, match="'majority-output' is unavailable: needs field 'output_signature'"):
        select(samples, "majority-output")


def test_bad_arguments():
    samples = pool((True, "right", 1))
    with pytest.raises(ValueError, match="unknown selection strategy 'oracle'"):
        select(samples, "oracle")
    with pytest.raises(ValueError, match="unknown fallback 'last'"):
        select(samples, fallback="last")
    with pytest.raises(ValueError, match="at least one sample"):
        select([])
    with pytest.raises(ValueError, match="one problem"):
        select(samples + pool((True, "right", 1), pid="q"))
