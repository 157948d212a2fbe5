"""The Figure 3 / Figure 5 PNGs are written (their look was checked by eye)."""

import pytest

pytest.importorskip("matplotlib")

from codecritique.metrics.records import Sample  # noqa: E402
from codecritique.metrics.summary import compute_metrics, curves  # noqa: E402
from codecritique.report.plots import plot_scaling_curves, plot_selection_bars  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def records():
    rows = [(True, "right", 30), (False, "right", 10), (True, "wrong", 5), (False, None, None), (True, "right", 30)]
    return [Sample(p, i, d, passed, j, t) for p, d in [("a", "easy"), ("b", "hard")]
            for i, (passed, j, t) in enumerate(rows)]


@pytest.mark.parametrize("bootstrap", [0, 50])
def test_scaling_curves_png(tmp_path, bootstrap):
    path = plot_scaling_curves(curves(records(), bootstrap=bootstrap), tmp_path / "fig3.png")
    assert path.read_bytes().startswith(PNG) and path.stat().st_size > 10_000


def test_selection_bars_png(tmp_path):
    runs = {"run-a": compute_metrics(records(), bootstrap=50), "run-b": compute_metrics(records(), k=3, bootstrap=0)}
    path = plot_selection_bars(runs, tmp_path / "fig5.png")
    assert path.read_bytes().startswith(PNG) and path.stat().st_size > 10_000


def test_selection_bars_name_a_missing_strategy(tmp_path):
    run = compute_metrics(records(), strategies=["shortest-critique"], bootstrap=0)
    with pytest.raises(ValueError, match="no pass@1\\|select@k for 'random-right'"):
        plot_selection_bars({"r": run}, tmp_path / "fig5.png", strategies=["random-right"])
