import os
import shutil
import subprocess
import sys

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.sandbox import bwrap_problem
from codecritique.problems.model import Problem, Test

HAVE_BWRAP = bwrap_problem() is None
needs_bwrap = pytest.mark.skipif(not HAVE_BWRAP, reason=f"bubblewrap unusable here: {bwrap_problem()}")
needs_root = pytest.mark.skipif(os.getuid() != 0, reason="needs root (per-test uid drop)")


def stdin_problem(pid="p", cases=(("", ""),), **kw):
    return Problem(id=pid, tests=[Test("stdin", i, o) for i, o in cases], **kw)


@pytest.fixture(scope="module")
def judge():
    """A shared bwrap judge (2 workers) for the semantics tests."""
    with Judge(JudgeConfig(workers=2, time_limit=5)) as j:
        yield j


def judge_one(j, code, problem=None, **kw):
    problem = problem or stdin_problem(**kw)
    return j.run([Submission(problem, code)])[0]


CLEAN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
             "PYTHONHASHSEED": "0"}  # what the sandbox gives


def real_run(code, stdin, tmp_path):
    """What `python3 solution.py < input > output` does, for comparison."""
    src = tmp_path / "solution.py"
    src.write_text(code)
    inp = tmp_path / "input.txt"
    inp.write_text(stdin)
    with open(inp) as fin, open(tmp_path / "out.txt", "wb") as fout:
        r = subprocess.run([sys.executable, str(src)], stdin=fin, stdout=fout, stderr=subprocess.PIPE,
                           cwd=tmp_path, timeout=60, env=CLEAN_ENV)
    return r.returncode, (tmp_path / "out.txt").read_bytes().decode(), r.stderr.decode()
