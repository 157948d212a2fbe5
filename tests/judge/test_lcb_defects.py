"""Every LiveCodeBench grader defect of ../shared/spec/judges.md §1.7 (and the §10 items about verdicts and
limits): the default judge gets it right, and --checker lcb / lcb-current reproduce lcb_runner's behaviour so that
official numbers can be reproduced. Each row: code, input, expected output, verdict under default, under lcb
(the leaderboard grader) and under lcb-current (LiveCodeBench@28fef95)."""

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test

from .conftest import needs_bwrap

pytestmark = needs_bwrap
AC, WA, RE, TLE = Verdict.AC, Verdict.WA, Verdict.RE, Verdict.TLE
IN = "3\n1 2 3\n"

CASES = {
    # 1. floats compared exactly
    "float_tolerance": ("print(1/3)", "", "0.333333333\n", AC, WA, WA),
    # 2. sys.stdout.buffer
    "stdout_buffer": ("import sys\nsys.stdout.buffer.write(b'6\\n')", IN, "6\n", AC, RE, RE),
    # 3. sys.stdin.buffer.readline returns the first line every time (current version)
    "stdin_buffer_readline": ("import sys\nsys.stdin.buffer.readline()\n"
                              "print(sum(map(int, sys.stdin.buffer.readline().split())))", IN, "6\n", AC, RE, WA),
    # 4. iterating over sys.stdin
    "iterate_stdin": ("import sys\nprint(sum(sum(map(int, l.split())) for l in sys.stdin) - 3)", IN, "6\n",
                      AC, AC, RE),
    # 5. mixed access: read() returns the whole input again
    "mixed_reads": ("import sys\ninput()\nprint(sum(map(int, sys.stdin.read().split())))", IN, "6\n", AC, AC, WA),
    "readlines_ints": ("import sys\nprint(sum(int(x) for x in sys.stdin.readlines()[1].split()))", IN, "6\n",
                       AC, AC, AC),
    "readlines_trailing_empty": ("import sys\nprint(len(sys.stdin.readlines()))", IN, "2\n", AC, AC, WA),
    # lcb_runner patches readline/readlines/read on its own sys.stdin object (its patch decorators start bottom
    # first, before sys.stdin is replaced), which `from sys import stdin` (or the prelude's `from sys import *`)
    # holds: lines come without their newline, read() gives the whole input
    "from_sys_stdin": ("from sys import stdin\nn = int(stdin.readline())\n"
                       "print(sum(map(int, stdin.readline().split())) + n - 3)", IN, "6\n", AC, AC, AC),
    "from_sys_stdin_newline": ("from sys import stdin\nprint(repr(stdin.readline()))", IN, "'3'\n", WA, AC, AC),
    "prelude_stdin_read": ("print(sum(map(int, stdin.read().split())) - 3)", IN, "6\n", RE, AC, AC),
    # 6. global inside functions
    "global_in_function": ("c = 0\ndef f():\n    global c\n    c += 6\nf()\nprint(c)", "", "6\n", AC, RE, RE),
    # 7. a main guard that is not last is never run
    "main_guard_not_last": ("def main():\n    print(6)\nif __name__ == '__main__':\n    main()\nx = 1",
                            "", "6\n", AC, WA, WA),
    # lcb_runner unwraps a last guard only when its condition unparses to exactly "__name__ == '__main__'"
    "main_guard_other_spelling": ("if __name__ in ('__main__',):\n    print(6)", "", "6\n", AC, WA, WA),
    "main_guard_double_quotes": ('if __name__ == "__main__":\n    print(6)', "", "6\n", AC, AC, AC),
    # 8. common idioms: import resource, quit(), os.write to fd 1, reading fd 0 directly
    "import_resource": ("import resource\nprint(6)", "", "6\n", AC, RE, RE),
    "quit": ("print(6)\nquit()", "", "6\n", AC, RE, RE),
    "os_write": ("import os\nos.write(1, b'6\\n')", "", "6\n", AC, WA, WA),
    # (lcb_runner's own stdin, /dev/null in a batch job: nothing to read; the prelude's io.open is not mocked)
    "open_fd0": ("print(sum(map(int, open(0).read().split())) - 3)", IN, "6\n", AC, WA, WA),
    # ... but builtins.open, looked up during the call, is lcb_runner's mock_open of the input (both versions)
    "builtins_open": ("import builtins\nprint(sum(map(int, builtins.open(0).read().split())) - 3)", IN, "6\n",
                      AC, AC, AC),
    "os_read_fd0": ("import os\nprint(len(os.read(0, 100)) or 6)", IN, "6\n", WA, AC, AC),
    # prints from a thread that outlives the call are lost
    "thread_output": ("import threading, time\ndef main():\n    time.sleep(0.3)\n    print(6)\n"
                      "threading.Thread(target=main).start()", "", "6\n", AC, WA, WA),
    # missing imports pass only because of LiveCodeBench's prelude
    "missing_import": ("print(int(math.sqrt(36)))", "", "6\n", RE, AC, AC),
    # more of its reliability_guard: help is None, OMP_NUM_THREADS=1, os.lchmod exists (as None) even on Linux
    "guard_help_env": ("import os\nprint(help is None, os.environ.get('OMP_NUM_THREADS'), hasattr(os, 'lchmod'))",
                       "", "True 1 True\n", WA, AC, AC),
    # os._exit ends lcb_runner's own test process (no result); sys.argv is the grader's command line
    "os_exit_after_print": ("import os, sys\nprint(6)\nsys.stdout.flush()\nos._exit(0)", "", "6\n", AC, RE, RE),
    "argv": ("import sys\nprint(len(sys.argv))", "", "1\n", AC, WA, WA),
    # SystemExit is swallowed either way: exit() after printing is fine
    "exit_after_print": ("print(6)\nexit()", "", "6\n", AC, AC, AC),
}


