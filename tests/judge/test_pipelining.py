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


@needs_bwrap
def test_large_inputs_and_outputs_in_flight_do_not_deadlock():
    """Three tests of 300 KB in and out on one worker: a request sent while a test runs must fit in the pipe whole
    (before issue 14, the judge blocked writing the next test's input while the zygote blocked writing the previous
    test's output: the run hung forever)."""
    big = "x" * 300_000 + "\n"
    p = Problem(id="big", tests=[Test("stdin", big, big) for _ in range(3)])
    box = {}

    def judge_it():
        with Judge(JudgeConfig(workers=1, all_tests=True)) as judge:
            box["res"] = judge.run([Submission(p, "import sys\nsys.stdout.write(sys.stdin.read())\n")])[0]

    t = threading.Thread(target=judge_it, daemon=True)
    t.start()
    t.join(120)
    assert not t.is_alive(), "the judge hung with large requests in flight"
    assert box["res"].verdict is Verdict.AC and box["res"].tests_passed == 3


@needs_bwrap
def test_fresh_solutions_load_with_their_run():
    """Code a worker does not hold goes with the run request (one round trip): syntax errors are still CE with the
    compiler's message, more solutions than the worker remembers (200) never make the zygote miss a code, and the
    judge's worker is never restarted."""
    p = Problem(id="echo", tests=[Test("stdin", "5\n", "5\n"), Test("stdin", "6\n", "6\n")])
    codes = [f"x = input()  # {i}\nprint(x)\n" for i in range(230)]
    codes[7] = "print(input()\n"  # a syntax error among them
    with Judge(JudgeConfig(workers=1)) as judge:
        res = judge.run([Submission(p, c) for c in codes])
        again = judge.run([Submission(Problem(id="echo2", tests=p.tests), c) for c in codes[:40] + codes[-40:]])
        assert judge.stats["worker_restarts"] == 0 and judge.stats["system_errors"] == 0
    assert res[7].verdict is Verdict.CE and "SyntaxError" in res[7].message
    assert all(r.verdict is Verdict.AC for i, r in enumerate(res) if i != 7)
    assert [r.verdict for r in again].count(Verdict.CE) == 1


def test_a_compile_error_gives_the_same_result_however_many_tests_were_in_flight():
    """Code comes with the run request, so several tests of a solution that does not compile may be in flight when
    its CE is found; how many depends on timing. The result must not: one CE, no per-test results beyond it (a
    selection signature built from them once differed between two runs of the same seed)."""
    p = Problem(id="p", tests=[Test("stdin", f"{i}\n", f"{i}\n") for i in range(4)])
    subs = [Submission(p, f"# {i}\ndef f(:\n") for i in range(60)]  # distinct code: each judged on its own
    with Judge(JudgeConfig(workers=2, all_tests=True)) as judge:
        results = judge.run(subs)
    assert {(r.verdict, r.failed_test, r.tests_passed, len(r.test_results)) for r in results} == \
        {(Verdict.CE, None, 0, 1)}
    assert {(t.verdict, t.index) for r in results for t in r.test_results} == {(Verdict.CE, 0)}
