"""LeetCode-style C++: signatures and types, our per-test harness, the LiveCodeBench-CPP harness style, and the
problems no harness can express (reported, never guessed)."""

import json

import pytest

from codecritique.judge.cpp_harness import CppType, Unmappable, check_test, cpp_literal, cpp_signature, \
    lcb_style_harness, lcb_style_prefix, parse_cpp_type, problem_signature, python_hint_type, signature_from_python
from codecritique.judge.engine import Submission
from codecritique.judge.verdict import Verdict
from codecritique.problems.model import Problem, Test
from codecritique.problems.signature import solution_signature

from .conftest import needs_bwrap


def leetcode(pid: str, starter: str, cases, fn: str) -> Problem:
    """A problem with a C++ starter code and functional tests ((args, expected) as Python values)."""
    tests = [Test("functional", "\n".join(json.dumps(a) for a in args), json.dumps(out), fn_name=fn)
             for args, out in cases]
    return Problem(id=pid, tests=tests, platform="leetcode", metadata={"cpp_starter_code": starter})


# ---------------------------------------------------------------------------------------------------------------
# types and signatures (no compiler needed)


@pytest.mark.parametrize("text, spelling", [
    ("int", "int"), ("long long", "long long"), ("const std::string &", "string"), ("vector<vector<int>>&", "vector<vector<int>>"),
    ("const vector<string>&", "vector<string>"), ("TreeNode *", "TreeNode*"), ("vector<vector<char> >", "vector<vector<char>>"),
    ("double", "double"), ("bool", "bool"), ("char", "char"), ("long int", "long"),
])
def test_cpp_types(text, spelling):
    assert parse_cpp_type(text).spelling == spelling


@pytest.mark.parametrize("text", ["unordered_map<int,int>", "Node*", "pair<int,int>", "vector<Node*>"])
def test_unsupported_cpp_types_are_reported(text):
    with pytest.raises(Unmappable, match="not a LeetCode type"):
        parse_cpp_type(text)


@pytest.mark.parametrize("hint, spelling", [
    ("int", "int"), ("List[List[int]]", "vector<vector<int>>"), ("Optional[TreeNode]", "TreeNode*"),
    ("list[str]", "vector<string>"), ("float", "double"), ("bool", "bool"), ("Optional[ListNode]", "ListNode*"),
])
def test_python_hints(hint, spelling):
    assert python_hint_type(hint).spelling == spelling


@pytest.mark.parametrize("hint", ["Dict[int, int]", "Tuple[int, int]", "Optional['Node']", "Set[int]", ""])
def test_python_hints_without_a_cpp_counterpart_are_reported(hint):
    with pytest.raises(Unmappable):
        python_hint_type(hint)


def test_signature_from_cpp_starter_skips_helpers_comments_and_strings():
    code = """
class Solution {
    int helper(int x) { return x; }   // private
public:
    // a comment with class Solution { public: int fake(int y) {
    long long maxSum(vector<int>& nums, const string &s, int k = 3) {
        string t = "}{";
        return helper(k);
    }
};"""
    sig = cpp_signature(code)
    assert sig.name == "maxSum" and sig.returns.spelling == "long long"
    assert [(p.name, p.type.spelling, p.by_ref) for p in sig.params] == [
        ("nums", "vector<int>", True), ("s", "string", False), ("k", "int", False)]


def test_several_public_methods_need_a_name():
    code = "class Solution {\npublic:\n int a(int x) { return x; }\n int b(int y) { return y; }\n};"
    with pytest.raises(Unmappable, match="several public methods"):
        cpp_signature(code)
    assert cpp_signature(code, "b").name == "b"


def test_signature_from_python_widens_ints_that_do_not_fit():
    sig = solution_signature("class Solution:\n    def f(self, nums: List[int], k: int) -> int:\n")
    small = signature_from_python(sig, [Test("functional", "[1,2]\n3", "4")])
    big = signature_from_python(sig, [Test("functional", "[1,2]\n3", "4"), Test("functional", "[10000000000]\n1", "5")])
    assert [p.type.spelling for p in small.params] + [small.returns.spelling] == ["vector<int>", "int", "int"]
    assert [p.type.spelling for p in big.params] + [big.returns.spelling] == ["vector<long long>", "int", "int"]


def test_void_methods_need_an_argument_to_modify():
    assert cpp_signature("class Solution {\npublic:\n void rotate(vector<int>& nums, int k) {}\n};").answer_type \
        .spelling == "vector<int>"
    with pytest.raises(Unmappable, match="not a reference"):
        cpp_signature("class Solution {\npublic:\n void f(int k) {}\n};")


def test_tests_must_fit_the_types():
    sig = cpp_signature("class Solution {\npublic:\n int f(vector<int>& a, char c) { return 0; }\n};")
    check_test(sig, Test("functional", '[1,2]\n"x"', "3"))
    for bad, why in [('[1,2]\n"xy"', "not a char"), ('[1,"2"]\n"x"', "not a int"), ("[1]", "1 arguments for 2"),
                     ("[1,2]\n'x'", "not JSON")]:
        with pytest.raises(Unmappable, match=why):
            check_test(sig, Test("functional", bad, "3"))
    with pytest.raises(Unmappable, match="expected value"):
        check_test(sig, Test("functional", '[1]\n"x"', "3000000000"))


