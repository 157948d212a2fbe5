"""The table of ``codecritique select``: pass@1 of every strategy against random and the oracle, as plain text."""

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
    head = ("strategy", "%", "95% CI", "vs random", "source")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [f"{n} problems, up to {k} samples each; inputs: {', '.join(result.inputs) or 'none'}"]
    fmt = lambda r: "  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    lines.append(fmt(head))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt(r) for r in rows)
    return "\n".join(lines)
