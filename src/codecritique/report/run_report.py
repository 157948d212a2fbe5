"""The HTML report of a run: summary tables (Tables 3-4), the Figure 3 curves and Figure 5 bars, and one row per
problem that opens to show each solution, its critique and its verdict. One self-contained file (images inlined)."""

from __future__ import annotations

import base64
from collections import defaultdict
from pathlib import Path

from ..problems.model import Problem
from .html import esc as _esc, model_name, pct as _pct, write_page
from .plots import plot_scaling_curves, plot_selection_bars, plot_strategy_panels


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{_esc(path.name)}">'


def _with_ci(value: float | None, ci: list[float] | None) -> str:
    """A percentage with its 95% interval below it, small (none when the interval was not computed)."""
    if value is None:
        return "-"
    if not ci:
        return _pct(value)
    return f"{_pct(value)}<br><span class='ci'>{_pct(ci[0])}&ndash;{_pct(ci[1])}</span>"


def _parsed(m: dict) -> int:
    c = m.get("confusion", {})
    return sum(c.get(key, 0) for key in ("tp", "fp", "fn", "tn"))


def _summary_table(metrics: dict) -> str:
    """Tables 3-4 as one table: a row per metric (pass@1, pass@j for j > 1, pass@1|select@k per strategy, critique
    accuracy), a column per group (overall, then each difficulty), each value with its 95% bootstrap interval;
    critique accuracy is n/a where no critique of the group parsed. Rows, not columns, per strategy: the table
    keeps its width whatever the number of strategies."""
    groups = {"overall": metrics["overall"], **metrics.get("by_difficulty", {})}
    overall = metrics["overall"]
    na = "<span class='muted' title='no critique of this group could be parsed'>n/a</span>"

    def row(label: str, get, parsed_only: bool = False) -> str:
        cells = []
        for m in groups.values():
            value, ci = get(m, m.get("ci95") or {})
            cells.append(na if parsed_only and not _parsed(m) else _with_ci(value, ci))
        return f"<tr><th class='l'>{label}</th>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    head = "<tr><th class='l'>metric</th>" + "".join(
        f"<th>{_esc(name)}<br><span class='muted'>{m['n_problems']} problems, {m.get('n_samples', '?')} "
        f"solutions</span></th>" for name, m in groups.items()) + "</tr>"
    rows = [row("pass@1", lambda m, ci: (m["pass@1"], ci.get("pass@1")))]
    for j in [j for j in overall["pass@k"] if j != "1"]:  # pass@1 is the row above
        rows.append(row(f"pass@{j}", lambda m, ci, j=j: (m["pass@k"].get(j), ci.get("pass@k", {}).get(j))))
    for name in overall["pass@1|select@k"]:
        rows.append(row(f"pass@1|select@k <b>{_esc(name)}</b>",
                        lambda m, ci, name=name: (m["pass@1|select@k"].get(name),
                                                  ci.get("pass@1|select@k", {}).get(name))))
    rows.append(row("critique accuracy (problem, Table 4)",
                    lambda m, ci: (m["critique_accuracy_problem"], ci.get("critique_accuracy_problem")), True))
    rows.append(row("critique accuracy (solution)",
                    lambda m, ci: (m["critique_accuracy_solution"], ci.get("critique_accuracy_solution")), True))
    note = ("<p class='muted'>Small figures under a value: its 95% bootstrap interval over problems. Critique "
            "accuracy counts an unparsable critique as wrong; n/a where no critique of the group could be parsed."
            "</p>")
    return "<table>" + head + "".join(rows) + "</table>" + note


def _confusion(metrics: dict) -> str:
    c = metrics["overall"]["confusion"]
    return ("<table><tr><th></th><th>passes</th><th>fails</th></tr>"
            f"<tr><th class='l'>judged right</th><td>{c['tp']}</td><td>{c['fp']}</td></tr>"
            f"<tr><th class='l'>judged wrong</th><td>{c['fn']}</td><td>{c['tn']}</td></tr>"
            f"<tr><th class='l'>unparsable</th><td>{c['unparsable_passed']}</td><td>{c['unparsable_failed']}</td>"
            "</tr></table>")


