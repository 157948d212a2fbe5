"""Sample extraction on the statement layouts of the other platforms TACO/APPS/CodeContests cover (CodeChef, AIZU,
HackerRank, HackerEarth, Kattis, Codewars, GeeksForGeeks, AtCoder and Codeforces as TACO shows them), written after
the real statements, with found / not_found / ambiguous outcomes."""

import pytest

from codecritique.problems.model import Problem
from codecritique.problems.samples import add_samples, extract_call_samples, extract_samples, summarize_extraction


def stdin_pairs(result):
    assert result.status == "found", result.reason
    assert all(t.kind == "stdin" and t.public for t in result.tests)
    return [(t.input, t.output) for t in result.tests]


def calls(result):
    assert result.status == "found", result.reason
    assert all(t.kind == "functional" and t.public for t in result.tests)
    return [(t.input, t.output, t.fn_name) for t in result.tests]


CODECHEF_OLD = """Chef has N coins.

-----Input:-----
- First line will contain $T$, number of testcases. Then the testcases follow.
- Each testcase contains a single line of input, one integer $N$.

-----Output:-----
For each testcase, output in a single line the answer.

-----Constraints-----
- $1 \\leq T \\leq 10$

-----Sample Input:-----
2
3
4

-----Sample Output:-----
6
10
"""

CODECHEF_NEW = """Chef likes arrays.

------ Input Format ------ 

- The first line contains T.

------ Output Format ------ 

For each test case, output YES or NO.

------ Constraints ------ 

$1 ≤ T ≤ 100$

----- Sample Input 1 ------ 
2
1 2
3 3
----- Sample Output 1 ------ 
YES
NO
----- explanation 1 ------ 
Test case $1$: Chef can do it.
"""

AIZU = """Write a program which reads two integers.

Input

Two integers a and b separated by a space.

Output

Print the sum.

Sample Input 1

3 5

Output for the Sample Input 1

8

Sample Input 2

10 20

Output for the Sample Input 2

30
"""

AIZU_EXAMPLE = """Your task is to count.

Input

The input consists of multiple datasets. The end is indicated by 0.

Output

For each dataset, print the count.

Example

Input

3
5
0

Output

2
3
"""

HACKERRANK_TABLE = """Given an array, print the sum.

Input Format

The first line contains n.

Output Format

Print the sum.

Sample Input 0

STDIN       Function
-----       --------
6           ar[] size n = 6
1 2 3 4 10 11   ar = [1, 2, 3, 4, 10, 11]

Sample Output 0

31

Explanation 0

We print the sum.
"""

HACKEREARTH = """Little Monk loves sums.

Input:
First line contains N.

Output:
Print the answer.

SAMPLE INPUT
3
1 2 3

SAMPLE OUTPUT
6

Explanation

1+2+3 = 6
"""

KATTIS = """Compute the product.

-----Input-----
The input contains two integers.

-----Output-----
Output the product.

-----Examples-----
Sample Input 1:
2 3
Sample Output 1:
6

Sample Input 2:
4 5
Sample Output 2:
20
"""

ATCODER_TACO = """Compute A+B.

-----Constraints-----
 - 1 \\leq A, B \\leq 100

-----Input-----
Input is given from Standard Input in the following format:
A B

-----Output-----
Print A+B.

-----Sample Input-----
1 2

-----Sample Output-----
3

1+2=3.
"""

CODEFORCES_TACO = """You are given n.

-----Input-----

The only line contains n.

-----Output-----

Print n+1.

-----Examples-----
Input
1

Output
2

Input
5

Output
6

-----Note-----

Easy.
"""


@pytest.mark.parametrize("statement, platform, expected", [
    (CODECHEF_OLD, "codechef", [("2\n3\n4\n", "6\n10\n")]),
    (CODECHEF_NEW, "codechef", [("2\n1 2\n3 3\n", "YES\nNO\n")]),
    (AIZU, "aizu", [("3 5\n", "8\n"), ("10 20\n", "30\n")]),
    (AIZU_EXAMPLE, "aizu", [("3\n5\n0\n", "2\n3\n")]),
    (HACKERRANK_TABLE, "hackerrank", [("6\n1 2 3 4 10 11\n", "31\n")]),
    (HACKEREARTH, "hackerearth", [("3\n1 2 3\n", "6\n")]),
    (KATTIS, "kattis", [("2 3\n", "6\n"), ("4 5\n", "20\n")]),
    (ATCODER_TACO, "atcoder", [("1 2\n", "3\n")]),
    (CODEFORCES_TACO, "codeforces", [("1\n", "2\n"), ("5\n", "6\n")]),
], ids=["codechef-old", "codechef-new", "aizu", "aizu-example", "hackerrank-table", "hackerearth", "kattis",
        "atcoder-taco", "codeforces-taco"])
def test_stdin_platforms(statement, platform, expected):
    assert stdin_pairs(extract_samples(statement, platform=platform)) == expected


