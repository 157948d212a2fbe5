"""PNG figures of self-critique test-time scaling: Figure 3 (scaling with k) and Figure 5 (selection
methods per model) of the OCR-II paper (§5.1, App. A). Needs matplotlib (the ``report`` extra); uses the
object-oriented API only, so it never touches pyplot's global state or the interactive backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from matplotlib.ticker import MaxNLocator

# one colour per series, the same in both figures (pass@1 grey, pass@k black, strategies in table order)
_STRATEGY_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
PASS1_COLOR, PASSK_COLOR = "#7f7f7f", "#000000"


def _pct(values: Sequence[float]) -> list[float]:
    return [100 * v for v in values]


def plot_scaling_curves(curves: Mapping[str, Any], path: str | Path, *, title: str | None = None) -> Path:
    """Figure 3: pass@1, pass@k and pass@1|select@k per strategy against k, every point on the same first-k
    samples (``curves["definition"]``).

    ``curves`` is the output of :func:`codecritique.metrics.summary.curves`; its 95% intervals, when present, are
    drawn as error bars, each series nudged sideways a little so that they do not hide one another (bands of
    several series overlap into an unreadable brown). The legend sits below the axes, never over the curves.
    """
    ks = curves["ks"]
    strategies = list(curves["pass@1|select@k"])
    series = [("pass@1", curves["pass@1"], PASS1_COLOR, "--"), ("pass@k", curves["pass@k"], PASSK_COLOR, "-")]
    series += [(f"pass@1|select@k {name}", curves["pass@1|select@k"][name],
                _STRATEGY_COLORS[i % len(_STRATEGY_COLORS)], "-") for i, name in enumerate(strategies)]
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.add_subplot()
    gap = min((b - a for a, b in zip(ks, ks[1:])), default=1)
    step = 0.45 * gap / max(1, len(series))  # the series' error bars side by side within 45% of a k step
    for i, (label, data, color, style) in enumerate(series):
        xs = [k + (i - (len(series) - 1) / 2) * step for k in ks] if "ci95" in data else ks
        ys = _pct(data["value"])
        ax.plot(xs, ys, linestyle=style, marker="o", markersize=3.5, color=color, label=label, linewidth=1.5)
        if "ci95" in data:
            lo, hi = zip(*data["ci95"])
            ax.errorbar(xs, ys, yerr=[[max(0.0, y - 100 * v) for y, v in zip(ys, lo)],
                                      [max(0.0, 100 * v - y) for y, v in zip(ys, hi)]],
                        fmt="none", ecolor=color, elinewidth=0.7, capsize=1.5, alpha=0.45)
    ax.set_xlabel("k (the first k samples of each problem)")
    ax.set_ylabel("% of problems")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(ks) <= 12:
        ax.set_xticks(ks)
    ax.set_xlim(ks[0] - 0.35 * gap, ks[-1] + 0.35 * gap)
    ax.set_ylim(-2, 102)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    ci = " with 95% bootstrap intervals" if "ci95" in curves["pass@k"] else ""
    ax.set_title(title or f"Scaling with k: {curves['n_problems']} problems{ci}", fontsize="medium")
    fig.savefig(path, dpi=150)
    return Path(path)


def _value_and_ci(run: Mapping[str, Any], key: str, sub: str | None = None) -> tuple[float, Sequence[float] | None]:
    """A metric of ``run['overall']`` (``m[key]`` or ``m[key][sub]``) and its 95% interval, if any."""
    m, ci = run["overall"], run["overall"].get("ci95")
    if sub is None:
        return m[key], ci and ci[key]
    if sub not in m[key]:
        raise ValueError(f"the metrics have no {key} for {sub!r}")
    return m[key][sub], ci and ci[key][sub]


def plot_selection_bars(runs: Mapping[str, Mapping[str, Any]], path: str | Path, *,
                        strategies: Sequence[str] | None = None, title: str | None = None) -> Path:
    """Figure 5: per model (run), bars of pass@1, pass@1|select@k of every selection strategy, and pass@k
    (k = the run's k), named as in the report's tables.

    ``runs`` maps a model's name to the output of :func:`codecritique.metrics.summary.compute_metrics`; its
    ``overall`` metrics are drawn, with 95% intervals as error bars when present. ``strategies`` defaults to those
    every run has, in the order of the first.
    """
    first = next(iter(runs.values()))
    if strategies is None:
        strategies = [s for s in first["overall"]["pass@1|select@k"]
                      if all(s in r["overall"]["pass@1|select@k"] for r in runs.values())]
    ks = {run["k"] for run in runs.values()}
    bars = [("pass@1", PASS1_COLOR, lambda run: _value_and_ci(run, "pass@1"))]
    for i, name in enumerate(strategies):
        bars.append((f"pass@1|select@k {name}", _STRATEGY_COLORS[i % len(_STRATEGY_COLORS)],
                     lambda run, name=name: _value_and_ci(run, "pass@1|select@k", name)))
    bars.append((f"pass@{ks.pop()}" if len(ks) == 1 else "pass@k (k of each run)", PASSK_COLOR,
                 lambda run: _value_and_ci(run, "pass@k", str(run["k"]))))
    width = 0.8 / len(bars)
    fig = Figure(figsize=(max(7.0, 0.9 * len(bars) * len(runs) + 1.5), 5), layout="constrained")
    ax = fig.add_subplot()
    for b, (label, color, get) in enumerate(bars):
        xs = [i + (b - (len(bars) - 1) / 2) * width for i in range(len(runs))]
        values, cis = zip(*(get(run) for run in runs.values()))
        heights = _pct(values)
        nan = float("nan")  # no interval: no error bar
        yerr = [[max(0.0, h - 100 * ci[0]) if ci else nan for h, ci in zip(heights, cis)],
                [max(0.0, 100 * ci[1] - h) if ci else nan for h, ci in zip(heights, cis)]]
        rects = ax.bar(xs, heights, width * 0.92, yerr=yerr, capsize=2, label=label, color=color,
                       error_kw={"elinewidth": 0.8, "ecolor": "#444"})
        ax.bar_label(rects, fmt="%.1f", fontsize="x-small", padding=2)
    ax.set_xticks(range(len(runs)), list(runs))
    ax.set_ylabel("% of problems")
    ax.set_ylim(0, 110)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    ax.set_title(title or "Selecting one of k solutions by self-critique", fontsize="medium")
    fig.savefig(path, dpi=150)
    return Path(path)


def plot_strategy_panels(curves: Mapping[str, Any], path: str | Path, *, title: str | None = None,
                         columns: int = 4) -> Path:
    """Figure 3 once per strategy, side by side: each panel draws pass@1, pass@k and that strategy's
    pass@1|select@k against k, with the 95% intervals as bands, on shared axes (so panels compare at a glance).

    ``curves`` is the output of :func:`codecritique.metrics.summary.curves`: the one definition of the curve
    (``curves["definition"]``), the same data :func:`plot_scaling_curves` draws in one panel."""
    ks = curves["ks"]
    strategies = list(curves["pass@1|select@k"])
    n = max(1, len(strategies))
    cols = min(columns, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(3.1 * cols, 2.7 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)

    def draw(ax, data, color, style, label):
        ys = _pct(data["value"])
        ax.plot(ks, ys, linestyle=style, marker="o", markersize=3, color=color, label=label, linewidth=1.4)
        if "ci95" in data:
            lo, hi = zip(*data["ci95"])
            ax.fill_between(ks, _pct(lo), _pct(hi), color=color, alpha=0.12, linewidth=0)

    for i, name in enumerate(strategies):
        ax = axes[i // cols][i % cols]
        draw(ax, curves["pass@k"], PASSK_COLOR, "-", "pass@k")
        draw(ax, curves["pass@1"], PASS1_COLOR, "--", "pass@1")
        draw(ax, curves["pass@1|select@k"][name], _STRATEGY_COLORS[i % len(_STRATEGY_COLORS)], "-",
             "pass@1|select@k (the panel's strategy)")
        last = 100 * curves["pass@1|select@k"][name]["value"][-1]
        ax.set_title(f"{name}: {last:.1f}% at k = {ks[-1]}", fontsize="small")
        ax.grid(alpha=0.3)
        ax.set_ylim(-2, 102)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(ks) <= 12:
            ax.set_xticks(ks)
        if i % cols == 0:
            ax.set_ylabel("% of problems", fontsize="small")
        if i // cols == rows - 1:
            ax.set_xlabel("k (first k samples)", fontsize="small")
        ax.tick_params(labelsize="x-small")
    for j in range(len(strategies), rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small", frameon=False)
    fig.suptitle(title or f"pass@1|select@k per strategy as k grows ({curves['n_problems']} problems)",
                 fontsize="medium")
    fig.savefig(path, dpi=130)
    return Path(path)
