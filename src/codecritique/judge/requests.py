"""What the judge makes of a submission and of each of its tests, under one judge's settings, with no worker
involved: the :class:`Payload` (code, tests, limits, checker, content key), the :class:`Code` a test runs (what is
loaded into a worker) and its :class:`~.worker.RunRequest`."""

from __future__ import annotations

import hashlib
import os
import shlex
from dataclasses import dataclass, field

from ..problems.model import Problem, Test
from .checkers import Checker, get_checker
from .config import PER_PROBLEM_CHECKERS, JudgeConfig
from .cpp_prepare import CppPreparation
from .cpp_profiles import LCB_CPP_CHECKER
from .limits import Limits, limits_for
from .worker import RunRequest, Worker


@dataclass
class Payload:
    """One unique solution of one problem, as the judge runs it."""

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


@dataclass(frozen=True)
class Code:
    """The code one test runs, as a worker holds it under ``key``: Python source (compiled in the zygote), or a
    C++ binary (``lang="cpp"``, run by its path)."""

    key: str
    source: str = ""
    lang: str = "python"
    filename: str = "solution.py"
    prelude: bool = False
    compat: str | None = None  # "lcb" / "lcb-current": compiled as LiveCodeBench runs stdin solutions

    def load(self, worker: Worker) -> str | None:
        """Make it available in ``worker`` (once: the worker remembers what it holds); returns the compile error of
        Python code that does not compile, else None."""
        return worker.load(self.key, self.source, lang=self.lang, prelude=self.prelude, filename=self.filename,
                           compat=self.compat)


class RequestBuilder:
    """Payloads, codes and run requests under one judge's settings (``cpp``: for the C++ compiler, profile and
    binaries)."""

    def __init__(self, config: JudgeConfig, checker: Checker, cpp: CppPreparation):
        self.config = config
        self.checker = checker
        self.cpp = cpp

    def limits_for(self, problem: Problem, language: str = "python") -> Limits:
        return limits_for(problem, self.config, self.cpp.profile if language == "cpp" else None)

    def payload(self, problem: Problem, code: str, language: str) -> Payload:
        """Raises CompilerMissing for C++ when there is no compiler."""
        if language == "cpp":
            cpp = self.cpp.compiler
            variant = f"cpp\0{cpp.identity}\0{shlex.join(cpp.flags)}"
            checker = LCB_CPP_CHECKER if self.cpp.profile.checker == "lcb-cpp" and self.checker.name == "default" \
                else self.checker_for(problem)
            return Payload(problem=problem, code=code, language=language, tests=list(problem.tests),
                           limits=self.limits_for(problem, language), key=code_key(variant, code, False),
                           prelude=False, checker=checker)
        functional = any(t.kind == "functional" for t in problem.tests)
        prelude = functional or bool(self.config.lcb_compat)
        return Payload(problem=problem, code=code, language=language, tests=list(problem.tests),
                       limits=self.limits_for(problem), key=code_key(language, code, prelude),
                       prelude=prelude, checker=self.checker_for(problem))

    def checker_for(self, problem: Problem) -> Checker:
        """The judge's checker, or under the default one the problem's own builtin comparison (a statement that
        accepts answers in any case, see problems.answers)."""
        if self.checker.name == "default" and problem.checker in PER_PROBLEM_CHECKERS:
            return get_checker(problem.checker)
        return self.checker

    def code(self, p: Payload, index: int) -> Code:
        """What test ``index`` of ``p`` runs (C++: compiled already, see cpp_prepare)."""
        test = p.tests[index]
        if p.language == "cpp":
            binary = os.path.basename(self._binary(p, test, index))
            return Code("exec:" + binary, lang="cpp", filename=binary)
        compat = self.config.lcb_compat if test.kind == "stdin" else None
        if test.kind == "program":
            source = p.code + "\n\n" + test.input
            return Code(code_key("python", source, p.prelude), source, prelude=p.prelude)
        return Code(p.key + (f"-{compat}" if compat else ""), p.code, prelude=p.prelude, compat=compat)

    def request(self, p: Payload, index: int, code: Code) -> RunRequest:
        """The run request of test ``index`` of ``p``, whose code is ``code`` (from :meth:`code`)."""
        test = p.tests[index]
        limits = p.limits
        if p.language == "cpp":
            return RunRequest(key=code.key, kind=test.kind, mode="exec", argv=[self._binary(p, test, index)],
                              cpu_limit=limits.cpu, token=test.kind == "program" and self.cpp.program_token,
                              wall_limit=limits.wall, memory_mb=limits.memory_mb, output_cap=limits.output_bytes,
                              nproc=limits.nproc, stdin=b"" if test.kind == "program" else
                              test.input.encode("utf-8", "surrogateescape"))
        # LiveCodeBench times each test by wall clock (signal.alarm); so does its compatibility mode
        wall = limits.cpu + 1.0 if code.compat else limits.wall
        req = RunRequest(key=code.key, kind=test.kind, cpu_limit=limits.cpu, wall_limit=wall, compat=code.compat,
                         token=test.kind in ("functional", "program"),
                         memory_mb=limits.memory_mb, output_cap=limits.output_bytes, nproc=limits.nproc)
        if test.kind == "stdin":
            req.stdin = test.input.encode("utf-8", "surrogateescape")
        elif test.kind == "functional":
            req.fn_name = test.fn_name or p.problem.fn_name
            req.args = test.input
        return req

    @staticmethod
    def _binary(p: Payload, test: Test, index: int) -> str:
        return p.binaries["program:%d" % index if test.kind == "program" else test.kind]
