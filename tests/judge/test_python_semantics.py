"""stdin tests behave exactly like `python3 solution.py < input`: every idiom below is run for real with a fresh
interpreter and through the judge, and must give the same output and exit status."""

import textwrap

import pytest

from codecritique.judge.engine import Submission
from codecritique.judge.verdict import Verdict

from .conftest import needs_bwrap, real_run, stdin_problem

NUMS = "3\n1 2 3\n"

IDIOMS = {
    "main_guard": ("def main():\n    n = int(input())\n    print(sum(map(int, input().split())))\n"
                   "if __name__ == '__main__':\n    main()\n", NUMS),
    # LiveCodeBench unwraps only a *last* main guard (judges.md 1.7 #7)
    "main_guard_not_last": ("import sys\nif __name__ == '__main__':\n    print(sum(map(int, sys.stdin.read().split())))\n"
                            "def unused():\n    pass\n", NUMS),
    # 1.7 #3: buffer.readline returned the first line every time
    "stdin_buffer_readline": ("import sys\nn = int(sys.stdin.buffer.readline())\n"
                              "print(sum(map(int, sys.stdin.buffer.readline().split())))\n", NUMS),
    "stdin_buffer_read": ("import sys\ndata = sys.stdin.buffer.read().split()\nprint(sum(map(int, data[1:])))\n", NUMS),
    "stdin_buffer_readlines": ("import sys\nls = sys.stdin.buffer.readlines()\nprint(len(ls), ls[-1])\n", NUMS),
    # output in str-hash order is the same in every run and worker: python3 with the sandbox's PYTHONHASHSEED
    "str_hash_order": ("print(hash('codecritique'), list({str(i) for i in range(20)}))\n", ""),
    # 1.7 #4: the mock had no __iter__
    "for_line_in_stdin": ("import sys\nt = 0\nfor line in sys.stdin:\n    t += sum(map(int, line.split()))\nprint(t)\n",
                          NUMS),
    # 1.7 #5: readlines() returned split('\n') without newlines and with a trailing ''
    "readlines_int": ("import sys\nprint([int(x) for x in sys.stdin.readlines()[:1]])\n", NUMS),
    "readlines_raw": ("import sys\nprint(repr(sys.stdin.readlines()))\n", NUMS),
    # 1.7 #5: mixed access: each mock method returned the whole input
    "mixed_input_and_read": ("import sys\nn = int(input())\nrest = sys.stdin.read().split()\nprint(n, len(rest))\n",
                             NUMS),
    "mixed_readline_and_iter": ("import sys\nfirst = sys.stdin.readline()\nprint(first.strip(), [l.strip() for l in sys.stdin])\n",
                                NUMS),
    "open0": ("n, *a = map(int, open(0).read().split())\nprint(n, sum(a))\n", NUMS),
    "stdin_reassigned": ("import sys\nsys.stdin = open(0)\nprint(sys.stdin.readline().strip())\n", NUMS),
    # 1.7 #6: top-level names became locals of a wrapper function
    "global_in_function": ("cnt = 0\ndef inc():\n    global cnt\n    cnt += 1\nfor _ in range(5):\n    inc()\nprint(cnt)\n",
                           ""),
    "module_level_state": ("import sys\nmemo = {}\ndef f(x):\n    if x not in memo:\n        memo[x] = x * 2\n    return memo[x]\n"
                           "print(f(2), len(memo))\n", ""),
    "sys_exit_0": ("print('before')\nimport sys\nsys.exit(0)\nprint('after')\n", ""),
    "sys_exit_none": ("print('x')\nraise SystemExit\n", ""),
    "sys_exit_message": ("import sys\nprint('out')\nsys.exit('bad input')\n", ""),
    "sys_exit_3": ("import sys\nprint('partial')\nsys.exit(3)\n", ""),
    "exit_builtin": ("print(1)\nexit()\n", ""),
    "quit_builtin": ("print(2)\nquit()\n", ""),
    # 1.7 #8: os._exit killed LCB's worker; here it is a normal exit, unflushed output is lost as in a real run
    "os_exit_flushed": ("import os, sys\nprint('kept', flush=True)\nos._exit(0)\n", ""),
    "os_exit_unflushed": ("import os\nprint('lost')\nos._exit(0)\n", ""),
    "os_exit_code": ("import os\nos._exit(7)\n", ""),
    # 1.7 #2 and #8: direct writes to the real stdout
    "stdout_buffer_write": ("import sys\nsys.stdout.buffer.write(b'bytes\\n')\nprint('text')\n", ""),
    "os_write_fd1": ("import os\nos.write(1, b'raw\\n')\n", ""),
    "interleaved_writes": ("import sys, os\nprint('a', flush=True)\nos.write(1, b'b\\n')\nsys.stdout.write('c\\n')\n", ""),
    "stderr_ignored": ("import sys\nprint('debug', file=sys.stderr)\nprint(42)\n", ""),
    # 1.7 #8: import resource was disabled
    "import_resource_stack": ("import resource, sys\nresource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, "
                              "resource.RLIM_INFINITY))\nsys.setrecursionlimit(10**6)\nprint('ok')\n", ""),
    "deep_recursion": ("import sys\nsys.setrecursionlimit(300000)\ndef f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\n"
                       "print(f(100000))\n", ""),
    "thread_big_stack": ("import sys, threading\nsys.setrecursionlimit(10**6)\nthreading.stack_size(2**27)\n"
                         "def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\n"
                         "def main():\n    print(f(200000))\nthreading.Thread(target=main).start()\n", ""),
    "non_daemon_thread_finishes": ("import threading, time\ndef w():\n    time.sleep(0.2)\n    print('late')\n"
                                   "threading.Thread(target=w).start()\nprint('early')\n", ""),
    "atexit_handler": ("import atexit\natexit.register(lambda: print('bye'))\nprint('hi')\n", ""),
    "uncaught_exception": ("print('partial')\nx = [1][5]\n", ""),
    "no_trailing_newline": ("import sys\nsys.stdout.write('no newline')\n", ""),
    "unicode_output": ("print('héllo wörld ✓')\n", ""),
    "input_without_final_newline": ("print(input()[::-1])\n", "abc"),
    "eof_error": ("input()\ninput()\n", "only one line\n"),
    "crlf_input": ("import sys\nprint(sys.stdin.read().split())\n", "1 2\r\n3\r\n"),
    "name_is_main": ("print(__name__, __file__.endswith('.py'))\n", ""),
    "argv": ("import sys\nprint(len(sys.argv), sys.argv[0].endswith('.py'))\n", ""),
    "random_seeded_per_run": ("import random\nprint(0 <= random.random() < 1)\n", ""),
    "large_io": ("import sys\nxs = sys.stdin.read().split()\nsys.stdout.write('\\n'.join(xs) + '\\n')\n",
                 " ".join(str(i) for i in range(200000)) + "\n"),
}


