"""The zygote's fork server (issue 14): test processes are forked by a child of the zygote that only forks and reaps.
What must hold: consecutive tests run under alternating uids, also when the fork server is replaced (the zygote
imports more for LiveCodeBench's prelude or its compatibility mode, then forks a new one); a replaced fork server
and its unused standby process leave nothing behind; the zygote imports its modules from compiled files."""

import os
import subprocess
import sys

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.sandbox import BASE_UID, SANDBOXED_DIR
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test

from .conftest import needs_bwrap, needs_root, stdin_problem

pytestmark = [needs_bwrap, needs_root]

UID_TO_STDERR = "import os, sys\nsys.stderr.write('uid=%d' % os.getuid())\n"


def _uids(result) -> list[int]:
    out = []
    for t in result.test_results:
        assert "uid=" in t.stderr_tail, t
        out.append(int(t.stderr_tail.rsplit("uid=", 1)[1].split()[0]))
    return out


def _tree(root: int) -> list[tuple[int, str, str]]:
    """(pid, state, args) of every descendant of ``root``."""
    rows = [line.split(None, 3) for line in subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,stat=,args="],
                                                          capture_output=True, text=True).stdout.splitlines()]
    children: dict[int, list[list[str]]] = {}
    for r in rows:
        children.setdefault(int(r[1]), []).append(r)
    found, todo = [], [root]
    while todo:
        for r in children.get(todo.pop(), []):
            found.append((int(r[0]), r[2], r[3] if len(r) > 3 else ""))
            todo.append(int(r[0]))
    return found


def test_uids_alternate_across_fork_server_replacements():
    echo = stdin_problem("echo", cases=[(f"{i}\n", f"{i}\n") for i in range(3)])
    functional = Problem(id="f", tests=[Test("functional", "1", "2", fn_name="f"), Test("functional", "5", "6",
                                                                                        fn_name="f")])
    stdin_code = UID_TO_STDERR + "print(input())\n"
    fn_code = "class Solution:\n    def f(self, x):\n        " + \
              "import os, sys; sys.stderr.write('uid=%d' % os.getuid())\n        return x + 1\n"
    uids = []
    with Judge(JudgeConfig(workers=1, all_tests=True)) as judge:
        for sub in [Submission(echo, stdin_code),
                    Submission(functional, fn_code),  # LiveCodeBench's prelude: more imports, a new fork server
                    Submission(echo, stdin_code)]:
            r = judge.run([sub])[0]
            assert r.verdict is Verdict.AC, r
            uids += _uids(r)
        zygote_tree = _tree(judge.workers[0].proc.pid)
    assert len(uids) == 8
    assert all(BASE_UID <= u < BASE_UID + 2 for u in uids), uids
    assert all(a != b for a, b in zip(uids, uids[1:])), f"two consecutive tests under one uid: {uids}"
    # nothing left over from the replaced fork server: no zombie, and only the zygote, one fork server and at most
    # one standby test process
    pythons = [p for p in zygote_tree if "run_zygote.py" in p[2] and not p[2].startswith("bwrap")]
    assert not [p for p in zygote_tree if p[1].startswith("Z")], zygote_tree
    assert 2 <= len(pythons) <= 3, zygote_tree


def test_lcb_compat_mode_replaces_the_fork_server_cleanly():
    """--checker lcb imports lcb_compat in the zygote (a replacement of the fork server) on its first test."""
    echo = stdin_problem("echo", cases=[(f"{i}\n", f"{i}\n") for i in range(4)])
    with Judge(JudgeConfig(workers=1, all_tests=True, checker="lcb")) as judge:
        r = judge.run([Submission(echo, "print(input())\n")])[0]
        assert r.verdict is Verdict.AC and r.tests_passed == 4, r
        r = judge.run([Submission(echo, "print(int(input()) + 1)\n")])[0]
        assert r.verdict is Verdict.WA and r.tests_passed == 0, r


def test_zygote_modules_are_imported_compiled():
    """The judge compiles the zygote's modules for its interpreter, so a zygote does not compile them (their freed
    heap would be copied in every fork)."""
    cache = SANDBOXED_DIR / "__pycache__"
    if not os.access(SANDBOXED_DIR, os.W_OK):
        pytest.skip("the package folder is read-only here (an installed package, compiled by pip)")
    p = stdin_problem("one", cases=[("", "1\n")])
    with Judge(JudgeConfig(workers=1)) as judge:
        assert judge.run([Submission(p, "print(1)")])[0].verdict is Verdict.AC
    tag = sys.implementation.cache_tag
    for name in ("zygote", "zygote_isolation", "zygote_kernel", "zygote_protocol", "zygote_python"):
        pyc = cache / f"{name}.{tag}.pyc"
        assert pyc.exists(), pyc
        assert pyc.stat().st_mtime >= (SANDBOXED_DIR / f"{name}.py").stat().st_mtime - 1