def _problem_rows(rows: list[dict], problems: dict[str, Problem]) -> str:
    by_problem: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_problem[r["problem_id"]].append(r)
    out = []
    for pid, sols in by_problem.items():
        p = problems.get(pid)
        n_pass = sum(s["passed"] for s in sols)
        n_right = sum(s["judgement"] == "right" for s in sols)
        title = f"{_esc(pid)} {_esc(p.title if p else '')} <span class='muted'>[{_esc(sols[0]['difficulty'])}]</span>"
        parts = [f"<details><summary>{title}: {n_pass}/{len(sols)} pass, {n_right} judged right</summary>"]
        if p is not None:
            parts.append(f"<details><summary class='muted'>statement</summary><pre>{_esc(p.statement)}</pre>"
                         "</details>")
        for s in sols:
            v = s["verdict"]
            verdict = (f"<span class='{'ok' if s['passed'] else 'bad'}'>{_esc(v['verdict'])}</span> "
                       f"{_esc(v.get('message', ''))}")
            judgement = s["judgement"] or f"unparsable {_esc(s.get('critique_skipped', ''))}".rstrip()
            length = s.get("critique_reasoning_tokens")
            length = f" ({_esc(length)} {_esc(s.get('critique_reasoning_unit') or 'tokens')})" if length is not None \
                else ""
            extra = ""
            if s.get("p_right") is not None:
                extra += f"; P(right) {s['p_right']:.2f}"
            outputs = s.get("generated_outputs")
            if s.get("generated_tests_passed") is not None and outputs is not None:
                extra += f"; generated tests passed {len(s['generated_tests_passed'])}/{len(outputs)}"
            elif outputs is not None:
                ran = sum(o not in ("CE", "RE", "TLE", "MLE", "OLE", "SE") for o in outputs)
                extra += f"; ran on {ran}/{len(outputs)} generated inputs"
            parts.append(
                f"<details><summary>sample {s['sample_index']}: {verdict}; critique: <b>{_esc(judgement)}</b>"
                f"{length}{_esc(extra)}"
                f"{' <span class=muted>truncated</span>' if s['truncated'] else ''}</summary>"
                f"<div class='grid'><div><b>solution</b><pre>{_esc(s['code'] or s['response'])}</pre></div>"
                f"<div><b>critique</b><pre>{_esc(s['critique'])}</pre></div></div>"
                f"<details><summary class='muted'>full response</summary><pre>{_esc(s['response'])}</pre></details>"
                "</details>")
        parts.append("</details>")
        out.append("".join(parts))
    return "\n".join(out)


STRATEGY_NOTES = {
    "shortest-critique": "the paper's rule (OCR-II §3): among solutions judged right, the shortest critique reasoning",
    "random-right": "the paper's baseline: any solution judged right",
    "public-tests+critique": "solutions passing the statement's sample tests, then the paper's rule",
    "majority-output": "the largest group with the same outputs on the statement's sample tests",
    "codet": "CodeT's dual execution agreement on the model's generated asserts (functional problems)",
    "cluster": "AlphaCode / MBR-exec: the largest group with the same outputs on the model's generated tests",
    "p-right": "the highest P(right) of the critique's judgement (forced choice)",
    "cascade": "sample tests, then agreement, then output clusters, then the critique",
}


def _strategy_notes(metrics: dict) -> str:
    names = metrics["overall"]["pass@1|select@k"]
    return " ".join(f"{n}: {STRATEGY_NOTES[n]}." for n in names if n in STRATEGY_NOTES)


def _model_name(config: dict) -> str:
    return model_name(config.get("model"))


def write_run_report(out: Path, config: dict, rows: list[dict], metrics: dict, curves: dict,
                     problems: dict[str, Problem]) -> Path:
    """Write ``out/report.html`` (and the two figures as PNG files beside it); returns its path."""
    model = _model_name(config)
    fig3 = plot_scaling_curves(curves, out / "fig3_scaling.png",
                               title=f"Fig. 3: pass@1, pass@1|select@k and pass@k as k grows "
                                     f"({curves['n_problems']} problems)")
    fig5 = plot_selection_bars({model: metrics}, out / "fig5_selection.png",
                               title=f"Fig. 5: selecting one of k = {metrics['k']} solutions")
    panels = plot_strategy_panels(curves, out / "fig3_strategies.png",
                                  title=f"Fig. 3 per strategy: pass@1|select@k as k grows, against pass@1 and "
                                        f"pass@k ({curves['n_problems']} problems)")
    fallback = ", ".join(f"{s}: {n}" for s, v in metrics["overall"].get("selection", {}).items()
                         for n in [sum(v.get("fallbacks", {}).values())])
    body = f"""<h1>codecritique run: {_esc(model)}</h1>
<p>{metrics['n_problems']} problems, k = {metrics['k']} samples each, language {_esc(config.get('language'))};
when no solution is judged right the selection falls back to <b>{_esc(metrics['fallback'])}</b>
(problems where it applied, per strategy: {_esc(fallback)}). Values in %.</p>
<h2>Summary</h2>{_summary_table(metrics)}
<h2>Critiques against verdicts</h2>{_confusion(metrics)}
<h2>Figures</h2><div class="figure">{_image(fig3)}</div><div class="figure">{_image(fig5)}</div>
<p class="muted">Figure 3: {_esc(curves.get('definition', ''))}. Error bars: 95% bootstrap intervals over problems.
Figure 5: the summary table's overall row.</p>
<h2>Every strategy's select@k curve</h2><div class="figure">{_image(panels)}</div>
<p class="muted">One panel per selection strategy, the same curves as Figure 3 (bands: 95% bootstrap intervals).
{_esc(_strategy_notes(metrics))}</p>
<h2>Problems</h2>{_problem_rows(rows, problems)}"""
    return write_page(out, "codecritique run", body, config)


def render_run(out: Path, result) -> Path:
    """``report.html`` of a :class:`~codecritique.critique.run.RunResult`."""
    return write_run_report(out, result.config, result.rows, result.metrics, result.curves, result.problems)