@needs_bwrap
@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_same_as_real_python(judge, tmp_path, name):
    code, stdin = IDIOMS[name]
    rc, real_out, real_err = real_run(code, stdin, tmp_path)
    problem = stdin_problem(cases=[(stdin, real_out)])
    res = judge.run([Submission(problem, code)])[0]
    t = res.test_results[0]
    assert t.exit_code == rc, (name, res, real_err)
    if rc == 0:
        assert res.verdict is Verdict.AC, (name, res.message, t.stderr_tail)
    else:
        assert res.verdict is Verdict.RE, (name, res)
        if real_err.strip():
            assert real_err.strip().splitlines()[-1] in res.message


def test_exact_bytes_match(judge, tmp_path):
    """Token-insensitive checkers could hide differences; compare lines exactly for output-shape idioms."""
    from codecritique.judge.engine import Judge, JudgeConfig

    names = ["os_exit_unflushed", "interleaved_writes", "no_trailing_newline", "readlines_raw", "unicode_output"]
    with Judge(JudgeConfig(workers=1, checker="exact")) as j:
        for name in names:
            code, stdin = IDIOMS[name]
            _, real_out, _ = real_run(code, stdin, tmp_path)
            res = j.run([Submission(stdin_problem(cases=[(stdin, real_out)]), code)])[0]
            assert res.verdict is Verdict.AC, (name, res.message)
            # and a different expected output is rejected
            res = j.run([Submission(stdin_problem(cases=[(stdin, real_out + "x\n")]), code)])[0]
            assert res.verdict is Verdict.WA, name