def test_literals():
    assert cpp_literal(parse_cpp_type("vector<vector<int>>"), [[1, -2], []]) == \
        "vector<vector<int>>{vector<int>{1, (-2)}, vector<int>{}}"
    assert cpp_literal(CppType("string"), 'a"b\\?\n') == r'string("a\"b\\\077\012")'
    assert cpp_literal(CppType("long long"), -(2 ** 63)) == "(-9223372036854775807LL - 1)"
    assert cpp_literal(CppType("TreeNode*"), [1, None, 2]) == "__cc::make_tree({1, std::nullopt, 2})"
    assert cpp_literal(CppType("double"), 0.1) == "0.1"


# ---------------------------------------------------------------------------------------------------------------
# our harness, end to end

TYPES = leetcode("types", "class Solution {\npublic:\n string describe(int a, long long b, double c, bool d, char e, "
                          "string s, vector<vector<int>>& g, vector<string>& w) {\n    }\n};",
                 [([1, 2 ** 40, 0.5, True, "x", "h\u00e9\"llo", [[1], []], ["a", ""]], "ok")], "describe")
TYPES_OK = r"""class Solution {
public:
    string describe(int a, long long b, double c, bool d, char e, string s, vector<vector<int>>& g,
                    vector<string>& w) {
        bool ok = a == 1 && b == (1LL << 40) && c == 0.5 && d && e == 'x' && s == "h\xc3\xa9\"llo" &&
                  g.size() == 2 && g[0] == vector<int>{1} && g[1].empty() && w == vector<string>{"a", ""};
        return ok ? "ok" : "bad";
    }
};"""


@needs_bwrap
def test_every_argument_type_arrives_intact(cpp_judge):
    res = cpp_judge.run([Submission(TYPES, TYPES_OK, "cpp")])[0]
    assert res.verdict is Verdict.AC, res.message


RETURNS = [
    (leetcode("ret-ll", "class Solution {\npublic:\n long long big(int n) {}\n};", [([3], 3 * 2 ** 40)], "big"),
     "class Solution { public: long long big(int n) { return (long long)n << 40; } };"),
    (leetcode("ret-double", "class Solution {\npublic:\n double third(int n) {}\n};", [([1], 0.333333)], "third"),
     "class Solution { public: double third(int n) { return n / 3.0; } };"),
    (leetcode("ret-strs", "class Solution {\npublic:\n vector<string> split(string s, char c) {}\n};",
              [(["a,b,,c", ","], ["a", "b", "", "c"])], "split"),
     "class Solution { public: vector<string> split(string s, char c) { vector<string> r(1);"
     " for (char x : s) { if (x == c) r.emplace_back(); else r.back() += x; } return r; } };"),
    (leetcode("ret-char", "class Solution {\npublic:\n char first(vector<char>& cs) {}\n};", [([["q", "r"]], "q")],
              "first"),
     "class Solution { public: char first(vector<char>& cs) { return cs[0]; } };"),
    (leetcode("ret-bool", "class Solution {\npublic:\n bool even(int n) {}\n};", [([4], True), ([3], False)], "even"),
     "class Solution { public: bool even(int n) { return n % 2 == 0; } };"),
    (leetcode("ret-list", "class Solution {\npublic:\n ListNode* reverseList(ListNode* head) {}\n};",
              [([[1, 2, 3]], [3, 2, 1]), ([[]], [])], "reverseList"),
     "class Solution { public: ListNode* reverseList(ListNode* h) { ListNode* p = nullptr;"
     " while (h) { auto n = h->next; h->next = p; p = h; h = n; } return p; } };"),
    (leetcode("ret-tree", "class Solution {\npublic:\n TreeNode* invertTree(TreeNode* root) {}\n};",
              [([[4, 2, 7, 1, None, 6, 9]], [4, 7, 2, 9, 6, None, 1]), ([[]], [])], "invertTree"),
     "class Solution { public: TreeNode* invertTree(TreeNode* r) { if (!r) return r;"
     " swap(r->left, r->right); invertTree(r->left); invertTree(r->right); return r; } };"),
    (leetcode("in-place", "class Solution {\npublic:\n void rotate(vector<vector<int>>& matrix) {}\n};",
              [([[[1, 2], [3, 4]]], [[3, 1], [4, 2]])], "rotate"),
     "class Solution { public: void rotate(vector<vector<int>>& m) { int n = m.size(); auto c = m;"
     " for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[j][n - 1 - i] = c[i][j]; } };"),
]


@needs_bwrap
def test_return_types_and_in_place_answers(cpp_judge):
    results = cpp_judge.run([Submission(p, code, "cpp") for p, code in RETURNS])
    for (p, _), res in zip(RETURNS, results):
        assert res.verdict is Verdict.AC, (p.id, res.message)


