"""Running every sampled solution against model-generated tests (and against the real tests), through the judge.

This is the execution half of CodeT's "dual execution agreement" and of AlphaCode/MBR-exec clustering: the
selection strategies themselves are pure functions in :mod:`codecritique.metrics.agreement`.

* ``mode="batched"`` (default): one run per (problem, distinct solution) in the judge's sandbox (its workers:
  bubblewrap, rlimits, seccomp), which runs every generated test in turn, each in its own copy of the solution's
  globals, under its own CPU-time limit (``ITIMER_PROF``, re-armed so a bare ``except:`` cannot swallow it),
  with the solution's output discarded, and reports per test: passed, and the digest of the value the call
  returned. This is how CodeT runs them (one process per solution); measured here, one judge test per assert
  ran at ~36 tests/s on the shared machine, i.e. hours for the 164 x 100 x ~50 HumanEval matrix.
* ``mode="per-test"``: each generated test an ordinary judge test (``functional`` or ``program``, see
  :mod:`codecritique.problems.generated_tests`), scheduled by the judge like any other: slower, used to check
  that both modes agree.
* Every test of every solution is run (``all_tests``): agreement needs the full pass matrix, not the first failure.
* Identical code of a problem is judged once (the judge deduplicates).
* Results go to a JSONL file, one line per problem, written as each chunk of problems is judged; a re-run reads
  the lines whose inputs (code and tests) are unchanged and judges only the rest, so a long run survives
  ``kill -9`` and a benchmark can be re-run without re-judging.

A per-sample row: ``passed`` (indices of the generated tests it passes) and ``outputs`` (per test: the digest of
the function's return value for functional tests, else the verdict; CE/SE when the solution never ran).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codecritique.io import jsonl_line
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.generated_tests import GeneratedTests, as_tests

from .batch_runner import BatchRunner
from codecritique.problems.model import Problem

RESULTS_VERSION = 1  # part of each cached row's key: bump when what is recorded changes
GENERATED_TIME_LIMIT = 0.25  # s of CPU per generated test (CodeT: 0.1 s of wall time per test case)


@dataclass
class DualExecutionConfig:
    time_limit: float = GENERATED_TIME_LIMIT  # per generated test
    truth_time_limit: float | None = 1.0  # s of CPU per real test (HumanEval checks need milliseconds; CodeT: 0.1 s wall)
    workers: int = 0  # 0: one per CPU core
    sandbox: str = "bwrap"
    chunk: int = 4  # problems judged per judge call (and per line batch of the results file)
    mode: str = "batched"  # batched | per-test (see the module docstring)
    memory_mb: int = 2048


@dataclass
class ProblemExecution:
    """One problem's results: ground truth per sample, and the generated-test matrix when tests were given."""

    problem_id: str
    passed: list[bool]  # passes the problem's real tests
    gen_passed: list[frozenset[int]] | None = None  # per sample: generated tests passed
    gen_outputs: list[tuple[str, ...]] | None = None  # per sample: per generated test, output digest or verdict
    weights: list[int] | None = None  # how often each generated test was written
    verdicts: list[str] = field(default_factory=list)  # per sample, on the real tests
    passed_public: list[bool] | None = None  # per sample: passes every public example (None: the problem has none)


def digest(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True).encode())
        h.update(b"\0")
    return h.hexdigest()[:24]


def _row_outputs(res, functional: list[bool]) -> tuple[list[int], list[str]]:
    if isinstance(res, tuple):  # from the batch runner: already (passed, outputs)
        return res
    """(generated tests passed, per test the return value's digest for a functional test that returned, else the
    verdict). A solution that never ran (CE, SE) has the verdict on every test."""
    outputs = [res.verdict.value] * len(functional)
    passed = []
    for t in res.test_results:
        if t.verdict is Verdict.AC:
            passed.append(t.index)
        returned = functional[t.index] and t.verdict in (Verdict.AC, Verdict.WA) and t.output_digest
        outputs[t.index] = t.output_digest[:12] if returned else t.verdict.value
    return sorted(passed), outputs


def _program_tests(problem: Problem, generated: GeneratedTests) -> Problem:
    entry = problem.metadata.get("entry_point") or problem.fn_name or ""
    return Problem(id=problem.id + "#generated", tests=as_tests(generated, entry), starter_code=problem.starter_code,
                   metadata=dict(problem.metadata))


def execute(problems: Sequence[Problem], codes: dict[str, list[str]], generated: dict[str, GeneratedTests] | None,
            results_path: str | Path | None, config: DualExecutionConfig | None = None,
            on_problem: Callable[[str, int, int], None] | None = None,
            public: dict[str, list[str]] | None = None) -> dict[str, ProblemExecution]:
    """Judge ``codes[pid]`` (full programs, in sample order) on each problem's tests and, if given, its generated
    tests and its public examples (asserts, run like generated tests, in a pass of their own so that changing
    them re-runs only them). ``on_problem(problem_id, done, total)`` after each problem (cached ones included)."""
    cfg = config or DualExecutionConfig()
    main = execute_part(problems, codes, generated, results_path, cfg, on_problem, part="main")
    public = {pid: list(cases) for pid, cases in (public or {}).items() if cases and pid in main}
    if public:
        pub_tests = {pid: GeneratedTests(pid, cases, [0] * len(cases)) for pid, cases in public.items()}
        pub = execute_part([p for p in problems if p.id in public], codes, pub_tests, results_path, cfg, None,
                       part="public")
        for pid, ex in pub.items():
            n = len(public[pid])
            main[pid].passed_public = [len(s) == n for s in ex.gen_passed or []]
    return main