def test_traceback_shows_solution_only(judge):
    res = judge.run([Submission(stdin_problem(), "def f():\n    return 1 / 0\nf()\n")])[0]
    assert res.verdict is Verdict.RE
    tail = res.test_results[0].stderr_tail
    assert "ZeroDivisionError: division by zero" in tail
    assert 'File "solution.py", line 2, in f' in tail
    assert "return 1 / 0" in tail  # the source line is shown, as linecache finds the file
    assert "zygote" not in tail


def test_deep_recursion_error_prints_as_python_does(judge, tmp_path):
    """A RecursionError 100,000 frames deep: the interpreter prints the last 1000 entries ("[Previous line repeated
    996 more times]"), not all of them."""
    code = ("import sys\nsys.setrecursionlimit(100000)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n")
    rc, _, real_err = real_run(code, "", tmp_path)
    real_err = real_err.replace(str(tmp_path / "solution.py"), "solution.py")  # run there by its full path
    res = judge.run([Submission(stdin_problem(), code)])[0]
    assert rc == 1 and res.verdict is Verdict.RE
    tail = res.test_results[0].stderr_tail
    assert "more times]" in tail and real_err.endswith(tail), (tail, real_err[-500:])


def test_syntax_error_is_ce(judge):
    res = judge.run([Submission(stdin_problem(), "def f(:\n    pass\n")])[0]
    assert res.verdict is Verdict.CE
    assert "SyntaxError" in res.message and "line 1" in res.message
    assert res.failed_test is None


def test_stops_at_first_failure_and_reports_index(judge):
    p = stdin_problem(cases=[("1\n", "1\n"), ("2\n", "2\n"), ("3\n", "4\n"), ("4\n", "4\n")])
    res = judge.run([Submission(p, "print(input())")])[0]
    assert res.verdict is Verdict.WA and res.failed_test == 2
    assert res.tests_run == 3  # test 3 was not needed
    assert "expected '4', got '3'" in res.message


def test_all_tests_mode_counts_passes():
    from codecritique.judge.engine import Judge, JudgeConfig

    p = stdin_problem(cases=[("1\n", "1\n"), ("2\n", "3\n"), ("3\n", "3\n"), ("4\n", "5\n")])
    with Judge(JudgeConfig(workers=2, all_tests=True)) as j:
        res = j.run([Submission(p, "print(input())")])[0]
    assert res.verdict is Verdict.WA and res.failed_test == 1
    assert res.tests_passed == 2 and res.tests_run == 4 and res.tests_total == 4


def test_identical_code_judged_once(judge):
    p = stdin_problem(cases=[("1\n", "1\n")])
    before = judge.stats["deduplicated"]
    res = judge.run([Submission(p, "print(input())")] * 5 + [Submission(p, "print(input()) ")])
    assert all(r.verdict is Verdict.AC for r in res)
    assert judge.stats["deduplicated"] - before == 4
    assert sum(r.cached for r in res) == 4


def test_no_tests_is_not_a_pass(judge):
    from codecritique.problems.model import Problem

    res = judge.run([Submission(Problem(id="empty"), "print(1)")])[0]
    assert res.verdict is Verdict.SE  # LiveCodeBench passes it (judges.md 1.7 #13)
    assert "no tests" in res.message
