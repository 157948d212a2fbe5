"""Functional sample tests from LeetCode-style statements (as LiveCodeBench stores them)."""

import json

import pytest

from codecritique.problems.samples import extract_functional_samples, extract_samples

STARTER = "class Solution:\n    def countPairs(self, nums: List[int], k: int) -> int:\n        "


def functional_tests(statement, starter=STARTER, **kw):
    result = extract_samples(statement, platform="leetcode", starter_code=starter, **kw)
    assert result.status == "found", result.reason
    assert all(t.kind == "functional" and t.public for t in result.tests)
    return result.tests


def args(test):
    return [json.loads(line) for line in test.input.split("\n")]


def test_arguments_follow_the_signature_order():
    statement = (
        "Return the number of pairs.\n \nExample 1:\n\nInput: k = 2, nums = [1,2,3]\nOutput: 5\n"
        "Explanation: Note that pairs are unordered.\n\nExample 2:\n\nInput: nums = [-1, 4], k = -3\nOutput: 0\n\n"
        " \nConstraints:\n\n1 <= nums.length <= 100"
    )
    t1, t2 = functional_tests(statement)
    assert (t1.input, t1.output, t1.fn_name) == ("[1,2,3]\n2", "5", "countPairs")
    assert (t2.input, t2.output) == ("[-1,4]\n-3", "0")  # compact JSON, one value per line, no trailing newline


def test_json_values_of_every_kind():
    starter = (
        "class Solution:\n    def f(self, s: str, grid: List[List[int]], flag: bool, x: float, t: str) -> List[str]:\n"
    )
    statement = (
        'Example 1:\n\nInput: s = "a, b = \\"c\\"", grid = [[1,-2],[3]], flag = true, x = -0.5, t = ""\n'
        'Output: ["x,y", "", null]\n'
    )
    (t,) = functional_tests(statement, starter)
    assert args(t) == ['a, b = "c"', [[1, -2], [3]], True, -0.5, ""]
    assert json.loads(t.output) == ["x,y", "", None]


@pytest.mark.parametrize(
    "output, expected",
    [("true", True), ('"abc"', "abc"), ("[[1,2],[3]]", [[1, 2], [3]]), ("1.00000", 1.0), ("-7", -7), ("[]", [])],
)
def test_outputs(output, expected):
    (t,) = functional_tests(f"Example 1:\n\nInput: nums = [1], k = 1\nOutput: {output}\nExplanation: none.\n")
    assert json.loads(t.output) == expected


def test_multiline_input_and_output_blocks():
    statement = (
        "Example 1:\n\n\nInput:\nnums = [1,\n  2,\n  3],\nk = 4\nOutput: [[1,2],\n [3,4]]\n\n"
        "Explanation: see the image.\n"
        "Example 2:\n\nInput: nums = [5]\n, k = 0\nOutput: \n0\n"
    )
    t1, t2 = functional_tests(statement)
    assert (args(t1), json.loads(t1.output)) == ([[1, 2, 3], 4], [[1, 2], [3, 4]])
    assert (args(t2), t2.output) == ([[5], 0], "0")


def test_crlf_and_example_without_number():
    (t,) = functional_tests("Example:\r\n\r\nInput: nums = [2], k = 1\r\nOutput: 1\r\n\r\nConstraints:\r\n\r\n1 <= k")
    assert (t.input, t.output) == ("[2]\n1", "1")


def test_single_unnamed_value_for_a_single_parameter():
    starter = "class Solution:\n    def total(self, nums: List[int]) -> int:\n        "
    (t,) = functional_tests("Example 1:\n\nInput: [1,2,3]\nOutput: 6\n", starter)
    assert t.input == "[1,2,3]"


def test_fn_name_picks_a_method_among_several():
    starter = (
        "class Solution:\n    def helper(self, a: int) -> int:\n        pass\n    def solve(self, b: int) -> int:\n"
    )
    (t,) = functional_tests("Example 1:\n\nInput: b = 3\nOutput: 3\n", starter, fn_name="solve")
    assert t.fn_name == "solve"
    result = extract_samples("Example 1:\n\nInput: b = 3\nOutput: 3\n", starter_code=starter)
    assert result.status == "not_found" and "exactly one public method" in result.reason


@pytest.mark.parametrize(
    "statement, reason",
    [
        ("Example 1:\n\nInput: nums = [1], q = 2\nOutput: 1\n", "do not match the parameters (nums, k)"),
        ("Example 1:\n\nInput: nums = [1]\nOutput: 1\n", "do not match the parameters"),
        ("Example 1:\n\nInput: nums = [1], k = 2, z = 3\nOutput: 1\n", "do not match"),
        ("Example 1:\n\nInput: nums = [1,2,_], k = 1\nOutput: 1\n", "is not JSON"),
        ("Example 1:\n\nInput: nums = [1], k = 1\nOutput: 2, nums = [1,2,_]\n", "is not a JSON value"),
        ("Example 1:\n\nInput: nums = [1, k = 1\nOutput: 2\n", "unbalanced"),
        ("Example 1:\n\nInput: nums = [1], nums = [2]\nOutput: 2\n", "given twice"),
        ("Example 1:\n\nInput: [1], 2\nOutput: 2\n", "not 'name = value'"),
        (
            "Example 1:\n\nInput: nums = [1], k = 1\nOutput: 1\n\nExample 2:\n\n<image>\n\nExample 3:\n\n"
            "Input: nums = [2], k = 1\nOutput: 2\n",
            "3 'Example' headings but 2 'Input:' labels",
        ),
    ],
)
def test_unreadable_examples_are_ambiguous(statement, reason):
    result = extract_functional_samples(statement, STARTER)
    assert result.status == "ambiguous" and reason in result.reason and result.tests == []


def test_design_problems_are_not_found():
    starter = (
        "class LRUCache:\n\n    def __init__(self, capacity: int):\n        \n\n    def get(self, key: int) -> int:\n"
    )
    statement = 'Example 1:\n\nInput\n["LRUCache", "put", "get"]\n[[2], [1, 1], [1]]\nOutput\n[null, null, 1]\n'
    result = extract_samples(statement, platform="leetcode", starter_code=starter)
    assert result.status == "not_found" and "design problem (class LRUCache)" in result.reason
    in_solution = extract_functional_samples(statement, "class Solution:\n    def __init__(self, r: float):\n"
                                                        "        pass\n    def randPoint(self) -> List[float]:\n")
    assert in_solution.status == "not_found" and "design-style" in in_solution.reason


def test_tree_and_list_arguments_are_not_found():
    starter = "class Solution:\n    def maxDepth(self, root: Optional[TreeNode]) -> int:\n        "
    result = extract_functional_samples("Example 1:\n\nInput: root = [3,9,20,null,null,15,7]\nOutput: 3\n", starter)
    assert result.status == "not_found" and "TreeNode" in result.reason


def test_leetcode_without_starter_code():
    result = extract_samples("Example 1:\n\nInput: n = 1\nOutput: 1\n", platform="leetcode")
    assert result.status == "not_found" and "no signature" in result.reason


def test_no_examples():
    result = extract_functional_samples("Return 1.", STARTER)
    assert result.status == "not_found"


def test_examples_after_a_note_heading_are_not_dropped_silently():
    statement = (
        "Example 1:\n\nInput: nums = [1], k = 1\nOutput: 1\n\nNote:\n\nk is small.\n\n"
        "Example 2:\n\nInput: nums = [2], k = 1\nOutput: 2\n"
    )
    result = extract_functional_samples(statement, STARTER)
    assert result.status == "ambiguous" and "2 'Example' headings but 1 'Input:' labels" in result.reason
