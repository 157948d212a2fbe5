"""Percentile-bootstrap confidence intervals for means over problems.

Every metric this package reports is a mean over problems of a per-problem value, so one resample of the
problems (with replacement) gives one replicate of every metric at once: the intervals are *paired*
across metrics and k. Percentiles use linear interpolation between order statistics (Hyndman-Fan type 7,
numpy's default). Means use ``math.fsum``, as the point estimates do, so a column of equal values gives
exactly that value as both bounds.
"""

from __future__ import annotations

import random
import statistics
from math import fsum
from collections.abc import Hashable, Mapping, Sequence


def bootstrap_ci95(columns: Mapping[Hashable, Sequence[float]], resamples: int,
                   seed: str) -> dict[Hashable, tuple[float, float]]:
    """95% percentile interval of the mean of each column (one value per problem, same problem order)."""
    if resamples < 2:
        raise ValueError(f"the bootstrap needs at least 2 resamples, got {resamples}")
    n = len(next(iter(columns.values())))
    if n == 0 or any(len(col) != n for col in columns.values()):
        raise ValueError("columns must be non-empty and of equal length")
    rng = random.Random(seed)
    population = range(n)
    replicates: dict[Hashable, list[float]] = {name: [] for name in columns}
    for _ in range(resamples):
        idx = rng.choices(population, k=n)
        for name, col in columns.items():
            replicates[name].append(fsum(map(col.__getitem__, idx)) / n)
    # quantiles(n=40) are the 2.5%, 5%, ..., 97.5% cut points
    return {name: (q[0], q[-1]) for name, vals in replicates.items()
            for q in [statistics.quantiles(vals, n=40, method="inclusive")]}
