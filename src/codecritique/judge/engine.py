"""The judge: runs many solutions against their problems' tests on a pool of sandboxed workers.

    with Judge(JudgeConfig(checker="default")) as judge:
        results = judge.run([Submission(problem, code), ...])   # one SampleResult per submission, in order

Identical code for the same problem is judged once. Each worker thread drives one zygote (see sandboxed/zygote.py); tests
are handed out by the Scheduler. A worker that fails (crash, hang, garbage) is restarted and the test retried;
after ``retries`` failures the test's verdict is SE, which never counts as a wrong answer.

C++ solutions (``language="cpp"``) are compiled first, on a small thread pool, while the workers run the tests of
solutions already compiled (see cpp_prepare.py: what is compiled for each test kind); the binaries then run in the
same sandbox as Python, with the same limits and checkers.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..problems.extraction import normalize_language
from ..problems.model import Problem, Test
from .cache import VerdictCache
from .checkers import Checker, get_checker
from .config import JUDGE_VERSION, LANGUAGES, PER_PROBLEM_CHECKERS, SANDBOXES, JudgeConfig  # noqa: F401 - SANDBOXES re-exported
from .cpp import CppCompiler
from .cpp_prepare import CppPreparation
from .cpp_profiles import LCB_CPP_CHECKER, get_profile
from .cpp_toolchain import CompilerMissing
from .limits import DEFAULT_MEMORY_MB, DEFAULT_TIME_LIMIT
from .outcome import Limits, classify
from .sandbox import SandboxConfig, python_executable, resolve_kind
from .scheduler import Job, Scheduler
from .verdict import SampleResult, TestResult, Verdict
from .worker import RunOutcome, RunRequest, Worker, WorkerError

log = logging.getLogger(__name__)


@dataclass
class Submission:
    problem: Problem
    code: str
    language: str = "python"
    tag: Any = None  # the caller's identifier (e.g. (question_id, sample_index)); not used by the judge




@dataclass
class _Payload:
    problem: Problem
    code: str
    language: str
    tests: list[Test]
    limits: Limits
    key: str  # content hash of (language, code, prelude)
    prelude: bool
    checker: Checker
    runs: list[int] = field(default_factory=list)  # indices of the submissions this job answers
    binaries: dict[str, str] = field(default_factory=dict)  # C++: "stdin" | "functional" | "program:<i>" -> path


def code_key(language: str, code: str, prelude: bool) -> str:
    h = hashlib.sha256(f"{language}\0{int(prelude)}\0".encode() + code.encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:32]


class Judge:
    def __init__(self, config: JudgeConfig | None = None):
        self.config = config or JudgeConfig()
        self.checker: Checker = get_checker(self.config.checker)
        kind, warning = resolve_kind(self.config.sandbox)
        self.sandbox_kind = kind
        self.warning = warning
        if warning:  # logged, not printed (the judge never prints): the CLI shows warnings on stderr
            log.warning(warning.removeprefix("WARNING: "))
        n = self.config.workers or os.cpu_count() or 1
        self.sandbox_config = SandboxConfig(kind=kind, allow_fork=self.config.allow_fork,
                                            tmp_size_mb=self.config.tmp_size_mb, python=self.config.python)
        self.workers = [Worker(i, self.sandbox_config, kind) for i in range(n)]
        self.cache = VerdictCache(self.config.cache) if self.config.cache else None
        self.stats = {"tests_run": 0, "worker_restarts": 0, "system_errors": 0, "deduplicated": 0, "cached": 0,
                      "compiles": 0, "compile_cache_hits": 0, "compile_errors": 0, "unmappable": 0}
        # seconds summed over tests: fork (in the zygote), set-up of the test process, run, the rest of the
        # zygote's work, the pipe round trip, and the output check (in the judge); compile: CPU seconds of the
        # C++ compiles
        self.timing = dict.fromkeys(("fork", "setup", "run", "zygote_other", "ipc", "compare", "compile"), 0.0)
        self._timing_lock = threading.Lock()
        self._started = False
        self.cpp_profile = get_profile(self.config.cpp_profile)
        self.cpp = CppPreparation(self.config, self.cpp_profile, kind, n, self.stats, self.timing, self._timing_lock)

    # -- life cycle

    def __enter__(self) -> "Judge":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.cpp.close()
        for w in self.workers:
            w.close()
        if self.cache:
            self.cache.close()

    def _start_workers(self, cpp: bool = False) -> None:
        if cpp and self.cpp_compiler.bin_dir.as_posix() not in self.sandbox_config.ro_binds:
            # the sandbox must see the binary cache; workers started without it start again
            self.sandbox_config.ro_binds.append(self.cpp_compiler.bin_dir.as_posix())
            for w in self.workers:
                w.close()
            self._started = False
        if self._started:
            return
        errors = []
        for w in self.workers:
            try:
                w.start()
            except WorkerError as e:
                errors.append(str(e))
        if len(errors) == len(self.workers):
            raise RuntimeError(f"no judge worker could start: {errors[0]}")
        self._started = True

    @property
    def isolation(self) -> str:
        """What isolation the tests actually get, for the record."""
        w = next((w for w in self.workers if w.alive), None)
        detail = f"{self.sandbox_kind}/{w.strategy}" + ("+seccomp" if w.seccomp_active else "") if w else \
            self.sandbox_kind
        return detail + (f" ({self.warning})" if self.warning else "")

    @property
    def cpp_compiler(self) -> CppCompiler:
        """The C++ compiler with its binary cache (made on first use)."""
        return self.cpp.compiler

    # -- judging

    def limits_for(self, problem: Problem, language: str = "python") -> Limits:
        cfg = self.config
        profile = self.cpp_profile if language == "cpp" else None
        cpu = cfg.time_limit or (profile and profile.time_limit) or problem.time_limit or DEFAULT_TIME_LIMIT
        mem = cfg.memory_mb or (profile and profile.memory_mb) or problem.memory_limit or DEFAULT_MEMORY_MB
        return Limits(cpu=float(cpu), memory_mb=int(mem), output_bytes=cfg.output_mb << 20)

    def run(self, submissions: Iterable[Submission],
            on_result: Callable[[int, Submission, SampleResult], None] | None = None) -> list[SampleResult]:
        """Judge every submission; ``on_result(i, submission, result)`` is called as results come in."""
        subs = list(submissions)
        results: list[SampleResult | None] = [None] * len(subs)

        def deliver(i: int, res: SampleResult) -> None:
            results[i] = res
            if on_result:
                on_result(i, subs[i], res)

        jobs: dict[tuple[str, str, str], Job] = {}
        for i, sub in enumerate(subs):
            language = normalize_language(sub.language) or "python"
            if language not in LANGUAGES:
                deliver(i, SampleResult(Verdict.SE, message=f"language {sub.language!r} is not supported "
                                                            f"(only {', '.join(LANGUAGES)})", sandbox=self.isolation))
                continue
            try:
                payload = self._payload(sub, language)
            except CompilerMissing as e:
                deliver(i, SampleResult(Verdict.SE, message=str(e), sandbox=self.isolation))
                continue
            if not payload.tests:
                deliver(i, SampleResult(Verdict.SE, message=f"problem {sub.problem.id} has no tests to judge",
                                        sandbox=self.isolation))
                continue
            ident = (sub.problem.id, sub.problem.tests_fingerprint(), payload.key)
            if ident in jobs:
                jobs[ident].payload.runs.append(i)
                self.stats["deduplicated"] += 1
                continue
            cached = self.cache.get(self._cache_key(payload)) if self.cache else None
            if cached is not None:
                self.stats["cached"] += 1
                # the isolation the verdict was made under (a judge that starts no worker knows only its kind)
                deliver(i, replace(cached, cached=True, sandbox=cached.sandbox or self.isolation))
                jobs[ident] = Job(key=payload.key, payload=payload, n_tests=0, done=True)
                payload.runs.append(i)
                continue
            payload.runs.append(i)
            jobs[ident] = Job(key=payload.key, payload=payload, n_tests=len(payload.tests),
                              stop_at_first_failure=not self.config.all_tests, ready=language != "cpp")
        todo = [j for j in jobs.values() if not j.done]
        for job in jobs.values():  # deliver cache hits to their duplicates
            if job.done:
                first = results[job.payload.runs[0]]
                for i in job.payload.runs[1:]:
                    deliver(i, replace(first, cached=True))
        if todo:
            self._start_workers(cpp=any(not j.ready for j in todo))
            self._execute(todo, deliver)
        return [r for r in results]  # type: ignore[misc]

    def _payload(self, sub: Submission, language: str) -> _Payload:
        problem = sub.problem
        if language == "cpp":
            cpp = self.cpp_compiler
            variant = f"cpp\0{cpp.identity}\0{shlex.join(cpp.flags)}"
            checker = LCB_CPP_CHECKER if self.cpp_profile.checker == "lcb-cpp" and self.checker.name == "default" \
                else self._checker_for(problem)
            return _Payload(problem=problem, code=sub.code, language=language, tests=list(problem.tests),
                            limits=self.limits_for(problem, language), key=code_key(variant, sub.code, False),
                            prelude=False, checker=checker)
        functional = any(t.kind == "functional" for t in problem.tests)
        prelude = functional or bool(self.config.lcb_compat)
        return _Payload(problem=problem, code=sub.code, language=language, tests=list(problem.tests),
                        limits=self.limits_for(problem), key=code_key(language, sub.code, prelude),
                        prelude=prelude, checker=self._checker_for(problem))

    def _checker_for(self, problem: Problem) -> Checker:
        """The judge's checker, or under the default one the problem's own builtin comparison (a statement that
        accepts answers in any case, see problems.answers)."""
        if self.checker.name == "default" and problem.checker in PER_PROBLEM_CHECKERS:
            return get_checker(problem.checker)
        return self.checker

    def _cache_key(self, p: _Payload) -> str:
        """Everything that can change a verdict: the problem's tests, the code, the limits, the checker (a custom
        one by its content), how tests run (sandbox kind, fork permission, LiveCodeBench compatibility), the
        interpreter and its version for Python, the compiler, its flags and the profile for C++."""
        cfg = self.config
        runtime = (f"cpp={self.cpp_compiler.identity}|{shlex.join(self.cpp_compiler.flags)}|"
                   f"profile={self.cpp_profile.name}" if p.language == "cpp" else f"python={self.interpreter}")
        parts = [JUDGE_VERSION, p.problem.id, p.problem.tests_fingerprint(), p.key, p.limits.key(),
                 p.checker.name, p.checker.fingerprint, f"all={int(cfg.all_tests)}", f"sandbox={self.sandbox_kind}",
                 f"fork={int(cfg.allow_fork)}", f"tmp={cfg.tmp_size_mb}", runtime]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    @functools.cached_property
    def interpreter(self) -> str:
        """The interpreter that runs Python solutions, with its exact version (part of cache keys)."""
        exe = python_executable(self.sandbox_config)
        if os.path.realpath(exe) == os.path.realpath(sys.executable):
            return f"{os.path.realpath(exe)} {sys.version}"
        try:
            out = subprocess.run([exe, "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            out = "?"
        return f"{os.path.realpath(exe)} {out}"

    def _execute(self, jobs: list[Job], deliver: Callable[[int, SampleResult], None]) -> None:
        sched = Scheduler(window=4 * len(self.workers))
        for job in jobs:
            sched.add(job)
        sched.close()
        self.cpp.submit([job for job in jobs if not job.ready], sched)
        threads = [threading.Thread(target=self._worker_loop, args=(w, sched), daemon=True,
                                    name=f"judge-worker-{w.index}") for w in self.workers]
        for t in threads:
            t.start()
        remaining = len(jobs)
        while remaining:
            finished = sched.wait_finished(timeout=1.0)
            if not finished and not any(t.is_alive() for t in threads):
                # the workers exit as soon as the last job is finished: collect what they finished meanwhile
                finished = sched.pop_finished()
                if not finished:
                    raise RuntimeError("all judge worker threads died")
            for job in finished:
                remaining -= 1
                res = self._sample_result(job)
                if self.cache:
                    self.cache.put(self._cache_key(job.payload), res)
                first = True
                for i in job.payload.runs:
                    deliver(i, res if first else replace(res, cached=True))
                    first = False
        for t in threads:
            t.join()

    def _worker_loop(self, worker: Worker, sched: Scheduler) -> None:
        """Take units from the scheduler and run them. While a test runs, the next unit's request is already sent
        when it needs nothing else from the zygote first (its code is loaded), so the zygote starts it as soon as
        the previous one ends and the judge's own work on a result overlaps the next test. The next unit is often
        the same solution's next test, handed out speculatively: results after a failing test are discarded."""
        pending: tuple[Job, int, RunRequest, float] | None = None
        while True:
            unit = sched.next_unit(timeout=0.0) if pending else sched.next_unit()
            if unit is None and pending is None:  # the blocking call returns None only when all is done
                return
            sent = None
            if unit is not None:
                job, index = unit
                try:
                    req = self._request(worker, job.payload, job.payload.tests[index], index,
                                        load=pending is None) if worker.alive else None
                    if isinstance(req, RunRequest):
                        sent = (job, index, req, worker.submit(req))
                        unit = None
                except WorkerError as e:
                    log.warning("worker %d: %s (sending)", worker.index, e)
                    worker.close()
                except Exception:  # a bug of ours: the unit runs on the plain path below, which reports it
                    log.exception("judge worker %d failed preparing a test", worker.index)
            if pending is not None:
                job0, index0, req0, t0 = pending
                try:
                    result = self._result(job0.payload, index0, req0, worker.collect(req0, t0))
                except WorkerError as e:  # the zygote died: what was in flight runs again on the plain path
                    log.warning("worker %d: %s (attempt 1)", worker.index, e)
                    worker.close()
                    result = self._run_unit(worker, job0, index0)
                    if sent is not None:
                        unit, sent = sent[:2], None
                except Exception as e:
                    result = self._internal_error(worker, index0, e)
                self._deliver(sched, job0, index0, result)
                if sent is not None:  # its wait only begins now (the zygote answers in order)
                    sent = (*sent[:3], time.monotonic())
            pending = sent
            if unit is not None:
                self._deliver(sched, unit[0], unit[1], self._run_unit(worker, unit[0], unit[1]))

    def _run_unit(self, worker: Worker, job: Job, index: int) -> TestResult:
        try:
            return self._run_test(worker, job, index)
        except Exception as e:
            return self._internal_error(worker, index, e)

    @staticmethod
    def _internal_error(worker: Worker, index: int, e: Exception) -> TestResult:
        """A bug of ours while running a test: logged and reported as SE, never a dead worker thread."""
        log.exception("judge worker %d failed", worker.index)
        return TestResult(Verdict.SE, index, message=f"internal error: {type(e).__name__}: {e}")

    def _result(self, p: _Payload, index: int, req: RunRequest, outcome: RunOutcome) -> TestResult:
        """The verdict of a test from what its run produced (and the time that took, accounted)."""
        t0 = time.monotonic()
        result = classify(outcome, p.tests[index], index, p.limits, p.checker, mode_binary=p.language == "cpp",
                          compat=bool(req.compat))
        self._account(outcome.times, time.monotonic() - t0)
        return result

    @staticmethod
    def _deliver(sched: Scheduler, job: Job, index: int, result: TestResult) -> None:
        if result.verdict is Verdict.CE:
            sched.mark_ready(job, final=result)
        sched.report(job, index, result)

    # -- running tests

    def _run_test(self, worker: Worker, job: Job, index: int) -> TestResult:
        p: _Payload = job.payload
        test = p.tests[index]
        last_error = ""
        for attempt in range(self.config.retries + 1):
            try:
                if not worker.alive:
                    if attempt or worker.starts:
                        self.stats["worker_restarts"] += 1
                    worker.start()
                req = self._request(worker, p, test, index)
                if isinstance(req, TestResult):  # compile error
                    req.index = index
                    return req
                return self._result(p, index, req, worker.run(req))
            except WorkerError as e:
                last_error = str(e)
                log.warning("worker %d: %s (attempt %d)", worker.index, e, attempt + 1)
                worker.close()
                time.sleep(0.05 * (attempt + 1))
        self.stats["system_errors"] += 1
        return TestResult(Verdict.SE, index, message=f"judge system error after {self.config.retries + 1} "
                                                     f"attempts: {last_error}")

    def _account(self, times: dict[str, float], compare: float) -> None:
        with self._timing_lock:
            self.stats["tests_run"] += 1
            t = self.timing
            for name in ("fork", "setup", "run"):
                t[name] += times.get(name, 0.0)
            zygote = times.get("zygote", 0.0)
            t["zygote_other"] += max(0.0, zygote - sum(times.get(n, 0.0) for n in ("fork", "setup", "run")))
            t["ipc"] += max(0.0, times.get("roundtrip", 0.0) - zygote)
            t["compare"] += compare

    def _request(self, worker: Worker, p: _Payload, test: Test, index: int,
                 load: bool = True) -> RunRequest | TestResult | None:
        """The run request of a test, loading its code into the worker first; with ``load=False``, None when the
        code is not loaded yet (or failed to compile) instead."""
        limits = p.limits
        if p.language == "cpp":
            binary = p.binaries["program:%d" % index if test.kind == "program" else test.kind]
            key = "exec:" + os.path.basename(binary)
            if not load and not worker.has(key):
                return None
            worker.load(key, "", lang="cpp", filename=os.path.basename(binary))
            return RunRequest(key=key, kind=test.kind, mode="exec", argv=[binary], cpu_limit=limits.cpu,
                              token=test.kind == "program" and self.cpp.program_token,
                              wall_limit=limits.wall, memory_mb=limits.memory_mb, output_cap=limits.output_bytes,
                              nproc=limits.nproc, stdin=b"" if test.kind == "program" else
                              test.input.encode("utf-8", "surrogateescape"))
        compat = self.config.lcb_compat if test.kind == "stdin" else None
        if test.kind == "program":
            source = p.code + "\n\n" + test.input
            key = code_key("python", source, p.prelude)
        else:
            source, key = p.code, p.key + (f"-{compat}" if compat else "")
        if not load and not worker.has(key):
            return None
        err = worker.load(key, source, prelude=p.prelude, compat=compat)
        if err is not None:
            return TestResult(Verdict.CE, 0, message=err)
        # LiveCodeBench times each test by wall clock (signal.alarm); so does its compatibility mode
        wall = limits.cpu + 1.0 if compat else limits.wall
        req = RunRequest(key=key, kind=test.kind, cpu_limit=limits.cpu, wall_limit=wall, compat=compat,
                         token=test.kind in ("functional", "program"),
                         memory_mb=limits.memory_mb, output_cap=limits.output_bytes, nproc=limits.nproc)
        if test.kind == "stdin":
            req.stdin = test.input.encode("utf-8", "surrogateescape")
        elif test.kind == "functional":
            req.fn_name = test.fn_name or p.problem.fn_name
            req.args = test.input
        return req

    def _sample_result(self, job: Job) -> SampleResult:
        p: _Payload = job.payload
        done = [job.results[i] for i in sorted(job.results)]
        if job.final is not None:
            f = job.final
            return SampleResult(f.verdict, failed_test=None if f.verdict is Verdict.CE else f.index,
                                message=f.message, tests_total=len(p.tests), test_results=done,
                                sandbox=self.isolation)
        fail = job.first_failure
        considered = [r for r in done if fail is None or not job.stop_at_first_failure or r.index <= fail]
        verdict = Verdict.AC if fail is None else job.results[fail].verdict
        return SampleResult(
            verdict=verdict,
            failed_test=fail,
            cpu_time=max((r.cpu_time for r in considered), default=0.0),
            memory_kb=max((r.memory_kb for r in considered), default=0),
            message="" if fail is None else job.results[fail].message,
            tests_passed=sum(r.verdict is Verdict.AC for r in considered),
            tests_total=len(p.tests),
            tests_run=len(considered),
            test_results=considered,
            sandbox=self.isolation,
        )
