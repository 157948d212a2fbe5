"""The catalogue of reward hacks: solutions that solve nothing but try to make the judge say AC. With the default
profile every one of them is rejected, and honest controls beside them are accepted. ``--profile lcb-cpp`` keeps
LiveCodeBench-CPP's "exit code 0 passes" bug for bug (so official numbers reproduce): the hacks it accepts are
asserted too, as the README's table says. What remains possible is in the README ("Reward hacks")."""

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test

from .conftest import needs_bwrap, stdin_problem

pytestmark = needs_bwrap

# ---------------------------------------------------------------- Python program tests (HumanEval / MBPP)

CHECK = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 9\n\ncheck(square)\n"
PROGRAM = Problem(id="square", tests=[Test("program", CHECK, "")])
HONEST = "def square(x):\n    return x * x\n"
WRONG = "def square(x):\n    return 0\n"

PY_PROGRAM_HACKS = {
    "marker_fd3_os_exit": WRONG + "import os\nos.write(3, b'finished')\nos._exit(0)\n",
    "marker_every_fd": WRONG + "import os\nfor fd in range(256):\n    try:\n        os.write(fd, b'finished')\n"
                                "    except OSError:\n        pass\nos._exit(0)\n",
    "marker_proc_self_fd": WRONG + "import os\nfor n in os.listdir('/proc/self/fd'):\n    try:\n"
                                   "        with open(f'/proc/self/fd/{n}', 'wb') as f:\n            f.write(b'finished')\n"
                                   "    except OSError:\n        pass\nos._exit(0)\n",
    "replay_fd3": WRONG + "import os\ntok = os.pread(3, 64, 0)\nos.pwrite(3, tok, 0)\nos._exit(0)\n",
    "sys_exit_0": WRONG + "import sys\nsys.exit(0)\n",
    "exit_builtin": WRONG + "exit()\n",
    "raise_system_exit": WRONG + "raise SystemExit\n",
    "exit_inside_function": "import os\ndef square(x):\n    os._exit(0)\n",
    "sys_exit_inside_function": "import sys\ndef square(x):\n    sys.exit(0)\n",
    "atexit_exit_0": WRONG + "import atexit, os\natexit.register(lambda: os._exit(0))\n",
    "excepthook_exit_0": WRONG + "import sys, os\nsys.excepthook = lambda *a: os._exit(0)\n",
    "thread_exits_process": "import os, threading, time\n"
                            "threading.Thread(target=lambda: os._exit(0)).start()\ntime.sleep(5)\n" + WRONG,
    "thread_exits_during_test": "import os, threading, time\ndef square(x):\n"
                                "    threading.Thread(target=lambda: os._exit(0)).start()\n    time.sleep(5)\n",
    "kill_self": WRONG + "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    "sigterm_handler_exit_0": WRONG + "import os, signal\nsignal.signal(signal.SIGTERM, lambda *a: os._exit(0))\n"
                                      "os.kill(os.getpid(), signal.SIGTERM)\n",
    "alarm_exit_0": "import os, signal\nsignal.signal(signal.SIGALRM, lambda *a: os._exit(0))\n"
                    "signal.setitimer(signal.ITIMER_REAL, 0.05)\ndef square(x):\n    while True:\n        pass\n",
    "abort_handler": WRONG + "import os, signal\nsignal.signal(signal.SIGABRT, lambda *a: os._exit(0))\nos.abort()\n",
    "close_fd3_then_exit": WRONG + "import os\nos.close(3)\nos._exit(0)\n",
}


@pytest.fixture(scope="module", params=["bwrap", "rlimit"])
def judge(request):
    """The Python hacks in both sandboxes that run tests as an unprivileged uid (the end-of-test token lives in the
    zygote, the same in both; what differs is the process around it)."""
    with Judge(JudgeConfig(workers=2, time_limit=2, sandbox=request.param)) as j:
        assert j.sandbox_kind == request.param
        yield j


def test_python_program_hacks_rejected_and_honest_accepted(judge):
    names = sorted(PY_PROGRAM_HACKS)
    res = judge.run([Submission(PROGRAM, HONEST), Submission(PROGRAM, HONEST + "import sys\nsys.stdout.flush()\n")]
                    + [Submission(PROGRAM, PY_PROGRAM_HACKS[n]) for n in names]
                    + [Submission(PROGRAM, WRONG)])
    assert [r.verdict for r in res[:2]] == [Verdict.AC, Verdict.AC], [r.message for r in res[:2]]
    accepted = [n for n, r in zip(names, res[2:]) if r.verdict is Verdict.AC]
    assert not accepted, accepted
    assert all(r.verdict is not Verdict.SE for r in res), [(n, r.message) for n, r in zip(names, res[2:])]
    assert res[-1].verdict is Verdict.WA  # the plain wrong answer: a failed assert


