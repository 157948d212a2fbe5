"""PNG figures of self-critique test-time scaling: Figure 3 (scaling with k) and Figure 5 (selection
methods per model) of P2 (§5.1, App. A; spec §7.5). Needs matplotlib (the ``report`` extra); uses the
object-oriented API only, so it never touches pyplot's global state or the interactive backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

# strategy name -> legend label; Fig. 5 calls them "random critique" and "shortest critique"
LABELS = {
    "shortest-critique": "shortest critique",
    "random-right": "random critique",
    "public-tests+critique": "public tests + critique",
    "majority-output": "majority output",
}


def _pct(values: Sequence[float]) -> list[float]:
    return [100 * v for v in values]


def plot_scaling_curves(curves: Mapping[str, Any], path: str | Path, *, title: str | None = None) -> Path:
    """Figure 3: pass@k and pass@1|select@k per strategy against k, with pass@1 as a reference line.

    ``curves`` is the output of :func:`codecritique.metrics.summary.curves`; its 95% intervals, when present,
    are drawn as bands.
    """
    ks = curves["ks"]
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()

    def draw(series: Mapping[str, Any], label: str, **style: Any) -> None:
        line, = ax.plot(ks, _pct(series["value"]), marker="o", markersize=3, label=label, **style)
        if "ci95" in series:
            lo, hi = zip(*series["ci95"])
            ax.fill_between(ks, _pct(lo), _pct(hi), color=line.get_color(), alpha=0.15, linewidth=0)

    draw(curves["pass@k"], "pass@k", color="black")
    for name, series in curves["pass@1|select@k"].items():
        draw(series, f"pass@1|select@k ({LABELS.get(name, name)})")
    pass1 = curves["pass@1"]
    ax.axhline(100 * pass1["value"], color="grey", linestyle="--", label="pass@1")
    if "ci95" in pass1:
        ax.axhspan(*_pct(pass1["ci95"]), color="grey", alpha=0.12, linewidth=0)
    ax.set_xlabel("k (samples per problem)")
    ax.set_ylabel("% of problems")
    ax.set_xlim(ks[0], ks[-1])
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(title or f"Scaling with k ({curves['n_problems']} problems"
                 + (", 95% bootstrap CI)" if "ci95" in pass1 else ")"))
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
                        random_strategy: str = "random-right", shortest_strategy: str = "shortest-critique",
                        title: str | None = None) -> Path:
    """Figure 5: per model/run, bars of pass@1, pass@1 with random critique, pass@1 with shortest critique,
    and pass@k (k = the run's k).

    ``runs`` maps a label to the output of :func:`codecritique.metrics.summary.compute_metrics`; its
    ``overall`` metrics are drawn, with 95% intervals as error bars when present.
    """
    ks = {run["k"] for run in runs.values()}
    bars = [("pass@1", lambda run: _value_and_ci(run, "pass@1"))]
    for name in (random_strategy, shortest_strategy):
        bars.append((LABELS.get(name, name), lambda run, name=name: _value_and_ci(run, "pass@1|select@k", name)))
    bars.append((f"pass@{ks.pop()}" if len(ks) == 1 else "pass@k",
                 lambda run: _value_and_ci(run, "pass@k", str(run["k"]))))
    width = 0.8 / len(bars)
    fig = Figure(figsize=(max(6.0, 1.6 * len(runs) + 2), 4.5), layout="constrained")
    ax = fig.add_subplot()
    for b, (label, get) in enumerate(bars):
        xs = [i + (b - (len(bars) - 1) / 2) * width for i in range(len(runs))]
        values, cis = zip(*(get(run) for run in runs.values()))
        heights = _pct(values)
        nan = float("nan")  # no interval: no error bar
        yerr = [[max(0.0, h - 100 * ci[0]) if ci else nan for h, ci in zip(heights, cis)],
                [max(0.0, 100 * ci[1] - h) if ci else nan for h, ci in zip(heights, cis)]]
        rects = ax.bar(xs, heights, width, yerr=yerr, capsize=2, label=label, error_kw={"elinewidth": 0.8})
        ax.bar_label(rects, fmt="%.1f", fontsize="x-small", label_type="center", color="white")
    ax.set_xticks(range(len(runs)), list(runs))
    ax.set_ylabel("% of problems")
    ax.set_ylim(0, 105)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", ncols=len(bars), loc="upper center", bbox_to_anchor=(0.5, -0.08))
    ax.set_title(title or "Selecting one of k solutions by self-critique")
    fig.savefig(path, dpi=150)
    return Path(path)
