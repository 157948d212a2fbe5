"""``codecritique select``: every selection strategy the inputs allow, on judged samples, as one table.

Inputs: PROBLEMS (any format the loaders read), GENERATIONS (any format the judge reads; sample indices are the
order of the samples in that file), optionally generated tests (CodeT's format) and critiques (JSONL of
``{problem_id|question_id|task_id, sample_index, judgement, reasoning_tokens|critique_reasoning_tokens,
p_right?}``). The samples are judged on the real tests (ground truth, for scoring only), on the generated tests
and on the prompt's ``>>>`` examples (public tests) through the judge, cached in ``OUT/executions.jsonl``; the
strategies of :mod:`codecritique.metrics.agreement` then pick one sample per problem.

Library code: returns data, never prints (the CLI formats :class:`SelectResult`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codecritique.critique.dual_execution import DualExecutionConfig, ProblemExecution, execute
from codecritique.errors import DataError
from codecritique.io import iter_jsonl, write_json
from codecritique.judge.generations import load_generations
from codecritique.metrics.agreement import STRATEGIES, Candidate, Pick, available, select_all
from codecritique.metrics.bootstrap import bootstrap_ci95
from codecritique.metrics.passk import pass_at_k
from codecritique.problems.generated_tests import docstring_examples, read_codet_tests, truncate_at_stops
from codecritique.problems.load import index_by_id, load_problems

ID_FIELDS = ("problem_id", "question_id", "task_id")


@dataclass
class SelectConfig:
    problems: str
    generations: str
    out: str
    generated_tests: str | None = None
    critiques: str | None = None
    truncate: bool = False  # cut completions at CodeT's/Codex's HumanEval stop sequences first
    public_examples: bool = True  # run the prompt's >>> examples as public tests
    tasks: int | None = None  # first N problems only
    resamples: int = 1000  # bootstrap resamples
    seed: int = 0
    execution: DualExecutionConfig = field(default_factory=DualExecutionConfig)


@dataclass
class SelectResult:
    problems: list[str]
    k: dict[str, int]  # samples per problem
    correct: dict[str, int]
    picks: dict[str, dict[str, Pick]]  # strategy -> problem -> pick
    selected: dict[str, dict[str, int]]  # strategy -> problem -> one seeded draw from the candidates
    intervals: dict[str, tuple[float, float]]  # column -> 95% bootstrap interval
    inputs: list[str]
    records: list[dict] = field(default_factory=list)  # one per sample, in `codecritique metrics`/`run`'s format


    def pass_at_1(self, strategy: str) -> float | None:
        picks = self.picks.get(strategy)
        if picks is None:
            return None
        return sum(picks[p].p_pass for p in self.problems) / len(self.problems)

    def oracle(self) -> float:
        return sum(pass_at_k(self.k[p], self.correct[p], self.k[p]) for p in self.problems) / len(self.problems)


def _critiques(path: str, known: dict[str, int]) -> dict[tuple[str, int], dict]:
    out: dict[tuple[str, int], dict] = {}
    for rec in iter_jsonl(path):
        d = rec.data
        if not isinstance(d, dict):
            raise rec.error("expected a JSON object")
        name = next((f for f in ID_FIELDS if f in d), None)
        if name is None:
            raise rec.error(f"no problem id (one of {', '.join(ID_FIELDS)})")
        pid = str(d[name])
        idx = d.get("sample_index")
        if not isinstance(idx, int) or isinstance(idx, bool) or idx < 0:
            raise rec.error(f"expected a non-negative integer, got {json.dumps(idx)}", "sample_index")
        if pid in known and idx >= known[pid]:
            raise rec.error(f"problem {pid!r} has {known[pid]} samples in the generations file", "sample_index")
        judgement = d.get("judgement")
        if judgement not in ("right", "wrong", None):
            raise rec.error(f'expected "right", "wrong" or null, got {json.dumps(judgement)}', "judgement")
        tokens = d.get("critique_reasoning_tokens", d.get("reasoning_tokens"))
        if tokens is not None and (not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 0):
            raise rec.error(f"expected a non-negative integer, got {json.dumps(tokens)}", "reasoning_tokens")
        p = d.get("p_right")
        if p is not None and (not isinstance(p, (int, float)) or isinstance(p, bool) or not 0 <= p <= 1):
            raise rec.error(f"expected a probability in [0, 1], got {json.dumps(p)}", "p_right")
        out[(pid, idx)] = {"judgement": judgement, "critique_tokens": tokens, "p_right": p}
    return out


def run_select(cfg: SelectConfig, on_problem: Callable[[str, int, int], None] | None = None,
               execute_only: bool = False) -> SelectResult | None:
    problems = load_problems(cfg.problems)
    index = index_by_id(problems)
    gens = load_generations(cfg.generations, index)
    unknown = sorted(set(gens) - set(index))
    if unknown:
        raise DataError(cfg.generations, f"{len(unknown)} problem(s) not in {cfg.problems}, e.g. {unknown[0]!r}")
    chosen = [p for p in problems if p.id in gens]
    if cfg.tasks is not None:
        chosen = chosen[:cfg.tasks]
    if not chosen:
        raise DataError(cfg.generations, "no samples of any problem in the problems file")
    codes = {}
    for p in chosen:
        cs = gens[p.id].codes
        if cfg.truncate:
            prompt = p.starter_code
            cs = [prompt + truncate_at_stops(c[len(prompt):]) if c.startswith(prompt) else truncate_at_stops(c)
                  for c in cs]
        codes[p.id] = cs
    generated = None
    if cfg.generated_tests:
        generated = {pid: g for pid, g in read_codet_tests(cfg.generated_tests, problems).items() if pid in codes}
    public = {p.id: docstring_examples(p.starter_code, p.metadata["entry_point"]) for p in chosen
              if cfg.public_examples and p.metadata.get("entry_point")}
    critiques = _critiques(cfg.critiques, {p: len(c) for p, c in codes.items()}) if cfg.critiques else {}
    os.makedirs(cfg.out, exist_ok=True)
    execs = execute(chosen, codes, generated, Path(cfg.out) / "executions.jsonl", cfg.execution, on_problem,
                    public=public)
    if execute_only:
        return None
    return _strategies(cfg, chosen, execs, critiques, generated is not None)


def _strategies(cfg: SelectConfig, chosen, execs: dict[str, ProblemExecution], critiques: dict,
                has_generated: bool) -> SelectResult:
    import random

    inputs = set()
    if has_generated:
        inputs.add("generated-tests")
    if critiques:
        inputs.add("critiques")
    if any(e.passed_public is not None for e in execs.values()):
        inputs.add("public-tests")
    pools: dict[str, list[Candidate]] = {}
    weights: dict[str, list[int]] = {}
    for p in chosen:
        ex = execs[p.id]
        pool = []
        for i, ok in enumerate(ex.passed):
            c = critiques.get((p.id, i), {})
            pool.append(Candidate(
                index=i, passed=ok,
                gen_passed=ex.gen_passed[i] if ex.gen_passed is not None else None,
                outputs=ex.gen_outputs[i] if ex.gen_outputs is not None else None,
                p_right=c.get("p_right"), judgement=c.get("judgement"), critique_tokens=c.get("critique_tokens"),
                passed_public=ex.passed_public[i] if ex.passed_public is not None else None))
        pools[p.id] = pool
        if ex.weights is not None:
            weights[p.id] = ex.weights
    names = available(inputs)
    picks = {name: select_all(pools, name, weights) for name in names}
    ids = [p.id for p in chosen]
    selected = {name: {pid: random.Random(f"{cfg.seed}:{name}:{pid}").choice(picks[name][pid].candidates)
                       for pid in ids} for name in names}
    k = {pid: len(pools[pid]) for pid in ids}
    correct = {pid: sum(c.passed for c in pools[pid]) for pid in ids}
    columns = {name: [picks[name][pid].p_pass for pid in ids] for name in names}
    columns["oracle"] = [pass_at_k(k[pid], correct[pid], k[pid]) for pid in ids]
    intervals = bootstrap_ci95(columns, cfg.resamples, f"select:{cfg.seed}")
    records = [run_record(pid, c, weights.get(pid)) for pid in ids for c in pools[pid]]
    result = SelectResult(ids, k, correct, picks, selected, intervals, sorted(inputs), records)
    write_json(Path(cfg.out) / "selection.json", selection_json(result))
    return result


def run_record(problem_id: str, c: Candidate, weights: list[int] | None) -> dict:
    """A sample as a per-solution record of ``codecritique run`` / ``metrics`` (:mod:`codecritique.metrics.records`),
    so the metrics layer (pass@1|select@k, Figure 3's curves) computes the same strategies from it."""
    return {"problem_id": problem_id, "sample_index": c.index, "difficulty": None, "passed": c.passed,
            "judgement": c.judgement, "critique_reasoning_tokens": c.critique_tokens if c.judgement else None,
            "passed_public": c.passed_public, "p_right": c.p_right,
            "generated_tests_passed": None if c.gen_passed is None else sorted(c.gen_passed),
            "generated_outputs": None if c.outputs is None else list(c.outputs),
            "generated_test_weights": weights if c.gen_passed is not None or c.outputs is not None else None}


def selection_json(result: SelectResult) -> dict:
    return {
        "problems": len(result.problems),
        "inputs": result.inputs,
        "oracle": {"pass@k": result.oracle(), "ci95": list(result.intervals["oracle"])},
        "strategies": {name: {"pass@1": result.pass_at_1(name), "ci95": list(result.intervals[name]),
                              "source": STRATEGIES[name].source,
                              "selected": result.selected[name],
                              "candidates": {pid: list(pk.candidates) for pid, pk in picks.items()},
                              "rules": {pid: pk.rule for pid, pk in picks.items()}}
                       for name, picks in result.picks.items()},
    }