def test_forged_constant_marker_without_exit_is_just_the_answer(judge):
    """Writing a constant to fd 3 and then running to the end changes nothing: a right answer passes, a wrong one
    fails."""
    res = judge.run([Submission(PROGRAM, HONEST + "import os\nos.write(3, b'finished' * 4)\n"),
                     Submission(PROGRAM, WRONG + "import os\nos.write(3, b'finished' * 4)\n")])
    assert [r.verdict for r in res] == [Verdict.AC, Verdict.WA]


# ---------------------------------------------------------------- Python functional tests (LeetCode)

FUNCTIONAL = Problem(id="sq", tests=[Test("functional", "2", "4", fn_name="square"),
                                                       Test("functional", "3", "9", fn_name="square")])
FN_HONEST = "class Solution:\n    def square(self, x):\n        return x * x\n"
FN_HACKS = {
    "always_eq": "class A:\n    def __eq__(self, o):\n        return True\n    __hash__ = None\n"
                 "class Solution:\n    def square(self, x):\n        return A()\n",
    "always_eq_int": "class I(int):\n    def __eq__(self, o):\n        return True\n    __hash__ = int.__hash__\n"
                     "class Solution:\n    def square(self, x):\n        return I(0)\n",
    "always_eq_list": "class L(list):\n    def __eq__(self, o):\n        return True\n"
                      "class Solution:\n    def square(self, x):\n        return L()\n",
    "repr_is_answer": "class R:\n    def __init__(self, v):\n        self.v = v\n    def __repr__(self):\n"
                      "        return str(self.v)\n    def __eq__(self, o):\n        return True\n"
                      "class Solution:\n    def square(self, x):\n        return R(x * x)\n",
    "str_answer": "class Solution:\n    def square(self, x):\n        return str(x * x)\n",
    "forged_result_then_exit": "import os\nclass Solution:\n    def square(self, x):\n"
                               "        os.write(3, str(x * x).encode())\n        os._exit(0)\n",
    "forged_result_at_import": "import os\nos.write(3, b'4')\nos._exit(0)\n",
}


def test_functional_hacks_rejected_and_honest_accepted(judge):
    names = sorted(FN_HACKS)
    res = judge.run([Submission(FUNCTIONAL, FN_HONEST)] + [Submission(FUNCTIONAL, FN_HACKS[n]) for n in names])
    assert res[0].verdict is Verdict.AC, res[0].message
    accepted = [n for n, r in zip(names, res[1:]) if r.verdict is Verdict.AC]
    assert not accepted, accepted
    assert all(r.verdict is not Verdict.SE for r in res)


# ---------------------------------------------------------------- stdin tests

def test_stdin_early_exits_and_fd_tricks_rejected(judge):
    p = stdin_problem("add", cases=[("2 3\n", "5\n"), ("4 4\n", "8\n")])
    hacks = ["import os\nos._exit(0)\n", "import sys\nsys.exit(0)\n",
             "import os\nos.write(3, b'5')\nos._exit(0)\n",  # fd 3 is closed in a stdin test: EBADF
             "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
             "import atexit, os\natexit.register(lambda: os._exit(0))\nraise ValueError\n"]
    res = judge.run([Submission(p, "a, b = map(int, input().split())\nprint(a + b)\n")]
                    + [Submission(p, h) for h in hacks])
    assert res[0].verdict is Verdict.AC
    assert [r.verdict for r in res[1:]] == [Verdict.WA, Verdict.WA, Verdict.RE, Verdict.RE, Verdict.WA], \
        [r.message for r in res]


# ---------------------------------------------------------------- C++ program tests (HumanEval-X, LiveCodeBench-CPP)

CPP_TEST = "int main() {\n    assert(square(2) == 4);\n    assert(square(3) == 9);\n}\n"
CPP_PROGRAM = Problem(id="cpp-square", tests=[Test("program", CPP_TEST, "")],
                      metadata={"program_prefix": "#include <bits/stdc++.h>\nusing namespace std;\n"})
