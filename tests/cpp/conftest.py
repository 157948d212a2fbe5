"""Shared set-up for the C++ judge tests: one compile cache (with its precompiled header) and one judge for the
whole session, since building the header takes seconds."""

import shutil

import pytest

from codecritique.judge.cpp import CppCompiler
from codecritique.judge.cpp_profiles import PROFILES
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.sandbox import bwrap_problem
from codecritique.problems.model import Problem, Test

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed")
needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"bubblewrap unusable: {bwrap_problem()}")

pytestmark = needs_gxx


@pytest.fixture(scope="session")
def cpp_cache(tmp_path_factory):
    """A compile cache shared by every test, its precompiled header built once."""
    path = tmp_path_factory.mktemp("cpp-cache")
    CppCompiler(PROFILES["default"].flags, path).pch_dir()
    return path


@pytest.fixture(scope="session")
def cpp_judge(cpp_cache):
    """A bwrap judge (2 workers) with small limits, so that attacks end quickly."""
    with Judge(JudgeConfig(workers=2, time_limit=2, memory_mb=256, output_mb=1, cpp_cache=str(cpp_cache))) as j:
        yield j


def stdin_problem(pid: str, cases) -> Problem:
    return Problem(id=pid, tests=[Test("stdin", i, o) for i, o in cases])


def judge_all(judge: Judge, problem: Problem, codes: list[str]):
    return judge.run([Submission(problem, code, "cpp") for code in codes])
