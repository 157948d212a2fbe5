"""The HTML report of a critique-accuracy benchmark run (OCR-II paper App. B, Table 6): accuracy per language and per
difficulty, confusion matrices, unparsable critiques, what was dropped, and every critique, in one self-contained
file. A bar chart of accuracy per difficulty is inlined when matplotlib is installed (the ``report`` extra)."""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..metrics.critique import wilson_ci95
from .html import esc as _esc, model_name, pct as _pct, write_page

# the paper's Table 6 (critique accuracy on CodeContests human solutions, %), for comparison
TABLE6 = {
    "DeepCoder-14B-Preview": (13.4, 28.6), "OpenThinker2-32B": (43.7, 45.9), "OlympicCoder-32B": (46.6, 49.5),
    "QwQ-32B": (60.1, 56.8), "Qwen3-32B": (63.9, 65.0), "OCR-2-7B": (60.1, 54.7), "OCR-2-14B": (63.9, 65.3),
    "OCR-2-32B": (66.0, 65.0),
}


def _row(cells: list[Any], first_left: bool = True) -> str:
    return "<tr>" + "".join(f'<td class="l">{c}</td>' if i == 0 and first_left else f"<td>{c}</td>"
                            for i, c in enumerate(cells)) + "</tr>"


_HEAD = ["", "solutions", "accuracy", "accuracy<br>(parsed only)", "on accepted<br>(judged right)",
         "on rejected<br>(judged wrong)", "unparsable", "judged right"]


def _accuracy(s: dict[str, Any]) -> str:
    """Accuracy with its Wilson 95% interval below it, small."""
    ci = wilson_ci95(s["correct"], s["n"]) if s.get("n") else None
    if s["accuracy"] is None or ci is None:
        return _pct(s["accuracy"])
    return f"{_pct(s['accuracy'])}<br><span class='ci'>{_pct(ci[0])}&ndash;{_pct(ci[1])}</span>"


def _summary_cells(name: str, s: dict[str, Any]) -> list[Any]:
    parsed_only = _pct(s["accuracy_parsed"]) if s["accuracy_parsed"] is not None else \
        "<span class='muted' title='no critique could be parsed'>n/a</span>"
    return [_esc(name), s["n"], _accuracy(s), parsed_only, _pct(s["accuracy_on_accepted"]),
            _pct(s["accuracy_on_rejected"]), s["unparsable"], s["judged_right"]]


def _table(groups: dict[str, dict[str, Any]]) -> str:
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in _HEAD) + "</tr>"
    return "<table>" + head + "".join(_row(_summary_cells(k, v)) for k, v in groups.items()) + "</table>"


def _confusion(name: str, c: dict[str, int]) -> str:
    return (f"<table><tr><th class='l'>{_esc(name)}</th><th>accepted</th><th>rejected</th></tr>"
            f"<tr><th class='l'>judged right</th><td>{c['tp']}</td><td>{c['fp']}</td></tr>"
            f"<tr><th class='l'>judged wrong</th><td>{c['fn']}</td><td>{c['tn']}</td></tr>"
            f"<tr><th class='l'>unparsable</th><td>{c['unparsable_passed']}</td><td>{c['unparsable_failed']}</td>"
            "</tr></table>")