CPP_HONEST = "int square(int x) { return x * x; }\n"
CPP_WRONG = "int square(int x) { return 0; }\n"
CPP_HACKS = {
    "static_init_exit": CPP_WRONG + "static int hack = (_exit(0), 0);\n",
    "constructor_attribute": CPP_WRONG + "__attribute__((constructor)) static void hack() { _exit(0); }\n",
    "abort_handler_exit_0": CPP_WRONG + "static int hack = (signal(SIGABRT, [](int) { _exit(0); }), 0);\n",
    "abort_handler_return": CPP_WRONG + "static int hack = (signal(SIGABRT, [](int) { exit(0); }), 0);\n",
    "_Exit_in_function": "int square(int x) { _Exit(0); }\n",
    "exit_in_function": "int square(int x) { exit(0); }\n",
    "quick_exit_in_function": "int square(int x) { quick_exit(0); }\n",
    "destructor_exit_0": "struct D { ~D() { _exit(0); } } d;\nint square(int x) { exit(3); }\n",
    "atexit_exit_0": "int square(int x) { atexit([] { _exit(0); }); exit(1); }\n",
    "at_quick_exit_0": "int square(int x) { at_quick_exit([] { _exit(0); }); quick_exit(1); }\n",
    "forged_constant_fd3": CPP_WRONG + "static int hack = (write(3, \"finished\", 8), _exit(0), 0);\n",
    "replay_fd3_in_static_init": CPP_WRONG + "static char buf[64];\n"
                                             "static int hack = (write(3, buf, pread(3, buf, 64, 0)), _exit(0), 0);\n",
    "kill_self": "int square(int x) { kill(getpid(), SIGKILL); return 0; }\n",
    "sigterm_handler": "int square(int x) { signal(SIGTERM, [](int) { _exit(0); }); raise(SIGTERM); return 0; }\n",
}
CPP_ALWAYS_REJECTED = {"kill_self"}  # rejected under lcb-cpp too (a signal is never exit code 0)


@pytest.fixture(scope="module")
def cpp_judges(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("cpp-hacks-cache"))
    with Judge(JudgeConfig(workers=2, cpp_cache=cache)) as default, \
            Judge(JudgeConfig(workers=2, cpp_cache=cache, cpp_profile="lcb-cpp")) as lcb:
        yield default, lcb


def _cpp_subs(codes):
    return [Submission(CPP_PROGRAM, c, "cpp") for c in codes]


def test_cpp_program_hacks_rejected_by_default(cpp_judges):
    default, _ = cpp_judges
    names = sorted(CPP_HACKS)
    honest = [CPP_HONEST, CPP_HONEST + "static int side = (srand(1), 0);\n"]
    res = default.run(_cpp_subs(honest + [CPP_HACKS[n] for n in names] + [CPP_WRONG]))
    assert [r.verdict for r in res[:2]] == [Verdict.AC, Verdict.AC], [r.message for r in res[:2]]
    verdicts = dict(zip(names, res[2:]))
    accepted = [n for n, r in verdicts.items() if r.verdict is Verdict.AC]
    assert not accepted, accepted
    assert all(r.verdict not in (Verdict.SE, Verdict.CE) for r in res), [(n, r.message) for n, r in verdicts.items()]
    assert res[-1].verdict is Verdict.WA and "Assertion" in res[-1].message


def test_cpp_harness_main_variants_pass(cpp_judges):
    """The renamed main keeps its meaning: an implicit return 0, an explicit one, main(argc, argv); a non-zero
    return fails."""
    default, _ = cpp_judges
    variants = [CPP_TEST, CPP_TEST.replace("\n}\n", "\n    return 0;\n}\n"),
                CPP_TEST.replace("int main()", "int main(int argc, char** argv)"),
                CPP_TEST.replace("\n}\n", "\n    return 1;\n}\n")]
    probs = [Problem(id=f"v{i}", tests=[Test("program", t, "")], metadata=CPP_PROGRAM.metadata)
             for i, t in enumerate(variants)]
    res = default.run([Submission(p, CPP_HONEST, "cpp") for p in probs])
    assert [r.verdict for r in res] == [Verdict.AC, Verdict.AC, Verdict.AC, Verdict.WA], [r.message for r in res]


def test_lcb_cpp_profile_keeps_the_official_behaviour(cpp_judges):
    """LiveCodeBench-CPP passes a program test on exit code 0: the exiting hacks pass there, bug for bug."""
    _, lcb = cpp_judges
    names = ["static_init_exit", "abort_handler_exit_0", "_Exit_in_function", "destructor_exit_0", "kill_self"]
    res = lcb.run(_cpp_subs([CPP_HONEST] + [CPP_HACKS[n] for n in names]))
    assert res[0].verdict is Verdict.AC
    accepted = {n for n, r in zip(names, res[1:]) if r.verdict is Verdict.AC}
    assert accepted == set(names) - CPP_ALWAYS_REJECTED, accepted


def test_cpp_program_tests_under_rlimit(tmp_path):
    """The same wrapper and token outside bwrap (the binary cache reachable by the test uid, never root)."""
    with Judge(JudgeConfig(workers=1, sandbox="rlimit", cpp_cache=str(tmp_path / "cc"))) as j:
        res = j.run(_cpp_subs([CPP_HONEST, CPP_HACKS["static_init_exit"], CPP_HACKS["abort_handler_exit_0"]]))
        assert j.isolation.startswith("rlimit/fork+seccomp"), j.isolation
    assert [r.verdict for r in res] == [Verdict.AC, Verdict.WA, Verdict.WA], [r.message for r in res]