def execute_part(problems: Sequence[Problem], codes: dict[str, list[str]], generated: dict[str, GeneratedTests] | None,
             results_path: str | Path | None, cfg: DualExecutionConfig,
             on_problem: Callable[[str, int, int], None] | None, part: str) -> dict[str, ProblemExecution]:
    """One pass: ``part="main"`` judges the real tests and the generated ones; ``"public"`` only the given tests."""
    truth_wanted = part == "main"
    real_generated = set(generated or {})
    public: dict[str, list[str]] = {}
    generated = generated or {}
    keys = {p.id: digest(p.tests_fingerprint(), codes[p.id], generated[p.id].cases if p.id in generated else None,
                          None, cfg.time_limit, cfg.truth_time_limit, cfg.mode, RESULTS_VERSION)
            if truth_wanted else
            digest("public", codes[p.id], generated[p.id].cases, cfg.time_limit, cfg.mode, RESULTS_VERSION)
            for p in problems if p.id in codes}
    done: dict[str, ProblemExecution] = {d["problem_id"]: _from_row(d) for d in stored_rows(results_path, part, keys)}
    todo = [p for p in problems if p.id in keys and p.id not in done]
    total = len(keys)
    for n, pid in enumerate(done, start=1):  # the cached ones first, counted one by one
        if on_problem:
            on_problem(pid, n, total)
    if not todo:
        return done
    truth_cfg = JudgeConfig(workers=cfg.workers, sandbox=cfg.sandbox, time_limit=cfg.truth_time_limit)
    gen_cfg = JudgeConfig(workers=cfg.workers, sandbox=cfg.sandbox, time_limit=cfg.time_limit, all_tests=True)
    batch = BatchRunner(cfg.time_limit, cfg.workers, cfg.sandbox, cfg.memory_mb) if cfg.mode == "batched" else None
    out = open(results_path, "a", encoding="utf-8") if results_path is not None else None
    if out is not None and out.tell() > 0:
        with open(results_path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                out.write("\n")  # end a line torn by a kill, so the next row starts on its own line
    try:
        with Judge(truth_cfg) as truth_judge, Judge(gen_cfg) as gen_judge, batch or _Nothing():
            for start in range(0, len(todo), cfg.chunk):
                chunk = todo[start:start + cfg.chunk]
                truth = truth_judge.run([Submission(p, c) for p in chunk for c in codes[p.id]]) if truth_wanted \
                    else None
                gen_subs = [Submission(_program_tests(p, generated[p.id]), c)
                            for p in chunk if p.id in generated and generated[p.id].cases for c in codes[p.id]]
                kinds = {s.problem.id: [t.kind == "functional" for t in s.problem.tests] for s in gen_subs}
                if batch is not None:
                    gen = iter(batch.run([(p, generated[p.id], c) for p in chunk
                                          if p.id in generated and generated[p.id].cases for c in codes[p.id]]))
                    kinds = {k: [True] * len(v) for k, v in kinds.items()}
                else:
                    gen = iter(gen_judge.run(gen_subs)) if gen_subs else iter(())
                pos = 0
                for p in chunk:
                    n = len(codes[p.id])
                    mine = truth[pos:pos + n] if truth is not None else []
                    pos += n
                    ex = ProblemExecution(p.id, [r.passed for r in mine], verdicts=[r.verdict.value for r in mine])
                    g = generated.get(p.id)
                    if g is not None:
                        n_pub = len(public.get(p.id, ()))
                        n_gen = len(g.cases) - n_pub
                        functional = kinds.get(p.id + "#generated", [])
                        rows = [_row_outputs(next(gen), functional) for _ in range(n)] if g.cases else \
                            [([], [])] * n
                        if n_pub:
                            ex.passed_public = [sum(1 for t in r[0] if t >= n_gen) == n_pub for r in rows]
                        if p.id in real_generated:
                            ex.weights = list(g.weights[:n_gen])
                            ex.gen_passed = [frozenset(t for t in r[0] if t < n_gen) for r in rows]
                            ex.gen_outputs = [tuple(r[1][:n_gen]) for r in rows]
                    done[p.id] = ex
                    if out is not None:
                        out.write(jsonl_line(_to_row(ex, keys[p.id], part)))
                        out.flush()
                        os.fsync(out.fileno())
                    if on_problem:
                        on_problem(p.id, len(done), total)
    finally:
        if out is not None:
            out.close()
    return done


def _to_row(ex: ProblemExecution, key: str, part: str = "main") -> dict:
    row = {"problem_id": ex.problem_id, "part": part, "key": key, "passed": ex.passed, "verdicts": ex.verdicts}
    if ex.gen_passed is not None:
        row["weights"] = ex.weights
        row["gen_passed"] = [sorted(s) for s in ex.gen_passed]
        row["gen_outputs"] = [list(o) for o in ex.gen_outputs or []]
    return row


def _from_row(d: dict) -> ProblemExecution:
    ex = ProblemExecution(d["problem_id"], list(d["passed"]), verdicts=list(d.get("verdicts", [])))
    if "gen_passed" in d:
        ex.weights = list(d["weights"])
        ex.gen_passed = [frozenset(s) for s in d["gen_passed"]]
        ex.gen_outputs = [tuple(o) for o in d["gen_outputs"]]
    return ex


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def stored_rows(results_path: str | Path | None, part: str, keys: dict[str, str]) -> Iterator[dict]:
    """The rows of ``results_path`` (JSONL, appended as results come; a kill may tear its last line) of ``part``
    whose key is still their problem's: what an earlier run computed that holds for this one."""
    if results_path is None or not os.path.exists(results_path):
        return
    with open(results_path, encoding="utf-8") as f:
        for text in f:
            try:
                d = json.loads(text)
            except ValueError:
                continue  # a line torn by a kill: judged again
            if isinstance(d, dict) and d.get("part", "main") == part and keys.get(d.get("problem_id")) == d.get("key"):
                yield d
