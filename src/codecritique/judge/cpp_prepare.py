"""C++ preparation for the judge: the compiler and its binary cache (made on first use), the problems' C++
signatures, and compiling what a solution's tests run before its tests are released to the workers.

What is compiled depends on the test kind: the solution itself for ``stdin`` tests; for ``functional`` tests, the
solution inside our LeetCode harness (cpp_harness.py), one run per test with its arguments on stdin; for
``program`` tests, ``metadata["program_prefix"]`` + solution + the test program (LiveCodeBench-CPP's harnesses,
whose prefix is ``#include <bits/stdc++.h>`` and ``using namespace std;``; HumanEval-X's ``main()``), which passes
iff it exits 0 (and, under every profile but lcb-cpp, returns normally from its main: see cpp.MAIN_WRAPPER).
"""

from __future__ import annotations

import logging
import os
import shlex
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..problems.model import Problem
from .config import JudgeConfig
from .counters import Counters
from .cpp import CppCompiler, default_cache_dir
from .cpp_harness import CppSignature, Unmappable, check_test, functional_program, problem_signature, \
    runtime_library
from .cpp_profiles import CxxProfile
from .sandbox import readable_by_others
from .scheduler import Job, Scheduler
from .verdict import TestResult, Verdict

if TYPE_CHECKING:
    from .engine import _Payload

log = logging.getLogger(__name__)


class CppPreparation:
    """Compiles C++ jobs on a small thread pool of its own, while the workers run the tests of jobs already
    compiled. Counts into ``counters`` (the judge's)."""

    def __init__(self, config: JudgeConfig, profile: CxxProfile, sandbox_kind: str, workers: int,
                 counters: Counters):
        self.config = config
        self.profile = profile
        self.sandbox_kind = sandbox_kind
        self.workers = workers
        self.counters = counters
        self._cpp: CppCompiler | None = None  # made for the first C++ submission
        self._pool: ThreadPoolExecutor | None = None
        self._signatures: dict[tuple[str, str], CppSignature | str] = {}  # problem -> signature, or why none

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def compiler(self) -> CppCompiler:
        """The C++ compiler with its binary cache (made on first use)."""
        with self.counters.lock:
            if self._cpp is None:
                cfg = self.config
                flags = shlex.split(cfg.cxxflags) if cfg.cxxflags is not None else self.profile.flags
                cache = cfg.cpp_cache or default_cache_dir()
                pch = dict(pch=cfg.cpp_pch, pch_min_uses=cfg.cpp_pch_min_uses, pch_max_mb=cfg.cpp_pch_max_mb)
                self._cpp = CppCompiler(flags, cache, sandbox=self.sandbox_kind, **pch)
                if self.sandbox_kind != "bwrap" and os.getuid() == 0 and not readable_by_others(self._cpp.bin_dir):
                    # outside bwrap the tests' uids see the host's directories: use one they can reach
                    private = os.path.join(tempfile.gettempdir(), "codecritique-cpp")
                    log.warning("the C++ cache %s is not reachable by the test uids; using %s", cache, private)
                    self._cpp = CppCompiler(flags, private, sandbox=self.sandbox_kind, **pch)
            return self._cpp

    @property
    def program_token(self) -> bool:
        """Whether C++ program tests must prove their normal end (all profiles but lcb-cpp)."""
        return self.profile.checker != "lcb-cpp"

    def submit(self, jobs: list[Job], sched: Scheduler) -> None:
        """Compile ``jobs`` in the background; each one's tests are released (or it ends) when it is done."""
        if jobs and self._pool is None:
            self._pool = ThreadPoolExecutor(self.config.compile_workers or self.workers,
                                            thread_name_prefix="judge-compile")
        for job in jobs:  # the batch's sources count towards their precompiled headers before any compile
            sources = self.sources(job.payload)
            if isinstance(sources, dict):
                for source in sources.values():
                    self.compiler.blocks.expect(source)
        for job in jobs:
            self._pool.submit(self._prepare, job, sched)

    def _prepare(self, job: Job, sched: Scheduler) -> None:
        """Compile what the job's tests run, then release its tests (or end it with CE / SE)."""
        try:
            final = self.compile_job(job.payload)
        except Exception as e:  # a bug of ours, or no compiler: the job is not judged, never failed
            log.exception("preparing a C++ solution failed")
            final = TestResult(Verdict.SE, 0, message=f"internal error while compiling: {type(e).__name__}: {e}")
        sched.mark_ready(job, final=final)

    def compile_job(self, p: _Payload) -> TestResult | None:
        """Compile every binary the payload's tests run into ``p.binaries``; the job's final result if one does
        not compile (CE) or the problem has no C++ harness (SE), else None."""
        sources = self.sources(p)
        if not isinstance(sources, dict):
            with self.counters.lock:
                self.counters.stats["unmappable"] += 1
            return sources
        for variant, source in sources.items():
            objects = [self.compiler.object_file("cc_harness", runtime_library())] if variant == "functional" \
                else []
            # program tests: the test program's main is renamed and wrapped, so that only its normal return of 0
            # counts (not under --profile lcb-cpp, which keeps LiveCodeBench-CPP's "exit code 0 passes")
            res = self.compiler.compile(source, objects, wrap_main=variant.startswith("program:") and
                                        self.program_token)
            with self.counters.lock:
                self.counters.stats["compile_cache_hits" if res.cached else "compiles"] += 1
                self.counters.stats["compile_errors"] += not res.ok
                if not res.cached:
                    self.counters.stats["compile_pch"] += res.pch
                    self.counters.stats["compile_pch_retries"] += res.pch_retried
                self.counters.timing["compile"] += res.cpu_time
            if not res.ok:
                return TestResult(Verdict.CE, 0, message=res.error)
            p.binaries[variant] = res.binary  # type: ignore[assignment]
        return None

    def sources(self, p: _Payload) -> dict[str, str] | TestResult:
        """What the payload's tests compile, by variant (``stdin``, ``functional``, ``program:<i>``); or the job's
        final result (SE) when the problem has no C++ harness."""
        sources: dict[str, str] = {}
        for i, test in enumerate(p.tests):
            if test.kind == "stdin":
                sources["stdin"] = p.code
            elif test.kind == "functional":
                sig = self.signature(p.problem)
                if isinstance(sig, str):
                    return TestResult(Verdict.SE, 0, message=f"no C++ harness for this problem: {sig}")
                sources["functional"] = functional_program(sig, p.code)
            else:
                prefix = p.problem.metadata.get("program_prefix") or ""
                sources[f"program:{i}"] = (prefix + "\n\n" if prefix else "") + p.code + "\n\n" + test.input
        return sources

    def signature(self, problem: Problem) -> CppSignature | str:
        """The problem's C++ signature, checked against its functional tests; or why there is none."""
        ident = (problem.id, problem.tests_fingerprint())
        if ident not in self._signatures:
            try:
                sig = problem_signature(problem)
                for k, test in enumerate(problem.tests):
                    if test.kind == "functional":
                        try:
                            check_test(sig, test)
                        except Unmappable as e:
                            raise Unmappable(f"test {k}: {e}") from None
                self._signatures[ident] = sig
            except Unmappable as e:
                log.warning("problem %s: no C++ harness: %s", problem.id, e)
                self._signatures[ident] = str(e)
        return self._signatures[ident]