def test_hackerrank_table_that_cannot_be_split_is_ambiguous():
    statement = HACKERRANK_TABLE.replace("1 2 3 4 10 11   ar", "1 2 3 4 10 11 ar")
    result = extract_samples(statement, platform="hackerrank")
    assert result.status == "ambiguous" and "annotation" in result.reason


def test_aizu_numbers_must_match():
    statement = AIZU.replace("Output for the Sample Input 2", "Output for the Sample Input 3")
    result = extract_samples(statement, platform="aizu")
    assert result.status == "ambiguous" and "followed by Sample Output 3" in result.reason


CODEWARS = """Write a function that returns the number of vowels in the given string.

Examples:

```python
get_count("abracadabra") # => 5
get_count("") => 0
get_count('aeiou') == 5
getCount("xyz") // => 0
```
```javascript
get_count("aeiou") // => 5
```
"""


def test_codewars_calls():
    result = extract_samples(CODEWARS, platform="codewars", starter_code="def get_count(sentence):\n\t",
                             fn_name="get_count")
    # the JavaScript example repeats one already seen; getCount is another language's name
    assert calls(result) == [('"abracadabra"', "5", "get_count"), ('""', "0", "get_count"),
                             ('"aeiou"', "5", "get_count")]


def test_codewars_call_forms():
    statement = ("```\nsolve([1, 2], True) should return [2, 1]\n>>> solve([], False)\n[]\n"
                 "solve((3,), None) returns null\nsolve([0], true) -> [0] # the trivial case\n```")
    assert calls(extract_call_samples(statement, "solve")) == [
        ("[1,2]\ntrue", "[2,1]", "solve"), ("[]\nfalse", "[]", "solve"), ("[3]\nnull", "null", "solve"),
        ("[0]\ntrue", "[0]", "solve")]


def test_codewars_unreadable_and_absent():
    unreadable = extract_call_samples("likes(['a']) => 'a' likes this' oops", "likes")
    assert unreadable.status == "ambiguous" and "line 1" in unreadable.reason
    assert extract_call_samples("Just prose, no calls: likes is a function.", "likes").status == "not_found"
    sets = extract_call_samples("f({1, 2}) => 3", "f")
    assert sets.status == "ambiguous" and "cannot be written as JSON" in sets.reason


GFG = """Given an array A[] of N positive integers. Find the sum of the array.
Example 1:
Input:
N = 4
A[] = {1, 2, 3, 4}
Output: 10
Explanation: 1+2+3+4 = 10.
Example 2:
Input:
N = 1
A[] = {5}
Output:
5
Your Task:
You don't need to read input or print anything. Complete the function arraySum() which takes the array A[] and
its size N as inputs and returns the sum.
Expected Time Complexity: O(N)
Expected Auxiliary Space: O(1)
Constraints:
1 ≤ N ≤ 10^{5}
"""
GFG_STARTER = "#User function Template for python3\n\nclass Solution:\n    def arraySum(self, A, N):\n        # code here"


def test_geeksforgeeks_notation():
    result = extract_samples(GFG, platform="geeksforgeeks", starter_code=GFG_STARTER, fn_name="arraySum")
    assert calls(result) == [("[1,2,3,4]\n4", "10", "arraySum"), ("[5]\n1", "5", "arraySum")]
    # names differ from the parameters only by case; strings may be written without quotes
    starter = "class Solution:\n    def count(self, s, ch):\n        pass"
    statement = "Example 1:\nInput:\nS = abcab\nch = 'a'\nOutput: 2\nYour Task: count."
    assert calls(extract_samples(statement, platform="geeksforgeeks", starter_code=starter)) == [
        ('"abcab"\n"a"', "2", "count")]


def test_geeksforgeeks_printed_output_is_ambiguous():
    statement = GFG.replace("Output: 10", "Output: 1 2 3 4")
    result = extract_samples(statement, platform="geeksforgeeks", starter_code=GFG_STARTER)
    assert result.status == "ambiguous" and "example 1" in result.reason
    # without the platform the C-style array is not read
    assert extract_samples(GFG, platform="", starter_code=GFG_STARTER).status == "ambiguous"


def test_add_samples_and_summary_per_platform():
    problems = [Problem(id="cc", statement=CODECHEF_NEW, platform="codechef"),
                Problem(id="cw", statement=CODEWARS, platform="codewars", starter_code="def get_count(s):\n\t"),
                Problem(id="hr", statement="No samples here.", platform="hackerrank")]
    add_samples(problems)
    assert [p.metadata["samples"]["status"] for p in problems] == ["found", "found", "not_found"]
    assert problems[1].tests[0].fn_name == "get_count"
    summary = summarize_extraction(problems)
    assert summary.counts["hackerrank"]["not_found"] == 1 and summary.counts["codewars"]["found"] == 1
