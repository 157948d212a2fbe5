"""A worker sends the next test's request while the current test runs (two requests in flight). The verdict must
still be the first failing test in order, and a zygote that dies with two requests in flight loses neither."""

import os
import signal
import threading
import time

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test

from .conftest import needs_bwrap

ECHO = "print(input())"


@needs_bwrap
def test_first_failure_wins_over_tests_run_ahead():
    cases = [("1\n", "1\n"), ("2\n", "2\n"), ("3\n", "x\n"), ("4\n", "4\n"), ("5\n", "y\n"), ("6\n", "6\n")]
    p = Problem(id="p", tests=[Test("stdin", i, o) for i, o in cases])
    with Judge(JudgeConfig(workers=1)) as judge:
        res = judge.run([Submission(p, ECHO)])[0]
        all_tests = Judge(JudgeConfig(workers=1, all_tests=True))
        with all_tests:
            every = all_tests.run([Submission(p, ECHO)])[0]
    assert res.verdict is Verdict.WA and res.failed_test == 2
    assert [t.index for t in res.test_results if t.verdict is not Verdict.AC] == [2]
    assert res.tests_passed == 2
    assert every.failed_test == 2 and every.tests_passed == 4
    assert [t.verdict for t in every.test_results] == [Verdict.AC, Verdict.AC, Verdict.WA, Verdict.AC, Verdict.WA,
                                                        Verdict.AC]


@needs_bwrap
def test_zygote_killed_with_requests_in_flight_loses_nothing():
    """Each test sleeps, so the next request is already queued when the sandbox is killed."""
    p = Problem(id="slow", tests=[Test("stdin", f"{i}\n", f"{i}\n") for i in range(6)])
    code = "import time\nx = input()\ntime.sleep(0.3)\nprint(x)"
    with Judge(JudgeConfig(workers=1, time_limit=5, all_tests=True)) as judge:
        judge.run([Submission(Problem(id="warm", tests=[Test("stdin", "", "")]), "pass")])
        worker = judge.workers[0]

        def kill_soon():
            time.sleep(0.8)
            os.killpg(worker.proc.pid, signal.SIGKILL)

        threading.Thread(target=kill_soon).start()
        res = judge.run([Submission(p, code)])[0]
    assert res.verdict is Verdict.AC and res.tests_passed == 6, res
    assert sorted(t.index for t in res.test_results) == list(range(6))
    assert judge.stats["worker_restarts"] >= 1 and judge.stats["system_errors"] == 0