def plot_accuracy(metrics: dict[str, Any]) -> bytes | None:
    """PNG bytes of accuracy per difficulty, one bar per language (None without matplotlib)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    by = metrics.get("by_language_difficulty", {})
    diffs = list(metrics.get("by_difficulty", {}))
    if not by or not diffs:
        return None
    fig = Figure(figsize=(max(5, 1.3 * len(diffs) + 2), 4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(by))
    nan = float("nan")
    for j, (lang, groups) in enumerate(by.items()):
        xs = [i + j * width for i in range(len(diffs))]
        # a language without problems of a difficulty has no bar (not a bar of 0)
        ys = [100 * groups[d]["accuracy"] if d in groups and groups[d]["accuracy"] is not None else nan
              for d in diffs]
        cis = [wilson_ci95(groups[d]["correct"], groups[d]["n"]) if d in groups else None for d in diffs]
        # clamped: at 0% or 100% the interval's end equals the value but for rounding (a negative error bar is
        # an error to matplotlib)
        yerr = [[max(0.0, y - 100 * c[0]) if c and y == y else nan for y, c in zip(ys, cis)],
                [max(0.0, 100 * c[1] - y) if c and y == y else nan for y, c in zip(ys, cis)]]
        rects = ax.bar(xs, ys, width=width * 0.92, label=lang, yerr=yerr, capsize=2,
                       error_kw={"elinewidth": 0.8, "ecolor": "#444"})
        ax.bar_label(rects, labels=[_bar_label(y, groups.get(d)) for y, d in zip(ys, diffs)], fontsize="x-small",
                     padding=2)
    ax.set_xticks([i + width * (len(by) - 1) / 2 for i in range(len(diffs))], diffs)
    ax.axhline(50, color="#999", linestyle=":", linewidth=1)
    ax.set_ylabel("critique accuracy (%), 95% Wilson interval")
    ax.set_ylim(0, 110)
    ax.legend(ncols=len(by), loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False, fontsize="small")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _bar_label(y: float, group: dict[str, Any] | None) -> str:
    if group is None or y != y:
        return ""
    label = f"{y:.0f}% of {group['n']}"
    return label + (f"\n{group['unparsable']} unparsable" if group.get("unparsable") else "")


def _selection(metrics: dict[str, Any]) -> str:
    sel = metrics.get("selection", {})
    lf = metrics.get("length_filter", {})
    rows = "".join(_row([_esc(lang), v["problems_with_pair"], v["problems_without_pair"], v["picked"], v["dropped"],
                         v["critiqued"]]) for lang, v in sel.get("languages", {}).items())
    filt = (f"solutions over {lf.get('max_solution_tokens')} tokens of {_esc(lf.get('tokenizer'))} were dropped"
            if lf.get("applied") else "<b>no length filter was applied</b> (no tokenizer)")
    return (f"<p>{sel.get('problems', 0)} problems; {filt}.</p><table><tr><th class='l'>language</th>"
            "<th>problems with a pair</th><th>without</th><th>picked</th><th>dropped</th><th>critiqued</th></tr>"
            f"{rows}</table>")


def _items(rows: list[dict[str, Any]], items: list[dict[str, Any]]) -> str:
    by_problem: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_problem[r["problem_id"]].append(r)
    out = []
    for pid, rs in by_problem.items():
        n_ok = sum(r["correct"] for r in rs)
        parts = [f"<details><summary>{_esc(pid)} <span class='muted'>[{_esc(rs[0]['difficulty'])}]</span>: "
                 f"{n_ok}/{len(rs)} judged correctly</summary>"]
        for r in rs:
            tokens = "" if r.get("tokens") is None else f", {_esc(r['tokens'])} tokens"
            verdict = ("<span class='ok'>correct</span>" if r["correct"] else
                       "<span class='bad'>unparsable</span>" if not r["parsed"] else "<span class='bad'>wrong</span>")
            parts.append(
                f"<details><summary>{_esc(r['language'])} {_esc(r['label'])} ({_esc(r['ref'])}{tokens}): "
                f"judged <b>{_esc(r['judgement'] or 'unparsable')}</b>, {verdict}"
                f"{' <span class=muted>truncated</span>' if r.get('truncated') else ''}</summary>"
                f"<div class='grid'><div><b>solution</b><pre>{_esc(r['code'])}</pre></div>"
                f"<div><b>critique</b><pre>{_esc(r['critique'] or r.get('critique_skipped'))}</pre></div></div>"
                "</details>")
        parts.append("</details>")
        out.append("".join(parts))
    dropped = [it for it in items if it.get("dropped")]
    if dropped:
        out.append("<h3>Dropped solutions</h3><ul>" + "".join(
            f"<li>{_esc(it['problem_id'])} {_esc(it['language'])} {_esc(it['label'])} ({_esc(it['ref'])}): "
            f"{_esc(it['dropped'])}</li>" for it in dropped) + "</ul>")
    return "\n".join(out)


def write_bench_report(out: Path, config: dict[str, Any], metrics: dict[str, Any], rows: list[dict[str, Any]],
                       items: list[dict[str, Any]]) -> Path:
    """Write ``out/report.html`` (and ``accuracy_by_difficulty.png`` when matplotlib is there); returns its path."""
    png = plot_accuracy(metrics)
    image = ""
    if png:
        (out / "accuracy_by_difficulty.png").write_bytes(png)
        image = f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="accuracy by difficulty">'
    overall = metrics["overall"]
    confusions = "".join(_confusion(lang, s["confusion"]) for lang, s in metrics["by_language"].items())
    paper = "".join(_row([_esc(m), f"{py:.1f}", f"{cpp:.1f}"]) for m, (py, cpp) in TABLE6.items())
    per_lang_diff = "".join(f"<h3>{_esc(lang)}</h3>{_table(groups)}"
                            for lang, groups in metrics.get("by_language_difficulty", {}).items())
    body = f"""<h1>Critique accuracy: {_esc(model_name(metrics.get('model')))} on {_esc(config.get('source'))}</h1>
<p>Each picked human solution is critiqued once with the Fig. 7 prompt; a critique is correct when its judgement
matches the ground truth (accepted &rarr; right, rejected &rarr; wrong). Unparsable critiques count as incorrect in
<i>accuracy</i> and are left out of <i>accuracy (parsed only)</i>. Values in %, accuracy with its 95% Wilson
interval below it. Chance is 50% on a balanced set.
Overall: <b>{_pct(overall['accuracy'])}%</b> of {overall['n']} solutions ({overall['unparsable']} unparsable);
run time {metrics.get('runtime_seconds', '-')} s.</p>
<h2>By language</h2>{_table(metrics['by_language'])}
<h2>By difficulty</h2>{_table(metrics['by_difficulty'])}{image}
<h2>By language and difficulty</h2>{per_lang_diff}
<h2>Judgements against the ground truth</h2><div class="grid">{confusions}</div>
<h2>What was critiqued</h2>{_selection(metrics)}
<h2>The paper's Table 6 (CodeContests test split, for comparison)</h2>
<table><tr><th class='l'>model</th><th>Python</th><th>C++</th></tr>{paper}</table>
<h2>Problems</h2>{_items(rows, items)}"""
    return write_page(out, "codecritique critique-bench", body, config)


def render_bench(out: Path, result: Any) -> Path:
    """``report.html`` of a :class:`~codecritique.critique.bench_run.BenchResult`."""
    return write_bench_report(out, result.config, result.metrics, result.rows, result.items)
