from codecritique.problems.model import Problem
from codecritique.problems.samples import summarize_extraction

STARTER = "class Solution:\n    def f(self, n: int) -> int:\n        "


def test_counts_per_platform_and_status():
    problems = [
        Problem(id="a", platform="atcoder", statement="Sample Input 1\n\n1\n\nSample Output 1\n\n2"),
        Problem(id="b", platform="atcoder", statement="This is an interactive task."),
        Problem(id="c", platform="leetcode", starter_code=STARTER, statement="Example 1:\n\nInput: n = 1\nOutput: 1"),
        Problem(id="d", platform="leetcode", starter_code=STARTER, statement="Example 1:\n\nInput: m = 1\nOutput: 1"),
        Problem(id="e", statement="nothing"),
    ]
    summary = summarize_extraction(problems)
    assert dict(summary.counts["atcoder"]) == {"found": 1, "not_found": 1}
    assert dict(summary.counts["leetcode"]) == {"found": 1, "ambiguous": 1}
    assert dict(summary.counts["unknown"]) == {"not_found": 1}
    assert [(platform, pid, status) for platform, pid, status, _ in summary.misses] == [
        ("atcoder", "b", "not_found"),
        ("leetcode", "d", "ambiguous"),
        ("unknown", "e", "not_found"),
    ]
    table = summary.table().splitlines()
    assert table[0].split() == ["platform", "found", "not_found", "ambiguous", "total"]
    assert table[-1].split() == ["all", "2", "2", "1", "5"]
