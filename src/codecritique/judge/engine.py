"""The judge: runs many solutions against their problems' tests on a pool of sandboxed workers.

    with Judge(JudgeConfig(checker="default")) as judge:
        results = judge.run([Submission(problem, code), ...])   # one SampleResult per submission, in order

Identical code for the same problem is judged once, and a verdict cache (cache.py) answers what was judged before.
What a submission and each of its tests become is built in requests.py; the tests run on the worker pool (pool.py:
one sandboxed zygote per thread, see sandboxed/zygote.py, fed by the Scheduler; a worker that fails is restarted and
the test retried; after ``retries`` failures the test's verdict is SE, which never counts as a wrong answer). This
class turns submissions into unique jobs and the jobs' test results into one SampleResult per submission.

C++ solutions (``language="cpp"``) are compiled first, on a small thread pool, while the workers run the tests of
solutions already compiled (see cpp_prepare.py: what is compiled for each test kind); the binaries then run in the
same sandbox as Python, with the same limits and checkers.
"""

from __future__ import annotations

import functools
import logging
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..problems.extraction import normalize_language
from ..problems.model import Problem
from .cache import VerdictCache, verdict_key
from .checkers import Checker, get_checker
from .counters import Counters
from .config import LANGUAGES, SANDBOXES, JudgeConfig  # noqa: F401 - SANDBOXES re-exported
from .cpp import CppCompiler
from .cpp_prepare import CppPreparation
from .cpp_profiles import get_profile
from .cpp_toolchain import CompilerMissing
from .limits import Limits
from .pool import WorkerPool
from .requests import Payload, RequestBuilder
from .sandbox import SandboxConfig, python_executable, resolve_kind
from .scheduler import Job
from .verdict import SampleResult, Verdict

log = logging.getLogger(__name__)


@dataclass
class Submission:
    problem: Problem
    code: str
    language: str = "python"
    tag: Any = None  # the caller's identifier (e.g. (question_id, sample_index)); not used by the judge




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
        self.cache = VerdictCache(self.config.cache) if self.config.cache else None
        self.counters = Counters()
        self.stats, self.timing = self.counters.stats, self.counters.timing  # see counters.py
        self.cpp_profile = get_profile(self.config.cpp_profile)
        self.cpp = CppPreparation(self.config, self.cpp_profile, kind, n, self.counters)
        self.requests = RequestBuilder(self.config, self.checker, self.cpp)
        self.pool = WorkerPool(n, self.sandbox_config, kind, self.config.retries, self.requests, self.counters)
        self.workers = self.pool.workers

    # -- life cycle

    def __enter__(self) -> "Judge":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.cpp.close()
        self.pool.close()
        if self.cache:
            self.cache.close()

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
        return self.requests.limits_for(problem, language)

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
            # C++: the sandbox must see the binary cache
            self.pool.start(self.cpp_compiler.bin_dir.as_posix() if any(not j.ready for j in todo) else None)
            self._execute(todo, deliver)
        return [r for r in results]  # type: ignore[misc]

    def _payload(self, sub: Submission, language: str) -> Payload:
        return self.requests.payload(sub.problem, sub.code, language)

    def _cache_key(self, p: Payload) -> str:
        runtime = (f"cpp={self.cpp_compiler.identity}|{shlex.join(self.cpp_compiler.flags)}|"
                   f"profile={self.cpp_profile.name}" if p.language == "cpp" else f"python={self.interpreter}")
        return verdict_key(p, self.config, self.sandbox_kind, runtime)

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
        def finished(job: Job) -> None:
            res = self._sample_result(job)
            if self.cache:
                self.cache.put(self._cache_key(job.payload), res)
            first = True
            for i in job.payload.runs:
                deliver(i, res if first else replace(res, cached=True))
                first = False

        self.pool.execute(jobs, finished, self.cpp.submit)

    def _sample_result(self, job: Job) -> SampleResult:
        p: Payload = job.payload
        done = [job.results[i] for i in sorted(job.results)]
        if job.final is not None:
            f = job.final
            # a compile error is the sample's, not a test's: one result, whichever tests were in flight when it
            # was found (their number depends on timing, and verdicts must not)
            done = [replace(f, index=0)] if f.verdict is Verdict.CE else done
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
