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
from codecritique.judge.requests import code_key
from codecritique.judge.sandbox import SandboxConfig, resolve_kind
from codecritique.judge.verdict import SampleResult, Verdict
from codecritique.judge.worker import RunRequest, Worker, WorkerError
from codecritique.problems.generated_tests import VALUE_NAME, GeneratedTests, as_tests, split_value
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


def _digest(*parts: object) -> str:
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
    main = _execute(problems, codes, generated, results_path, cfg, on_problem, part="main")
    public = {pid: list(cases) for pid, cases in (public or {}).items() if cases and pid in main}
    if public:
        pub_tests = {pid: GeneratedTests(pid, cases, [0] * len(cases)) for pid, cases in public.items()}
        pub = _execute([p for p in problems if p.id in public], codes, pub_tests, results_path, cfg, None,
                       part="public")
        for pid, ex in pub.items():
            n = len(public[pid])
            main[pid].passed_public = [len(s) == n for s in ex.gen_passed or []]
    return main


def _execute(problems: Sequence[Problem], codes: dict[str, list[str]], generated: dict[str, GeneratedTests] | None,
             results_path: str | Path | None, cfg: DualExecutionConfig,
             on_problem: Callable[[str, int, int], None] | None, part: str) -> dict[str, ProblemExecution]:
    """One pass: ``part="main"`` judges the real tests and the generated ones; ``"public"`` only the given tests."""
    truth_wanted = part == "main"
    real_generated = set(generated or {})
    public: dict[str, list[str]] = {}
    generated = generated or {}
    keys = {p.id: _digest(p.tests_fingerprint(), codes[p.id], generated[p.id].cases if p.id in generated else None,
                          None, cfg.time_limit, cfg.truth_time_limit, cfg.mode, RESULTS_VERSION)
            if truth_wanted else
            _digest("public", codes[p.id], generated[p.id].cases, cfg.time_limit, cfg.mode, RESULTS_VERSION)
            for p in problems if p.id in codes}
    done: dict[str, ProblemExecution] = {d["problem_id"]: _from_row(d) for d in _stored_rows(results_path, part, keys)}
    todo = [p for p in problems if p.id in keys and p.id not in done]
    total = len(keys)
    for n, pid in enumerate(done, start=1):  # the cached ones first, counted one by one
        if on_problem:
            on_problem(pid, n, total)
    if not todo:
        return done
    truth_cfg = JudgeConfig(workers=cfg.workers, sandbox=cfg.sandbox, time_limit=cfg.truth_time_limit)
    gen_cfg = JudgeConfig(workers=cfg.workers, sandbox=cfg.sandbox, time_limit=cfg.time_limit, all_tests=True)
    batch = BatchRunner(cfg) if cfg.mode == "batched" else None
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


_HARNESS = r"""

def __codecritique_run_generated(__cases, __limit):
    import contextlib as _c, hashlib as _h, io as _io, json as _j, signal as _s, sys as _sys

    class _Limit(BaseException):
        pass

    def _alarm(*_a):
        raise _Limit()

    _s.signal(_s.SIGPROF, _alarm)
    _base = dict(globals())
    _out = []
    for _value, _check in __cases:
        _ns = dict(_base)
        _digest = None
        _sink = _io.StringIO()
        try:
            with _c.redirect_stdout(_sink), _c.redirect_stderr(_sink):
                _s.setitimer(_s.ITIMER_PROF, __limit, 0.05)
                try:
                    if _value is not None:
                        _v = eval(_value, _ns)
                        _ns["%(value)s"] = _v
                        try:
                            _digest = _h.sha256(repr(_v).encode("utf-8", "replace")).hexdigest()[:12]
                        except BaseException:
                            _digest = "unrepresentable"
                    exec(_check, _ns)
                finally:
                    _s.setitimer(_s.ITIMER_PROF, 0, 0)
            _out.append([1, _digest or "AC"])
        except _Limit:
            _out.append([0, "TLE"])
        except AssertionError:
            _out.append([0, _digest or "WA"])
        except BaseException:
            _out.append([0, _digest or "RE"])
    _sys.__stdout__.write("\n%(marker)s" + _j.dumps(_out) + "\n")
    _sys.__stdout__.flush()


__codecritique_run_generated(%(cases)s, %(limit)r)
"""
_MARKER = "@@codecritique-generated@@"