@pytest.fixture(scope="module")
def judges():
    out = {}
    for checker in ("default", "lcb", "lcb-current"):
        out[checker] = Judge(JudgeConfig(workers=2, checker=checker, time_limit=2))
    yield out
    for j in out.values():
        j.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_defect(judges, name):
    code, stdin, expected, *verdicts = CASES[name]
    p = Problem(id=name, tests=[Test("stdin", stdin, expected)])
    got = [judges[c].run([Submission(p, code)])[0] for c in ("default", "lcb", "lcb-current")]
    assert [r.verdict for r in got] == verdicts, [(r.verdict, r.message) for r in got]


def test_solution_instance_reused_only_by_lcb():
    """1.7 #9: LeetCode builds a fresh Solution per test; so do we, in every mode."""
    code = "class Solution:\n    n = 0\n    def f(self, x):\n        Solution.n += 1\n        return Solution.n\n"
    p = Problem(id="inst", tests=[Test("functional", "0", "1", fn_name="f"), Test("functional", "0", "1", fn_name="f")])
    with Judge(JudgeConfig(workers=1)) as j:
        assert j.run([Submission(p, code)])[0].verdict is AC


def test_verdict_taxonomy_and_limits(judges):
    """1.7 #10-#12 and §10.6: a crash is RE (not a mislabelled TLE), memory has a limit, time is CPU time."""
    j = judges["default"]
    p = Problem(id="tax", tests=[Test("stdin", "", "6\n")], memory_limit=256)
    seg = "import ctypes\nctypes.string_at(0)"
    mem = "x = bytearray(2**31)"
    sleepy = "import time\ntime.sleep(1.5)\nprint(6)"  # 1.5 s of wall time, no CPU: within a 2 s CPU limit
    res = j.run([Submission(p, seg), Submission(p, mem), Submission(p, sleepy)])
    assert res[0].verdict is RE and "SIGSEGV" in res[0].message
    assert res[1].verdict is Verdict.MLE
    assert res[2].verdict is AC
