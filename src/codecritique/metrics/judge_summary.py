"""The summary of a judging run (``codecritique judge``) from its records (LiveCodeBench's ``eval_all`` shape with
per-sample ``verdicts``): pass@1, pass@k with the k rule of :func:`~codecritique.metrics.summary.reported_ks`, and
verdict counts, overall and by difficulty.

A system error (verdict ``SE``: the judge itself failed) is no verdict on the solution: such samples are left out
of pass@1 and pass@k and counted apart (``system_errors``).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from codecritique.metrics.passk import pass_at_1, pass_at_k
from codecritique.metrics.summary import reported_ks

SYSTEM_ERROR = "SE"  # judge.verdict.Verdict.SE (metrics do not import the judge)


def summarize(records: list[dict]) -> dict:
    """{"overall": ..., "<difficulty>": ...}: n_problems, n_samples, pass@1 (mean over problems of the fraction
    passed), unbiased pass@k up to the smallest number of judged samples, system_errors, verdicts."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        groups["overall"].append(rec)
        groups[rec.get("difficulty") or "unknown"].append(rec)
    return {name: _group_summary(recs) for name, recs in groups.items()}


def _judged(rec: dict) -> list[bool]:
    """The graded samples of a record without its system errors (which are no verdict on the solution)."""
    return [g for g, v in zip(rec["graded_list"], rec["verdicts"]) if v["verdict"] != SYSTEM_ERROR]


def _group_summary(records: list[dict]) -> dict:
    verdicts = Counter(v["verdict"] for r in records for v in r["verdicts"])
    se = verdicts.get(SYSTEM_ERROR, 0)
    graded = [g for g in (_judged(r) for r in records) if g]
    ns = [len(g) for g in graded]
    if not ns:
        return {"n_problems": len(records), "n_samples": 0, "system_errors": se,
                "verdicts": dict(sorted(verdicts.items()))}
    passk = {}
    for k in reported_ks(min(ns)):
        vals = [pass_at_k(len(g), sum(g), k) for g in graded]
        passk[f"pass@{k}"] = sum(vals) / len(vals)
    pass1 = [pass_at_1(g) for g in graded]
    return {"n_problems": len(graded), "n_samples": sum(ns), "pass@1": sum(pass1) / len(pass1), **passk,
            "system_errors": se, "verdicts": dict(sorted(verdicts.items()))}
