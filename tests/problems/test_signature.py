import pytest

from codecritique.problems.signature import Signature, solution_signature


def test_leetcode_starter_code():
    starter = "class Solution:\n    def maxSum(self, nums: List[int], k: int) -> int:\n        "
    assert solution_signature(starter) == Signature("maxSum", ("nums", "k"), ("List[int]", "int"), "int")


def test_multiline_header_comments_and_one_line_body():
    starter = (
        "# Definition for a helper.\n# class TreeNode:\n#     def __init__(self, x): ...\n"
        "class Solution:\n    def f(\n        self,\n        grid: List[List[str]],\n    ) -> bool:\n"
    )
    assert solution_signature(starter).params == ("grid",)
    assert solution_signature("class Solution:\n    def g(self, n: int) -> int: return n\n").name == "g"


def test_nested_and_private_functions_are_not_methods():
    starter = (
        "class Solution:\n    def _cache(self):\n        pass\n    def solve(self, a):\n"
        "        def inner(x):\n            return x\n        return inner(a)\n"
    )
    assert solution_signature(starter) == Signature("solve", ("a",), ("",), "")


@pytest.mark.parametrize(
    "starter, reason",
    [
        ("def f(x):\n    pass\n", "no class Solution"),
        ("class MinStack:\n    def push(self, x: int) -> None:\n", "design problem (class MinStack)"),
        ("class Solution:\n    def a(self):\n        pass\n    def b(self):\n        pass\n", "found: a, b"),
        ("class Solution:\n    def a(self, *xs):\n        pass\n", "takes .args"),
    ],
)
def test_unusable_starter_codes(starter, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        solution_signature(starter)


def test_other_classes_next_to_solution():
    starter = (
        "class Node:\n    def __init__(self, v):\n        self.v = v\n\n"
        "class Solution:\n    def go(self, n: int):\n"
    )
    assert solution_signature(starter).name == "go"
    with pytest.raises(ValueError, match="has no method nope"):
        solution_signature(starter, "nope")
