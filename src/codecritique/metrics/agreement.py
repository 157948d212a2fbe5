"""Selection with execution agreement and judgement probabilities: pure functions of per-sample records.

Like :mod:`.selection`, every strategy reduces a problem's pool to a *candidate set* that the selected solution is
drawn from uniformly; ``pass@1`` of the strategy on a problem is the exact expectation over that set (the fraction
of candidates that pass), so no number depends on a seed. Ties therefore count as the union of the tied groups,
which is also how CodeT's released evaluation scores them (``_turn_solution_scores_into_choose_count`` merges
equally scored consensus sets, then ``c / n`` over the merge).

Strategies (each with its source):

* ``codet``: CodeT's dual execution agreement (Chen et al., ICLR 2023, arXiv 2207.10397, §2.2). Solutions are
  grouped into *consensus sets* by the exact set of generated tests they pass; a set is scored by its solutions
  and its tests, and the solution is drawn from the highest-scoring set. The score is the one of CodeT's
  released code (``src/agreement.py``), ``sqrt(|solutions|) * |tests|``, with both counts taken with
  multiplicity (a solution or an assert written twice counts twice), because the anchor figures are measured
  with that code. Solutions passing no generated test belong to no set; when no solution passes any, CodeT
  falls back to a uniform draw over all samples, and so does this.
* ``codet-paper``: the same with the paper's formula ``f(S) = |S_x| * |S_y|`` (§2.2), for comparison.
* ``cluster``: AlphaCode (Li et al., Science 2022, §4.6 "clustering") and MBR-exec (Shi et al., EMNLP 2022, with
  the hard "same outputs on every input" loss): solutions grouped by their behaviour on the generated inputs (per
  test, the digest of the value returned, or the verdict where no value is compared), the draw from the largest
  group. Solutions that never ran (a compile error or nothing but errors on every input) are left out first,
  so that many identical crashes do not form the largest cluster.
* ``p-right``: the highest ``P(right)`` of the critique's judgement (generative verifiers, e.g. Zhang et al. 2024
  "Generative Verifiers", and the paper's own §5.1 remark that binary judgements cannot rank): from the
  endpoint's token log-probabilities or the local model's forced choice. Samples without a probability are left
  out; if none has one, uniform over all.
* ``cascade`` (ours): filters in order of how much they can be trusted, each applied only where it leaves some
  solution: (1) the statement's public tests (``passed_public``); (2) CodeT's agreement among the survivors;
  (3) within the winning consensus set (whose members pass the same generated tests but may still differ where
  they fail), the largest group with identical outputs on the generated inputs (AlphaCode's clustering as a
  tie-break); (4) the critique: the solutions judged ``right``, ranked by ``P(right)`` when present, else the
  paper's rule (shortest critique reasoning); (5) ties stay ties (uniform). With no critiques it is public
  tests + agreement + clustering.
* ``random``: uniform over the pool: pass@1 of the sampler (the baseline of every table).

The oracle (pass@k) is not a strategy: it is in :mod:`.passk`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

# the verdicts that mean the solution did not run on an input (no behaviour to compare)
NOT_RUN = frozenset({"CE", "SE", "RE", "TLE", "MLE", "OLE"})


@dataclass(frozen=True)
class Candidate:
    """One sample of one problem with everything a strategy may look at; ``passed`` is only for scoring."""

    index: int  # sample index (position in the generations file)
    passed: bool  # passes the real tests
    gen_passed: frozenset[int] | None = None  # generated tests passed (indices)
    outputs: tuple[str, ...] | None = None  # per generated input: output digest, or a verdict
    p_right: float | None = None  # P(judgement is "right")
    judgement: str | None = None  # "right" | "wrong" | None (no or unparsable critique)
    critique_tokens: int | None = None  # length of the critique's reasoning (the paper's rule)
    passed_public: bool | None = None  # passes the statement's public tests


@dataclass(frozen=True)
class Pick:
    """A strategy's outcome on one problem: the candidates drawn from uniformly, and why."""

    candidates: tuple[int, ...]
    p_pass: float  # exact probability that the drawn solution passes
    rule: str  # what decided ("agreement", "fallback:random", ...)


def _pick(pool: Sequence[Candidate], chosen: Sequence[Candidate], rule: str) -> Pick:
    chosen = list(chosen) or list(pool)
    return Pick(tuple(c.index for c in chosen), sum(c.passed for c in chosen) / len(chosen), rule)


def _top(groups: Iterable[tuple[float, list[Candidate]]]) -> list[Candidate]:
    """The union of the groups with the highest score (empty if there are none)."""
    best: float | None = None
    out: list[Candidate] = []
    for score, members in groups:
        if best is None or score > best:
            best, out = score, list(members)
        elif score == best:
            out.extend(members)
    return out


def consensus_sets(pool: Sequence[Candidate]) -> dict[frozenset[int], list[Candidate]]:
    """CodeT's consensus sets: solutions keyed by the exact set of generated tests they pass (non-empty sets)."""
    sets: dict[frozenset[int], list[Candidate]] = defaultdict(list)
    for c in pool:
        if c.gen_passed:
            sets[c.gen_passed].append(c)
    return sets


def codet_score(n_solutions: int, n_tests: int) -> float:
    """The released code's score of a consensus set (``len(case_set) * sqrt(len(solution_set))``)."""
    return n_tests * math.sqrt(n_solutions)


def paper_score(n_solutions: int, n_tests: int) -> float:
    """The paper's ``f(S) = |S_x| * |S_y|``."""
    return float(n_solutions * n_tests)


