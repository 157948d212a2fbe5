"""pass@k and pass@1 (OCR-II paper §3-4, Tables 2-3)."""

from __future__ import annotations

from collections.abc import Sequence


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples of which c pass: ``1 - C(n-c, k) / C(n, k)``.

    The paper measures coverage with pass@k (OCR-II paper §3) without a formula; the authors' tooling uses this
    estimator (Chen et al. 2021; LCBF ``estimate_pass_at_k``, NeMo-Skills ``_compute_pass_at_k``), which for
    n = k is "at least one of the k samples passes". Computed in the product form
    ``1 - prod_{i=n-c+1}^{n} (1 - k/i)`` in exact integer arithmetic and rounded once, so it neither overflows
    nor cancels for any n, and pass_at_k(n, c, 1) == c / n exactly. Defined only for 1 <= k <= n.
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass@k needs 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    num = den = 1  # prod (1 - k/i) = prod (i - k) / prod i
    for i in range(n - c + 1, n + 1):
        num *= i - k
        den *= i
    return (den - num) / den


def pass_at_1(passed: Sequence[bool]) -> float:
    """pass@1 of one problem: the mean over its samples of "passes all tests" (Table 3 of the paper uses 10)."""
    if not passed:
        raise ValueError("pass@1 needs at least one sample")
    return sum(passed) / len(passed)
