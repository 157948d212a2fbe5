"""A test that runs to its CPU limit is ended just past the limit, not at RLIMIT_CPU's next whole second: the
zygote reads the test's CPU clock (issue 14: a TLE at a 1 s limit used to cost 2 s of CPU, one at 6 s about 7 s).
The verdict is TLE and the time measured is over the limit, in every sandbox mode and for binaries too."""

import shutil

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test

from .conftest import HAVE_BWRAP

LOOP_PY = "while True:\n    pass\n"
# a second thread that also computes: the process's CPU time grows twice as fast as the wall clock on two cores
THREADS_PY = ("import threading\ndef spin():\n    while True:\n        pass\n"
              "threading.Thread(target=spin, daemon=True).start()\nspin()\n")
LOOP_CPP = "int main() { volatile unsigned long x = 0; for (;;) x++; }\n"
SLEEP_PY = "import time\ntime.sleep(0.3)\nprint(6)\n"  # little CPU: far from the limit, never killed early

# "bwrap+fork": --allow-fork, where an init (PID 1 of the test's namespaces) sits between the zygote and the solution
# and reads the solution's CPU clock itself (the pidns strategy as root, userns otherwise)
MODES = ["bwrap", "bwrap+fork", "rlimit", "none"] if HAVE_BWRAP else ["rlimit", "none"]


@pytest.fixture(scope="module", params=MODES)
def judge(request):
    sandbox, _, fork = request.param.partition("+")
    with Judge(JudgeConfig(workers=2, time_limit=1, sandbox=sandbox, allow_fork=bool(fork))) as j:
        if fork:
            j.run([Submission(problem("start"), "print(6)")])
            assert "pidns" in j.isolation or "userns" in j.isolation, j.isolation
        yield j


def problem(name):
    return Problem(id=name, tests=[Test("stdin", "", "6\n")])


def test_busy_loop_ends_just_past_the_limit(judge):
    loop, ok = judge.run([Submission(problem("loop"), LOOP_PY), Submission(problem("sleep"), SLEEP_PY)])
    assert loop.verdict is Verdict.TLE, loop
    t = loop.test_results[0]
    assert 1.0 < t.cpu_time < 1.5, t  # RLIMIT_CPU alone: ~2 s (soft limit 2 s, counted in ticks)
    assert t.wall_time < 2.5 and not t.message.startswith("wall"), t
    assert ok.verdict is Verdict.AC, ok


def test_threads_are_counted_together(judge):
    r = judge.run([Submission(problem("threads"), THREADS_PY)])[0]
    t = r.test_results[0]
    assert r.verdict is Verdict.TLE and 1.0 < t.cpu_time < 1.5, t


@pytest.mark.skipif(shutil.which("g++") is None, reason="no g++")
def test_binary_ends_just_past_the_limit(judge):
    r = judge.run([Submission(problem("cpp-loop"), LOOP_CPP, language="cpp")])[0]
    t = r.test_results[0]
    assert r.verdict is Verdict.TLE and 1.0 < t.cpu_time < 1.5, (r, t)