def agreement_top(pool: Sequence[Candidate], weights: Sequence[int] | None,
                  score: Callable[[int, int], float] = codet_score) -> list[Candidate]:
    """The solutions of the best-scoring consensus set(s); empty if no solution passes a generated test."""
    w = weights if weights is not None else None
    groups = ((score(len(members), sum(w[t] for t in tests) if w is not None else len(tests)), members)
              for tests, members in consensus_sets(pool).items())
    return _top(groups)


def codet(pool: Sequence[Candidate], weights: Sequence[int] | None = None,
          score: Callable[[int, int], float] = codet_score) -> Pick:
    """CodeT's dual execution agreement (see the module docstring); ``weights[t]``: how often test t was written."""
    top = agreement_top(pool, weights, score)
    return _pick(pool, top, "agreement" if top else "fallback:random")


def codet_paper(pool: Sequence[Candidate], weights: Sequence[int] | None = None) -> Pick:
    return codet(pool, weights, paper_score)


def ran(c: Candidate) -> bool:
    """Whether the solution produced a behaviour on some generated input (not only errors)."""
    return c.outputs is not None and any(o not in NOT_RUN for o in c.outputs)


def cluster(pool: Sequence[Candidate], weights: Sequence[int] | None = None) -> Pick:
    """AlphaCode / MBR-exec: the largest group of solutions with identical outputs on the generated inputs."""
    groups: dict[Hashable, list[Candidate]] = defaultdict(list)
    for c in pool:
        if ran(c):
            groups[c.outputs].append(c)
    top = _top((len(m), m) for m in groups.values())
    return _pick(pool, top, "largest-cluster" if top else "fallback:random")


def p_right(pool: Sequence[Candidate], weights: Sequence[int] | None = None) -> Pick:
    """The highest P(right) of the critique's judgement (ties: all of them)."""
    top = _top((c.p_right, [c]) for c in pool if c.p_right is not None)
    return _pick(pool, top, "p-right" if top else "fallback:random")


def shortest_right(pool: Sequence[Candidate]) -> list[Candidate]:
    """The paper's rule on a pool: among solutions judged right, the shortest critique reasoning (all if tied)."""
    right = [c for c in pool if c.judgement == "right" and c.critique_tokens is not None]
    return _top((-c.critique_tokens, [c]) for c in right)  # type: ignore[operator]


def cascade(pool: Sequence[Candidate], weights: Sequence[int] | None = None) -> Pick:
    """Public tests, then agreement, then the critique (P(right), else the paper's rule); see the module docstring."""
    steps = []
    current = list(pool)
    public = [c for c in current if c.passed_public]
    if public:
        current, _ = public, steps.append("public")
    agreed = agreement_top(current, weights)
    if agreed:
        current, _ = agreed, steps.append("agreement")
    groups: dict[Hashable, list[Candidate]] = defaultdict(list)
    for c in current:
        if ran(c):
            groups[c.outputs].append(c)
    clustered = _top((len(m), m) for m in groups.values())
    if clustered and len(clustered) < len(current):
        current, _ = clustered, steps.append("cluster")
    if any(c.p_right is not None for c in current):
        judged = [c for c in current if c.judgement == "right"] or current
        best = _top((c.p_right, [c]) for c in judged if c.p_right is not None)
        if best:
            current, _ = best, steps.append("p-right")
    else:
        best = shortest_right(current)
        if best:
            current, _ = best, steps.append("shortest-critique")
    return _pick(pool, current, "+".join(steps) or "fallback:random")


def random_pick(pool: Sequence[Candidate], weights: Sequence[int] | None = None) -> Pick:
    return _pick(pool, pool, "random")


@dataclass(frozen=True)
class AgreementStrategy:
    name: str
    rule: Callable[[Sequence[Candidate], Sequence[int] | None], Pick]
    needs: tuple[str, ...]  # inputs it needs: "generated-tests", "critiques"
    source: str


STRATEGIES: dict[str, AgreementStrategy] = {s.name: s for s in (
    AgreementStrategy("random", random_pick, (), "uniform draw: the sampler's pass@1"),
    AgreementStrategy("codet", codet, ("generated-tests",), "CodeT (Chen et al. 2022), released code's score"),
    AgreementStrategy("codet-paper", codet_paper, ("generated-tests",), "CodeT, the paper's |S_x|*|S_y|"),
    AgreementStrategy("cluster", cluster, ("generated-tests",), "AlphaCode / MBR-exec output clustering"),
    AgreementStrategy("p-right", p_right, ("critiques",), "highest P(right) of the critique's judgement"),
    AgreementStrategy("cascade", cascade, (), "public tests > agreement > outputs > critique (ours)"),
)}


def available(inputs: set[str]) -> list[str]:
    """The strategies the given inputs allow (``cascade`` needs at least one of its layers)."""
    names = [n for n, s in STRATEGIES.items() if set(s.needs) <= inputs]
    if not inputs & {"generated-tests", "critiques", "public-tests"}:
        names.remove("cascade")
    return names


def select_all(problems: dict[str, Sequence[Candidate]], strategy: str,
               weights: dict[str, Sequence[int]] | None = None) -> dict[str, Pick]:
    """Apply one strategy to every problem (pool order does not matter)."""
    rule = STRATEGIES[strategy].rule
    out = {}
    for pid, pool in problems.items():
        if not pool:
            raise ValueError(f"problem {pid!r} has no samples")
        out[pid] = rule(sorted(pool, key=lambda c: c.index), (weights or {}).get(pid))
    return out
