"""The Table 3 / Table 4 / Figure 3 numbers from per-solution records (OCR-II paper §4-5).

:func:`compute_metrics` reports, overall and per difficulty, with every value a fraction in [0, 1]:

* ``pass@1``: mean over problems of the fraction of a problem's k samples that pass;
* ``pass@k``: unbiased pass@j for j in {1, 5, 10, 20, 50, 100} up to k, and k itself (Table 3's Pass@10);
* ``pass@1|select@k``: mean over problems of the exact probability that the solution a strategy selects
  passes (OCR-II paper §3 "critique@k"; Table 3);
* ``critique_accuracy_problem``: fraction of problems whose k judgements are all correct (Table 4);
* ``critique_accuracy_solution``: fraction of judgements that are correct (App. B's per-solution reading);

plus the confusion matrix, precision/recall of ``right``, per strategy the fallbacks applied and the
seeded-draw score, and 95% bootstrap intervals over problems (``ci95``, omitted when ``bootstrap=0``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from math import fsum
from typing import Any

from codecritique.metrics.selection import (DEFAULT_FALLBACK, STRATEGIES, Selection, StrategyUnavailable,
                                             get_strategy, select, unavailable_reason)
from codecritique.metrics.bootstrap import bootstrap_ci95
from codecritique.metrics.critique import Confusion, problem_critique_correct
from codecritique.metrics.passk import pass_at_1, pass_at_k
from codecritique.metrics.records import ProblemSamples, Sample, group_problems

STANDARD_KS = (1, 5, 10, 20, 50, 100)
DIFFICULTY_ORDER = ("easy", "medium", "hard")


def reported_ks(k: int) -> list[int]:
    """The pass@j reported for k samples: {1, 5, 10, 20, 50, 100} up to k, and k itself."""
    return sorted({j for j in STANDARD_KS if j <= k} | {k})


def curve_ks(n: int) -> list[int]:
    """The default k grid of :func:`curves` for n samples: every k up to 10, every 5th up to 50, every
    10th beyond, and n (1..10, 15, ..., 50, 60, ..., 100 for n = 100)."""
    return sorted({j for j in range(1, n + 1) if j <= 10 or (j <= 50 and j % 5 == 0) or j % 10 == 0} | {n})


@dataclass(frozen=True)
class ProblemResult:
    """Every per-problem value the metrics average."""

    problem_id: str
    difficulty: str
    pass_at_1: float
    pass_at: dict[int, float]  # unbiased pass@j over the problem's k samples
    selections: dict[str, Selection]
    critique_correct: bool  # Table 4: all k judgements correct
    confusion: Confusion


def evaluate_problem(problem: ProblemSamples, ks: Sequence[int], strategies: Sequence[str], *,
                     fallback: str = DEFAULT_FALLBACK, seed: int = 0) -> ProblemResult:
    samples = problem.samples
    n, c = len(samples), sum(s.passed for s in samples)
    return ProblemResult(
        problem_id=problem.problem_id,
        difficulty=problem.difficulty,
        pass_at_1=pass_at_1([s.passed for s in samples]),
        pass_at={j: pass_at_k(n, c, j) for j in ks},
        selections={name: select(samples, name, fallback=fallback, seed=seed) for name in strategies},
        critique_correct=problem_critique_correct(samples),
        confusion=Confusion.of(samples),
    )


def _resolve_strategies(strategies: Sequence[str] | None,
                        samples: Sequence[Sample]) -> tuple[list[str], dict[str, str]]:
    """The strategies to run, and why the others are left out. ``None`` means every strategy the records
    allow; a strategy asked for by name that the records do not allow is an error."""
    if strategies is None:
        reasons = {name: unavailable_reason(name, samples) for name in STRATEGIES}
        return [name for name, why in reasons.items() if why is None], {n: w for n, w in reasons.items() if w}
    for name in strategies:
        get_strategy(name)
        if why := unavailable_reason(name, samples):
            raise StrategyUnavailable(f"strategy {name!r} is unavailable: {why}")
    return list(dict.fromkeys(strategies)), {}


def _prepare(records: Iterable[Sample], k: int | None, strategies: Sequence[str] | None,
             drop_short: bool) -> tuple[list[ProblemSamples], list[str], list[str], dict[str, str]]:
    """Problems of k samples, dropped problem ids, strategies to run, unavailable strategies with reasons."""
    problems, dropped = group_problems(records, k, drop_short=drop_short)
    names, unavailable = _resolve_strategies(strategies, [s for p in problems for s in p.samples])
    return problems, dropped, names, unavailable


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return fsum(values) / len(values)


def _fallback_counts(selections: Iterable[Selection]) -> dict[str, int]:
    counts = Counter(">".join(s.fallbacks) for s in selections if s.fallbacks)
    return dict(sorted(counts.items()))


def summarize(results: Sequence[ProblemResult], ks: Sequence[int], strategies: Sequence[str], *,
              bootstrap: int = 1000, seed: str = "0") -> dict[str, Any]:
    """The metrics dict ``M`` of a group of problems (see the module docstring)."""
    columns: dict[Hashable, list[float]] = {
        "pass@1": [r.pass_at_1 for r in results],
        **{("pass@k", j): [r.pass_at[j] for r in results] for j in ks},
        **{("select", s): [r.selections[s].p_pass for r in results] for s in strategies},
        "critique_accuracy_problem": [float(r.critique_correct) for r in results],
        "critique_accuracy_solution": [r.confusion.accuracy for r in results],
    }
    confusion = sum((r.confusion for r in results), Confusion())
    m: dict[str, Any] = {
        "n_problems": len(results),
        "n_samples": confusion.total,
        "pass@1": _mean(columns["pass@1"]),
        "pass@k": {str(j): _mean(columns["pass@k", j]) for j in ks},
        "pass@1|select@k": {s: _mean(columns["select", s]) for s in strategies},
        "critique_accuracy_problem": _mean(columns["critique_accuracy_problem"]),
        # every problem has k samples, so the mean of per-problem accuracies is the pooled accuracy
        "critique_accuracy_solution": _mean(columns["critique_accuracy_solution"]),
        "confusion": confusion.to_dict(),
        "precision_right": confusion.precision,
        "recall_right": confusion.recall,
        "selection": {
            s: {"fallbacks": _fallback_counts(r.selections[s] for r in results),
                "seeded_draw": _mean(float(r.selections[s].selected_passed) for r in results)}
            for s in strategies
        },
    }
    if bootstrap:
        ci = {name: list(v) for name, v in bootstrap_ci95(columns, bootstrap, seed).items()}
        m["ci95"] = {
            "pass@1": ci["pass@1"],
            "pass@k": {str(j): ci["pass@k", j] for j in ks},
            "pass@1|select@k": {s: ci["select", s] for s in strategies},
            "critique_accuracy_problem": ci["critique_accuracy_problem"],
            "critique_accuracy_solution": ci["critique_accuracy_solution"],
        }
    return m


def _difficulty_key(difficulty: str) -> tuple[int, str]:
    order = DIFFICULTY_ORDER.index(difficulty) if difficulty in DIFFICULTY_ORDER else len(DIFFICULTY_ORDER)
    return order, difficulty


def compute_metrics(records: Iterable[Sample], k: int | None = None, strategies: Sequence[str] | None = None,
                    *, fallback: str = DEFAULT_FALLBACK, bootstrap: int = 1000, seed: int = 0,
                    drop_short: bool = False) -> dict[str, Any]:
    """All metrics of one run, overall and by difficulty (JSON-ready).

    ``k`` defaults to the most samples any problem has; with ``k`` given, each problem's first k samples
    in ``sample_index`` order are used (OCR-II paper §5.1). A problem with fewer than k samples is an error unless
    ``drop_short``; dropped problems are listed in ``dropped_problems``. ``strategies=None`` runs every
    strategy the records allow and lists the others, with the reason, in ``strategies_unavailable``.
    ``seed`` fixes the seeded draws and the bootstrap; ``bootstrap`` is the number of resamples (0: none).
    """
    problems, dropped, names, unavailable = _prepare(records, k, strategies, drop_short)
    k = len(problems[0].samples)
    ks = reported_ks(k)
    results = [evaluate_problem(p, ks, names, fallback=fallback, seed=seed) for p in problems]
    groups: dict[str, list[ProblemResult]] = {}
    for r in sorted(results, key=lambda r: _difficulty_key(r.difficulty)):
        groups.setdefault(r.difficulty, []).append(r)
    return {
        "n_problems": len(results),
        "k": k,
        "fallback": fallback,
        "seed": seed,
        "bootstrap": bootstrap,
        "dropped_problems": dropped,
        "strategies_unavailable": unavailable,
        "overall": summarize(results, ks, names, bootstrap=bootstrap, seed=f"{seed}:overall"),
        "by_difficulty": {d: summarize(g, ks, names, bootstrap=bootstrap, seed=f"{seed}:{d}")
                          for d, g in groups.items()},
    }


CURVE_DEFINITION = ("every point at k uses each problem's first k samples (in sample_index order), as the paper "
                    "adds samples in order: pass@1 is their mean pass rate, pass@k whether any of them passes, "
                    "pass@1|select@k the chance that the strategy's pick among them passes; at k = 1 all three "
                    "coincide, and each point equals compute_metrics(records, k=k)")


def curves(records: Iterable[Sample], ks: Sequence[int] | None = None, strategies: Sequence[str] | None = None,
           *, fallback: str = DEFAULT_FALLBACK, bootstrap: int = 1000, seed: int = 0,
           drop_short: bool = False) -> dict[str, Any]:
    """Figure 3 (OCR-II paper §5.1): how pass@1, pass@k and pass@1|select@k change as k grows.

    One definition for every curve (:data:`CURVE_DEFINITION`): at each k, each problem's first k samples, "as k
    increases to include all past solutions" (OCR-II §5.1). So the three curves meet at k = 1, pass@1|select@k never
    exceeds pass@k, and every point is what ``compute_metrics(records, k=k)`` reports (its pass@1, its pass@k at
    k, its pass@1|select@k). Mixing definitions (pass@k by the unbiased estimator over all n samples, selection
    over the first k) made the curves disagree at k = 1.

    With n the samples per problem (every problem must have n, or be dropped with ``drop_short``); ``ks``
    defaults to :func:`curve_ks` (n). Intervals are paired across k (the same problem resamples for every point).
    """
    problems, dropped, names, unavailable = _prepare(records, None, strategies, drop_short)
    n = len(problems[0].samples)
    ks = curve_ks(n) if ks is None else sorted(set(ks))
    if not ks or ks[0] < 1 or ks[-1] > n:
        raise ValueError(f"ks must lie in 1..{n} (the samples per problem), got {ks}")
    columns: dict[Hashable, list[float]] = {}
    for j in ks:
        firsts = [[s.passed for s in p.samples[:j]] for p in problems]
        columns["pass@1", j] = [pass_at_1(f) for f in firsts]
        columns["pass@k", j] = [float(any(f)) for f in firsts]
        for name in names:
            columns["select", name, j] = [select(p.samples[:j], name, fallback=fallback, seed=seed).p_pass
                                          for p in problems]
    ci = bootstrap_ci95(columns, bootstrap, f"{seed}:curves") if bootstrap else None

    def series(prefix: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {"value": [_mean(columns[(*prefix, j)]) for j in ks]}
        if ci:
            out["ci95"] = [list(ci[(*prefix, j)]) for j in ks]
        return out

    return {
        "n_problems": len(problems),
        "n": n,
        "ks": ks,
        "definition": CURVE_DEFINITION,
        "fallback": fallback,
        "seed": seed,
        "bootstrap": bootstrap,
        "dropped_problems": dropped,
        "strategies_unavailable": unavailable,
        "pass@1": series(("pass@1",)),
        "pass@k": series(("pass@k",)),
        "pass@1|select@k": {name: series(("select", name)) for name in names},
    }


def per_problem(records: Iterable[Sample], k: int | None = None, strategies: Sequence[str] | None = None, *,
                fallback: str = DEFAULT_FALLBACK, seed: int = 0, drop_short: bool = False) -> list[dict[str, Any]]:
    """One JSON-ready row per problem, for auditing :func:`compute_metrics` (same arguments): its samples'
    pass count, the Table 4 verdict, and per strategy the candidates, exact ``p_pass``, seeded draw and
    fallbacks applied."""
    problems, _, names, _ = _prepare(records, k, strategies, drop_short)
    rows = []
    for p in problems:
        r = evaluate_problem(p, [len(p.samples)], names, fallback=fallback, seed=seed)
        rows.append({
            "problem_id": r.problem_id,
            "difficulty": r.difficulty,
            "k": len(p.samples),
            "n_passed": sum(s.passed for s in p.samples),
            "critique_correct": r.critique_correct,
            "selections": {
                name: {"candidates": list(sel.candidates), "p_pass": sel.p_pass, "selected": sel.selected,
                       "selected_passed": sel.selected_passed, "fallbacks": list(sel.fallbacks)}
                for name, sel in r.selections.items()
            },
        })
    return rows
