"""Self-critique accuracy (Table 4, OCR-II paper §5.1).

A judgement is correct iff ``right`` <=> the solution passes all unit tests. An unparsable critique
(judgement None) is counted as an incorrect judgement: the paper discards such critiques when building data
(OCR-II paper §2.1.3) but does not say how they count at evaluation time; counting them as wrong is the
only choice that cannot inflate accuracy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codecritique.metrics.records import Sample


def judgement_correct(sample: Sample) -> bool:
    """Whether one critique judged its solution correctly; an unparsable critique never does."""
    if sample.judgement is None:
        return False
    return (sample.judgement == "right") == sample.passed


def problem_critique_correct(samples: Sequence[Sample]) -> bool:
    """Table 4's per-problem rule: correct iff it "accurately judges the correctness of all generated
    solutions (k unless otherwise mentioned) for a given input question" (OCR-II paper §5.1)."""
    return all(judgement_correct(s) for s in samples)


@dataclass(frozen=True)
class Confusion:
    """Judgements against execution, with ``right`` as the positive class."""

    tp: int = 0  # right & passed
    fp: int = 0  # right & failed
    fn: int = 0  # wrong & passed
    tn: int = 0  # wrong & failed
    unparsable_passed: int = 0
    unparsable_failed: int = 0

    @classmethod
    def of(cls, samples: Iterable[Sample]) -> "Confusion":
        counts = dict.fromkeys(("tp", "fp", "fn", "tn", "unparsable_passed", "unparsable_failed"), 0)
        for s in samples:
            if s.judgement is None:
                key = "unparsable_passed" if s.passed else "unparsable_failed"
            elif s.judgement == "right":
                key = "tp" if s.passed else "fp"
            else:
                key = "fn" if s.passed else "tn"
            counts[key] += 1
        return cls(**counts)

    def __add__(self, other: "Confusion") -> "Confusion":
        return Confusion(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple())))

    def as_tuple(self) -> tuple[int, ...]:
        return (self.tp, self.fp, self.fn, self.tn, self.unparsable_passed, self.unparsable_failed)

    @property
    def total(self) -> int:
        return sum(self.as_tuple())

    @property
    def accuracy(self) -> float | None:
        """Per-solution accuracy, (TP + TN) / all; unparsable critiques count as wrong judgements."""
        return (self.tp + self.tn) / self.total if self.total else None

    @property
    def precision(self) -> float | None:
        """Of the solutions judged ``right``, the fraction that pass; None if none was judged right."""
        judged_right = self.tp + self.fp
        return self.tp / judged_right if judged_right else None

    @property
    def recall(self) -> float | None:
        """Of the passing solutions, the fraction judged ``right`` (an unparsable critique is a miss);
        None if no solution passes."""
        passing = self.tp + self.fn + self.unparsable_passed
        return self.tp / passing if passing else None

    def to_dict(self) -> dict[str, int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "unparsable_passed": self.unparsable_passed, "unparsable_failed": self.unparsable_failed}


def wilson_ci95(successes: int, n: int) -> tuple[float, float] | None:
    """The Wilson score 95% interval of a proportion (``successes`` of ``n``); None when n = 0. Used for the
    critique-accuracy benchmark, whose solutions are independent draws (one per problem, language and label)."""
    if n <= 0:
        return None
    z = 1.959963984540054
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
