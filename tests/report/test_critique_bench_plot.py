"""The critique-bench accuracy figure at the edges of its intervals (0% and 100%), where rounding puts the Wilson
interval's end a hair inside the value: matplotlib refuses a negative error bar, and the report step died on it."""
import pytest

pytest.importorskip("matplotlib")

from codecritique.report.critique_bench import plot_accuracy


def _group(correct: int, n: int) -> dict:
    return {"accuracy": correct / n, "correct": correct, "n": n}


@pytest.mark.parametrize("n", [3, 6, 7, 10, 12])  # sizes whose 0% lower or 100% upper end is off by rounding
def test_accuracy_plot_at_zero_and_full_accuracy(n):
    metrics = {"by_difficulty": {"easy": {}, "hard": {}},
               "by_language_difficulty": {"python": {"easy": _group(0, n), "hard": _group(n, n)},
                                          "cpp": {"easy": _group(n, n)}}}  # cpp has no hard problems: no bar
    png = plot_accuracy(metrics)
    assert png is not None and png.startswith(b"\x89PNG")
