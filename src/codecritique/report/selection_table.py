"""The selection tables of ``codecritique select`` and ``codecritique run``: pass@1 of every strategy against random
and the oracle, with 95% bootstrap intervals, as plain text."""

from __future__ import annotations

from codecritique.metrics.agreement import STRATEGIES


def format_selection_table(result) -> str:
    """``result``: a :class:`codecritique.critique.select_command.SelectResult`."""
    n = len(result.problems)
    k = max(result.k.values())
    rows = []
    random = result.pass_at_1("random")
    for name in result.picks:
        p = result.pass_at_1(name)
        lo, hi = result.intervals[name]
        gain = "" if name == "random" or random is None else f"{100 * (p - random):+.1f}"
        rows.append((f"pass@1 {name}", f"{100 * p:.1f}", f"[{100 * lo:.1f}, {100 * hi:.1f}]", gain,
                     STRATEGIES[name].source))
    lo, hi = result.intervals["oracle"]
    rows.append((f"pass@{k} (oracle)", f"{100 * result.oracle():.1f}", f"[{100 * lo:.1f}, {100 * hi:.1f}]", "",
                 "some sample passes"))
    return _table(f"{n} problems, up to {k} samples each; inputs: {', '.join(result.inputs) or 'none'}", rows)


def _table(title: str, rows: list[tuple[str, ...]]) -> str:
    """The one layout of both commands' selection tables: strategy, %, 95% CI, gain over random, source."""
    head = ("strategy", "%", "95% CI", "vs random", "source")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([title, fmt(head), "  ".join("-" * w for w in widths), *map(fmt, rows)])


# the strategies of `codecritique run`, where they come from (the paper's first, then beyond it)
RUN_SOURCES = {
    "shortest-critique": "the paper: judged right, shortest critique reasoning",
    "random-right": "the paper's baseline: any judged right",
    "public-tests+critique": "statement's sample tests, then the paper's rule",
    "majority-output": "largest cluster by outputs on the sample tests",
    "codet": STRATEGIES["codet"].source,
    "cluster": STRATEGIES["cluster"].source + " (generated inputs)",
    "p-right": STRATEGIES["p-right"].source,
    "cascade": STRATEGIES["cascade"].source,
}


def format_run_selection_table(metrics: dict) -> str:
    """``codecritique run``'s selection table, as ``select`` prints it: pass@1|select@k of every strategy with its
    95% bootstrap interval and its gain over random (the samples' pass@1), then pass@k (the oracle). ``metrics`` is
    :func:`codecritique.metrics.summary.compute_metrics`'s output."""
    m = metrics["overall"]
    ci = m.get("ci95") or {}
    k = metrics["k"]

    def interval(pair) -> str:
        return f"[{100 * pair[0]:.1f}, {100 * pair[1]:.1f}]" if pair else ""

    rows = [("pass@1 (random)", f"{100 * m['pass@1']:.1f}", interval(ci.get("pass@1")), "", "a uniform draw")]
    for name, value in m["pass@1|select@k"].items():
        fallbacks = sum(m.get("selection", {}).get(name, {}).get("fallbacks", {}).values())
        note = RUN_SOURCES.get(name, "") + (f"; fallback on {fallbacks} problem(s)" if fallbacks else "")
        rows.append((f"pass@1|select@{k} {name}", f"{100 * value:.1f}",
                     interval(ci.get("pass@1|select@k", {}).get(name)), f"{100 * (value - m['pass@1']):+.1f}", note))
    rows.append((f"pass@{k} (oracle)", f"{100 * m['pass@k'][str(k)]:.1f}", interval(ci.get("pass@k", {}).get(str(k))),
                 "", "some sample passes"))
    return _table(f"selection: {metrics['n_problems']} problems, k = {k}; fallback {metrics['fallback']}", rows)
