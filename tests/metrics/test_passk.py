"""pass@k and pass@1 against hand-computed values (spec §4 "Metrics")."""

from fractions import Fraction
from math import comb

import pytest

from codecritique.metrics.passk import pass_at_1, pass_at_k


@pytest.mark.parametrize("n, c, k, expected", [
    # 1 - C(7,5)/C(10,5) = 1 - 21/252 = 11/12
    (10, 3, 5, 11 / 12),
    # k = 1 is the pass rate c/n, exactly
    (10, 3, 1, 0.3),
    # 1 - C(3,2)/C(4,2) = 1 - 3/6
    (4, 1, 2, 0.5),
    # no passing sample: 0; fewer failing samples than k: every k-subset contains a pass
    (5, 0, 3, 0.0),
    (5, 3, 3, 1.0),
    # n = k: "at least one of the k passes"
    (10, 1, 10, 1.0),
    (10, 0, 10, 0.0),
    # C(199,100)/C(200,100) = 100/200: huge binomials, no overflow
    (200, 1, 100, 0.5),
])
def test_pass_at_k_known_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == expected


def test_pass_at_k_is_the_exact_estimator_rounded_once():
    for n in range(1, 16):
        for c in range(n + 1):
            for k in range(1, n + 1):
                exact = 1 - Fraction(comb(n - c, k), comb(n, k))
                assert pass_at_k(n, c, k) == float(exact), (n, c, k)
    assert pass_at_k(1000, 500, 500) == float(1 - Fraction(comb(500, 500), comb(1000, 500)))


@pytest.mark.parametrize("n, c, k", [(10, 3, 11), (10, 3, 0), (10, 11, 1), (10, -1, 1)])
def test_pass_at_k_rejects_undefined_arguments(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


def test_pass_at_1_is_the_mean_over_samples():
    assert pass_at_1([True, False, False, True]) == 0.5
    assert pass_at_1([False] * 3) == 0.0
    with pytest.raises(ValueError):
        pass_at_1([])
