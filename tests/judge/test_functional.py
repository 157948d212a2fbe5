"""LeetCode-style functional tests: a fresh Solution() per test, arguments in LiveCodeBench's format, results compared
as JSON values (floats with tolerance), LeetCode's implicit imports available."""

import pytest

from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test

from .conftest import needs_bwrap

pytestmark = needs_bwrap


def fproblem(fn, cases, pid="f"):
    return Problem(id=pid, tests=[Test("functional", args, out, fn_name=fn) for args, out in cases])


def verdicts(judge, problem, *codes):
    return [r.verdict for r in judge.run([Submission(problem, c) for c in codes])]


def test_basic_and_implicit_imports(judge):
    p = fproblem("twoSum", [("[2,7,11,15]\n9", "[0, 1]"), ("[3,2,4]\n6", "[1,2]")])
    code = ("class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
            "        seen = defaultdict(int)\n        for i, x in enumerate(nums):\n"
            "            if target - x in seen:\n                return [seen[target - x], i]\n"
            "            seen[x] = i\n")
    assert verdicts(judge, p, code) == [Verdict.AC]


def test_fresh_solution_per_test(judge):
    """LiveCodeBench reuses one instance (judges.md 1.7 #9); LeetCode does not."""
    p = fproblem("count", [("1", "1"), ("1", "1"), ("1", "1")])
    code = ("class Solution:\n    def __init__(self):\n        self.calls = 0\n"
            "    def count(self, x: int) -> int:\n        self.calls += x\n        return self.calls\n")
    assert verdicts(judge, p, code) == [Verdict.AC]


def test_arguments_are_fresh_copies(judge):
    p = fproblem("pop", [("[1,2,3]", "3"), ("[1,2,3]", "3")])
    code = "class Solution:\n    def pop(self, a):\n        a.append(99)\n        return len(a) - 1\n"
    assert verdicts(judge, p, code) == [Verdict.AC]


@pytest.mark.parametrize("ret,expected,ok", [
    ("0.1 + 0.2", "0.3", True),                      # float tolerance (LCB has none: 1.7 #1)
    ("[[1.0000001, 2], [3]]", "[[1.0, 2], [3]]", True),  # nested
    ("1 / 3", "0.33333", False),                      # beyond 1e-6
    ("True", "true", True),
    ("False", "true", False),
    ("'abc'", "\"abc\"", True),
    ("'abc'", "\"abd\"", False),
    ("None", "null", True),
    ("(1, 2)", "[1, 2]", True),                       # tuples are lists
    ("[(1, 2)]", "[[1, 2]]", True),
    ("[1, 2, 3]", "[1, 2]", False),
    ("5", "5.0", True),
    ("10**18 + 1", "1000000000000000000", False),     # big integers stay exact
    ("{'a': 1}", "{\"a\": 1}", True),
])
def test_value_comparison(judge, ret, expected, ok):
    p = fproblem("f", [("0", expected)], pid=f"v-{ret}-{expected}")
    code = f"class Solution:\n    def f(self, x):\n        return {ret}\n"
    assert verdicts(judge, p, code) == [Verdict.AC if ok else Verdict.WA]


def test_lcb_mode_has_no_tolerance_and_keeps_nested_tuples():
    with Judge(JudgeConfig(workers=1, checker="lcb")) as j:
        assert verdicts(j, fproblem("f", [("0", "0.3")]),
                        "class Solution:\n    def f(self, x):\n        return 0.1 + 0.2\n") == [Verdict.WA]
        assert verdicts(j, fproblem("f", [("0", "[1, 2]")], pid="t"),
                        "class Solution:\n    def f(self, x):\n        return (1, 2)\n") == [Verdict.AC]
        assert verdicts(j, fproblem("f", [("0", "[[1, 2]]")], pid="t2"),
                        "class Solution:\n    def f(self, x):\n        return [(1, 2)]\n") == [Verdict.WA]


def test_module_level_function_and_prints_ignored(judge):
    p = fproblem("add", [("1\n2", "3")])
    code = "def add(a, b):\n    print('debug output is not the answer')\n    return a + b\n"
    assert verdicts(judge, p, code) == [Verdict.AC]


def test_exceptions_and_missing_method(judge):
    p = fproblem("f", [("[1]", "1")])
    r = judge.run([Submission(p, "class Solution:\n    def f(self, a):\n        return a[5]\n"),
                   Submission(p, "class Solution:\n    def g(self, a):\n        return 1\n")])
    assert r[0].verdict is Verdict.RE and "IndexError" in r[0].message
    assert r[1].verdict is Verdict.RE and "AttributeError" in r[1].message


def test_unserializable_result_is_wrong_not_a_crash(judge):
    p = fproblem("f", [("0", "[1, 2]")])
    r = judge.run([Submission(p, "class Solution:\n    def f(self, x):\n        return {1, 2}\n")])[0]
    assert r.verdict is Verdict.WA


def test_timeouts_per_test(judge):
    p = fproblem("f", [("1", "1"), ("0", "0")])
    r = judge.run([Submission(p, "class Solution:\n    def f(self, x):\n        while not x: pass\n"
                                 "        return x\n")])[0]
    assert r.verdict is Verdict.TLE and r.failed_test == 1


def test_program_tests_humaneval_style(judge):
    p = Problem(id="h", starter_code="def add(a, b):\n",
                tests=[Test("program", "def check(candidate):\n    assert candidate(1, 2) == 3\n\ncheck(add)\n")])
    r = judge.run([Submission(p, "def add(a, b):\n    return a + b\n"),
                   Submission(p, "def add(a, b):\n    return a - b\n"),
                   Submission(p, "def add(a, b):\n    return undefined_name\n")])
    assert [x.verdict for x in r] == [Verdict.AC, Verdict.WA, Verdict.RE]


def test_program_early_exit_is_not_a_pass(judge):
    """exit(0) before check() runs would pass a harness that only looks at the exit code."""
    p = Problem(id="h2", tests=[Test("program", "def check(candidate):\n    assert candidate(1, 2) == 3\n\ncheck(add)\n")])
    r = judge.run([Submission(p, "def add(a, b):\n    return 0\nimport sys\nsys.exit(0)\n"),
                   Submission(p, "def add(a, b):\n    import os\n    os._exit(0)\n")])
    assert [x.verdict for x in r] == [Verdict.WA, Verdict.WA]
    assert "early exit" in r[0].message