@needs_bwrap
def test_wrong_values_are_wrong_answers_per_test(cpp_judge):
    p, _ = RETURNS[4]  # bool even(int n): tests 4 -> true, 3 -> false
    res = cpp_judge.run([Submission(p, "class Solution { public: bool even(int n) { return n == 4; } };", "cpp"),
                         Submission(p, "class Solution { public: bool even(int n) { return true; } };", "cpp")])
    assert res[0].verdict is Verdict.AC
    assert res[1].verdict is Verdict.WA and res[1].failed_test == 1 and "expected false, got true" in res[1].message


@needs_bwrap
def test_a_fresh_solution_per_test(cpp_judge):
    p = leetcode("fresh", "class Solution {\npublic:\n int next(int x) {}\n};", [([1], 2), ([5], 6), ([7], 8)], "next")
    stateful = "class Solution { int calls = 0; public: int next(int x) { static int seen = 0; seen++; " \
               "return x + ++calls + (seen - 1) * 100; } };"
    res = cpp_judge.run([Submission(p, stateful, "cpp")])[0]
    assert res.verdict is Verdict.AC, res.message


@needs_bwrap
def test_solution_types_may_differ_from_the_starter(cpp_judge):
    # LeetCode's implicit conversions: long long for int, by value or const& for a reference
    p = leetcode("lenient", "class Solution {\npublic:\n int sum(vector<int>& nums, int k) {}\n};",
                 [([[1, 2, 3], 4], 10)], "sum")
    code = "class Solution { public: long long sum(const vector<long long>& nums, long long k) {" \
           " return accumulate(nums.begin(), nums.end(), k); } };"
    assert cpp_judge.run([Submission(p, code, "cpp")])[0].verdict is Verdict.AC


@needs_bwrap
def test_signature_from_python_type_hints(cpp_judge):
    p = Problem(id="py-hints", platform="leetcode",
                starter_code="class Solution:\n    def maxSum(self, nums: List[int], k: int) -> int:\n        ",
                tests=[Test("functional", "[1,5,2]\n2", "7", fn_name="maxSum"),
                       Test("functional", "[3]\n1", "3", fn_name="maxSum")])
    assert problem_signature(p).starter_code().splitlines()[2].strip() == "int maxSum(vector<int>& nums, int k) {"
    code = "class Solution { public: int maxSum(vector<int>& nums, int k) { sort(nums.rbegin(), nums.rend());" \
           " return accumulate(nums.begin(), nums.begin() + k, 0); } };"
    assert cpp_judge.run([Submission(p, code, "cpp")])[0].verdict is Verdict.AC


@needs_bwrap
def test_unmappable_problems_are_system_errors_with_the_reason(cpp_judge):
    design = Problem(id="design", platform="leetcode", starter_code="class LRUCache:\n    def get(self, key: int) -> int:\n",
                     tests=[Test("functional", "1", "1", fn_name="get")])
    nary = Problem(id="nary", platform="leetcode",
                   starter_code="class Solution:\n    def maxDepth(self, root: 'Node') -> int:\n",
                   tests=[Test("functional", "[1,null,3]", "2", fn_name="maxDepth")])
    before = cpp_judge.stats["unmappable"]
    res = cpp_judge.run([Submission(design, "int x;", "cpp"), Submission(nary, "int y;", "cpp")])
    assert all(r.verdict is Verdict.SE for r in res)
    assert "design problem" in res[0].message and "'Node'" in res[1].message
    assert cpp_judge.stats["unmappable"] - before == 2


@needs_bwrap
def test_compile_errors_point_at_the_solutions_own_lines(cpp_judge):
    p, _ = RETURNS[4]
    res = cpp_judge.run([Submission(p, "class Solution {\npublic:\n  bool even(int n) { return n % 2 == 0 }\n};",
                                    "cpp")])[0]
    assert res.verdict is Verdict.CE and "solution.cpp:3:" in res.message


# ---------------------------------------------------------------------------------------------------------------
# the LiveCodeBench-CPP harness style gives the same verdicts


def lcb_style(problem: Problem) -> Problem:
    sig = problem_signature(problem)
    return Problem(id=problem.id + "#lcb", tests=[Test("program", lcb_style_harness(sig, problem.tests))],
                   metadata={"program_prefix": lcb_style_prefix(sig)})


@needs_bwrap
def test_lcb_style_harness_agrees_with_ours(cpp_judge):
    cases = RETURNS + [(RETURNS[4][0], "class Solution { public: bool even(int n) { return true; } };"),
                       (RETURNS[6][0], "class Solution { public: TreeNode* invertTree(TreeNode* r) { return r; } };"),
                       (RETURNS[1][0], "class Solution { public: double third(int n) { return 0.3334; } };")]
    ours = cpp_judge.run([Submission(p, code, "cpp") for p, code in cases])
    theirs = cpp_judge.run([Submission(lcb_style(p), code, "cpp") for p, code in cases])
    assert [r.verdict is Verdict.AC for r in ours] == [r.verdict is Verdict.AC for r in theirs]
    assert [r.verdict is Verdict.AC for r in ours] == [True] * len(RETURNS) + [False] * 3
    assert theirs[-1].verdict is Verdict.WA and "exit code 1" in theirs[-1].message