class BatchRunner:
    """Runs all generated tests of one solution in one sandboxed run, on the judge's workers (see module doc)."""

    def __init__(self, cfg: DualExecutionConfig):
        import os as _os

        self.cfg = cfg
        kind, self.warning = resolve_kind(cfg.sandbox)
        n = cfg.workers or _os.cpu_count() or 1
        self.workers = [Worker(i, SandboxConfig(kind=kind), kind) for i in range(n)]

    def __enter__(self) -> "BatchRunner":
        return self

    def __exit__(self, *exc) -> None:
        for w in self.workers:
            w.close()

    def _source(self, code: str, cases: list[tuple[str | None, str]]) -> str:
        return code + _HARNESS % {"value": VALUE_NAME, "marker": _MARKER, "cases": repr(cases),
                                  "limit": float(self.cfg.time_limit)}

    def run(self, items: list[tuple[Problem, GeneratedTests, str]]) -> list[tuple[list[int], list[str]]]:
        """(passed test indices, per-test output digest or verdict) for each (problem, tests, code), in order;
        identical (problem, code) pairs are run once."""
        import queue
        import threading

        split: dict[str, list[tuple[str | None, str]]] = {}
        unique: dict[tuple[str, str], int] = {}
        order = []
        prelude: dict[str, bool] = {}
        for p, g, code in items:
            if p.id not in split:
                entry = p.metadata.get("entry_point") or p.fn_name or ""
                split[p.id] = [split_value(c, entry) for c in g.cases]
                # a LeetCode method: the solution relies on LeetCode's implicit imports (List, ...), as in the judge
                prelude[p.id] = not p.metadata.get("entry_point") and bool(p.fn_name)
            order.append(unique.setdefault((p.id, code), len(unique)))
        jobs = list(unique)
        results: list[tuple[list[int], list[str]] | None] = [None] * len(jobs)
        todo: queue.Queue = queue.Queue()
        for i in range(len(jobs)):
            todo.put(i)

        def drive(worker: Worker) -> None:
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                pid, code = jobs[i]
                results[i] = self._one(worker, code, split[pid], prelude[pid])

        threads = [threading.Thread(target=drive, args=(w,), daemon=True) for w in self.workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [results[j] for j in order]  # type: ignore[misc]

    def _one(self, worker: Worker, code: str, cases: list[tuple[str | None, str]],
             prelude: bool = False) -> tuple[list[int], list[str]]:
        n = len(cases)
        source = self._source(code, cases)
        key = code_key("python-generated", source, prelude)
        cpu = self.cfg.time_limit * n + 1.0
        for attempt in range(3):
            try:
                if not worker.alive:
                    worker.start()
                err = worker.load(key, source, prelude=prelude)
                if err is not None:
                    return [], ["CE"] * n
                out = worker.run(RunRequest(key=key, kind="program", cpu_limit=cpu, wall_limit=3 * cpu + 5,
                                            memory_mb=self.cfg.memory_mb, output_cap=16 << 20, nproc=64))
                break
            except WorkerError:
                worker.close()
        else:
            return [], ["SE"] * n
        text = out.stdout.decode("utf-8", "replace")
        at = text.rfind(_MARKER)
        if at < 0:  # killed (CPU limit of the whole run), exited early, or crashed
            verdict = "TLE" if out.wall_killed or (out.cpu_time >= cpu) else "RE"
            return [], [verdict] * n
        try:
            rows = json.loads(text[at + len(_MARKER):].strip().splitlines()[0])
        except (ValueError, IndexError):
            return [], ["RE"] * n
        if len(rows) != n:
            return [], ["RE"] * n
        return [i for i, (ok, _) in enumerate(rows) if ok], [d for _, d in rows]


# ---------------------------------------------------------------- model-written tests of `codecritique run`


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

    * functional suites (Python): the batched runner of :func:`execute` (each assert in its own copy of the
      solution's globals under ``config.time_limit`` of CPU), LeetCode methods through :func:`with_method_shim`;
    * stdin suites (any language): each input an ordinary judge test (``judge``'s sandbox and checker settings,
      ``config.time_limit`` per input), the output's digest recorded; there is no expected output, so ``passed``
      is None.

    Results are cached per problem in ``results_path`` as :func:`execute` does (a re-run, or a run resumed after a
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
        execs = _execute([problems[pid] for pid in runnable], {pid: [c for _, c in v] for pid, v in runnable.items()},
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



def _stored_rows(results_path: str | Path | None, part: str, keys: dict[str, str]) -> Iterator[dict]:
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


def _execute_inputs(problems: dict[str, Problem], by_problem: dict[str, list[tuple[int, str | None, str]]],
                    suites: dict[str, GeneratedSuite], results_path: str | Path | None, cfg: DualExecutionConfig,
                    judge: JudgeConfig, tick: Callable[..., None]) -> dict[tuple[str, int], GeneratedResult]:
    from dataclasses import replace

    from codecritique.problems.model import Test

    keys = {pid: _digest("inputs", s.cases, [(i, c, lang) for i, c, lang in by_problem[pid]], cfg.time_limit,
                         judge.sandbox, RESULTS_VERSION) for pid, s in suites.items()}
    cached: dict[str, dict[int, list[str]]] = {d["problem_id"]: {int(i): list(o) for i, o in d["outputs"]}
                                               for d in _stored_rows(results_path, "inputs", keys)}
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
