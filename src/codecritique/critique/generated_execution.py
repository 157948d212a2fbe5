"""The model-written tests of ``codecritique run`` (the ``testrun`` step): every solution on its problem's generated
tests in the judge's sandbox, asserts through the batched runner of :mod:`.dual_execution`, stdin inputs as
ordinary judge tests; results cached per problem like :func:`.dual_execution.execute`'s."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codecritique.io import jsonl_line
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.generated_tests import GeneratedTests
from codecritique.problems.model import Problem

from .dual_execution import RESULTS_VERSION, DualExecutionConfig, digest, execute_part, stored_rows

@dataclass
class GeneratedSuite:
    """One problem's model-written tests as ``run`` generates them: ``kind`` ``"functional"`` (asserts, with the
    expected values the model wrote) or ``"stdin"`` (inputs only); ``weights[i]``: how often test i was written."""

    problem_id: str
    kind: str
    cases: list[str]
    weights: list[int]


@dataclass
class GeneratedResult:
    """One solution on its problem's generated tests: ``passed`` (indices; None for inputs without expected
    outputs) and ``outputs`` (per test, a digest of what it produced, or its verdict where it did not run)."""

    passed: list[int] | None
    outputs: list[str]


# appended to a LeetCode solution so that the model's `f(...)` asserts call `Solution().f(...)`
_METHOD_SHIM = "\n\ndef {name}(*args, **kwargs):\n    return Solution().{name}(*args, **kwargs)\n"
_RAN = (Verdict.AC, Verdict.WA)


def with_method_shim(code: str, problem: Problem) -> str:
    """``code`` plus a top-level function calling ``Solution().<fn_name>`` when the problem is a LeetCode method
    and the code defines ``class Solution`` (otherwise unchanged: the call then fails as the solution would)."""
    if problem.metadata.get("entry_point") or not problem.fn_name or "class Solution" not in code:
        return code
    return code + _METHOD_SHIM.format(name=problem.fn_name)


def execute_generated(problems: dict[str, Problem], solutions: Sequence[tuple[str, int, str | None, str]],
                      suites: dict[str, GeneratedSuite], results_path: str | Path | None,
                      config: DualExecutionConfig | None = None, judge: JudgeConfig | None = None,
                      on_problem: Callable[[str, int, int], None] | None = None
                      ) -> dict[tuple[str, int], GeneratedResult]:
    """Every solution ``(problem_id, sample_index, code or None, language)`` on its problem's generated tests, in
    the judge's sandbox, every test run (no stop at the first failure):

    * functional suites (Python): the batched runner of :func:`.dual_execution.execute` (each assert in its own copy of the
      solution's globals under ``config.time_limit`` of CPU), LeetCode methods through :func:`with_method_shim`;
    * stdin suites (any language): each input an ordinary judge test (``judge``'s sandbox and checker settings,
      ``config.time_limit`` per input), the output's digest recorded; there is no expected output, so ``passed``
      is None.

    Results are cached per problem in ``results_path`` as :func:`.dual_execution.execute` does (a re-run, or a run resumed after a
    kill, judges only the problems whose code or tests changed). A solution without code gets ``CE`` on every test.
    """
    cfg = config or DualExecutionConfig()
    by_problem: dict[str, list[tuple[int, str | None, str]]] = {}
    for pid, idx, code, language in solutions:
        by_problem.setdefault(pid, []).append((idx, code, language))
    out: dict[tuple[str, int], GeneratedResult] = {}
    functional = {pid: s for pid, s in suites.items() if s.kind == "functional" and s.cases and pid in by_problem}
    stdin = {pid: s for pid, s in suites.items() if s.kind == "stdin" and s.cases and pid in by_problem}
    total, done = len(functional) + len(stdin), [0]

    def tick(pid: str, *_: int) -> None:
        done[0] += 1
        if on_problem:
            on_problem(pid, done[0], total)

    runnable = {pid: [(i, with_method_shim(c, problems[pid])) for i, c, lang in by_problem[pid]
                      if c is not None and lang == "python"] for pid in functional}
    runnable = {pid: v for pid, v in runnable.items() if v}
    if runnable:
        gen = {pid: GeneratedTests(pid, list(functional[pid].cases), list(functional[pid].weights))
               for pid in runnable}
        execs = execute_part([problems[pid] for pid in runnable], {pid: [c for _, c in v] for pid, v in runnable.items()},
                         gen, results_path, cfg, tick, part="generated")
        for pid, v in runnable.items():
            ex = execs[pid]
            for (idx, _), passed, outputs in zip(v, ex.gen_passed or [], ex.gen_outputs or []):
                out[pid, idx] = GeneratedResult(sorted(passed), list(outputs))
    for pid in functional:
        if pid not in runnable:
            tick(pid)
    if stdin:
        out.update(_execute_inputs(problems, by_problem, stdin, results_path, cfg, judge or JudgeConfig(), tick))
    for pid, suite in {**functional, **stdin}.items():
        for idx, _code, _lang in by_problem[pid]:
            if (pid, idx) not in out:  # no code (or not Python for asserts): it ran on nothing
                out[pid, idx] = GeneratedResult([] if suite.kind == "functional" else None, ["CE"] * len(suite.cases))
    return out


def _execute_inputs(problems: dict[str, Problem], by_problem: dict[str, list[tuple[int, str | None, str]]],
                    suites: dict[str, GeneratedSuite], results_path: str | Path | None, cfg: DualExecutionConfig,
                    judge: JudgeConfig, tick: Callable[..., None]) -> dict[tuple[str, int], GeneratedResult]:
    from dataclasses import replace

    from codecritique.problems.model import Test

    keys = {pid: digest("inputs", s.cases, [(i, c, lang) for i, c, lang in by_problem[pid]], cfg.time_limit,
                         judge.sandbox, RESULTS_VERSION) for pid, s in suites.items()}
    cached: dict[str, dict[int, list[str]]] = {d["problem_id"]: {int(i): list(o) for i, o in d["outputs"]}
                                               for d in stored_rows(results_path, "inputs", keys)}
    results: dict[tuple[str, int], GeneratedResult] = {}
    for pid, outs in cached.items():
        for idx, o in outs.items():
            results[pid, idx] = GeneratedResult(None, o)
        tick(pid)
    todo = [pid for pid in suites if pid not in cached]
    if not todo:
        return results
    jc = replace(judge, all_tests=True, time_limit=cfg.time_limit, cache=None, checker="default")
    out = open(results_path, "a", encoding="utf-8") if results_path is not None else None
    try:
        with Judge(jc) as j:
            for pid in todo:
                base = problems[pid]
                gen = Problem(id=f"{pid}#generated-inputs", tests=[Test(kind="stdin", input=x, output="")
                                                                   for x in suites[pid].cases],
                              metadata=dict(base.metadata), time_limit=base.time_limit, memory_limit=base.memory_limit)
                subs = [(idx, Submission(gen, code, lang)) for idx, code, lang in by_problem[pid] if code is not None]
                verdicts = j.run([s for _, s in subs]) if subs else []
                outs: dict[int, list[str]] = {}
                for (idx, _), res in zip(subs, verdicts):
                    row = [res.verdict.value] * len(gen.tests)
                    for t in res.test_results:
                        row[t.index] = t.output_digest[:12] if t.verdict in _RAN and t.output_digest else t.verdict.value
                    outs[idx] = row
                    results[pid, idx] = GeneratedResult(None, row)
                if out is not None:
                    out.write(jsonl_line({"problem_id": pid, "part": "inputs", "key": keys[pid],
                                          "outputs": [[i, o] for i, o in sorted(outs.items())]}))
                    out.flush()
                    os.fsync(out.fileno())
                tick(pid)
    finally:
        if out is not None:
            out.close()
    return results
