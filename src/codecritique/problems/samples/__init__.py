"""Sample tests extracted from problem statements, one module per family of platforms: :mod:`.stdin` (AtCoder,
Codeforces, CodeContests, TACO/APPS, CodeChef, HackerRank), :mod:`.leetcode` (LeetCode, GeeksForGeeks),
:mod:`.calls` (Codewars); this module picks one per problem and runs it over many.

Two families of statements are read:

* **stdin problems** (AtCoder, Codeforces, CodeContests, TACO/APPS, CodeChef, HackerRank), by
  :func:`extract_stdin_samples`. Samples sit under numbered headers, ``Sample Input 1`` / ``Sample Output 1`` (with
  or without a colon, decorated as ``-----Sample Input-----`` or ``### Sample Input 1``, or glued to the end of the
  previous sentence as in LiveCodeBench's Codeforces statements), or, when there are none, under bare ``Input`` /
  ``Output`` headers inside an ``Examples`` / ``Example`` section. A bare word such as ``Input`` or ``Note`` counts
  as a header only at the start of a paragraph, so sample data that happens to read ``Note`` stays data. A block
  may be a fenced code block. An input is everything up to the next header; an output ends at its first paragraph
  break (an explanation follows). In CRLF statements (AtCoder's preformatted text) ``\r\n\r\n`` is a blank line
  inside a block and a bare paragraph break ends any block; an AtCoder output may be empty. LiveCodeBench's
  Codeforces inputs carry a blank line after every line: undone when unambiguous (:func:`_undouble`).
  Interactive problems have transcripts, not samples: ``not_found``.
* **LeetCode problems** (the starter code defines ``class Solution``), by :func:`extract_functional_samples`:
  ``Example 1:`` / ``Input: nums = [1,2,3], k = 2`` / ``Output: 5`` becomes a functional test whose input is one
  JSON value per line, in the order of the method's parameters (names must match them exactly).

Every test gets ``public=True``. A stdin test's input and output are its lines, each ended by ``\n`` (outer blank
lines dropped, trailing spaces removed, CRLF read as LF; an empty output is ``""``). A functional test's input
has no trailing newline (LiveCodeBench splits it on ``\n``); input values and the output are compact JSON.

Nothing is guessed: a statement whose samples cannot be read unambiguously gets status ``ambiguous`` or
``not_found``, no tests, and a reason a person can check.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from codecritique.problems.model import Problem
from codecritique.problems.samples.base import STATUSES, SampleExtraction, Status
from codecritique.problems.samples.calls import extract_call_samples, top_level_function
from codecritique.problems.samples.leetcode import example_argument_names, extract_functional_samples, \
    functional_samples
from codecritique.problems.samples.stdin import extract_stdin_samples

__all__ = ["STATUSES", "ExtractionSummary", "SampleExtraction", "Status", "add_samples", "example_argument_names",
           "extract_call_samples", "extract_functional_samples", "extract_samples", "extract_stdin_samples",
           "functional_samples", "summarize_extraction"]


def extract_samples(
    statement: str, *, platform: str = "", starter_code: str = "", fn_name: str | None = None
) -> SampleExtraction:
    """The sample tests of a statement: functional if ``starter_code`` defines a function, else stdin.

    ``fn_name`` picks the method of ``class Solution`` when the starter code has several.
    """
    if "def " in starter_code:
        lenient = platform.lower() == "geeksforgeeks"
        result = extract_functional_samples(statement, starter_code, fn_name=fn_name, lenient=lenient)
        if result.status == "not_found" and not re.search(r"^\s*class\s+Solution\b", starter_code, re.M):
            name = fn_name or top_level_function(starter_code)
            if name:  # Codewars-style: a plain function and examples written as calls
                return extract_call_samples(statement, name)
        return result
    if platform.lower() == "leetcode":
        return SampleExtraction([], "not_found", "LeetCode problem without starter code: no signature to call")
    return extract_stdin_samples(statement, platform=platform)




@dataclass
class ExtractionSummary:
    """Counts of extraction statuses per platform, and every miss with its reason."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # (platform, id, status, reason)

    def table(self) -> str:
        """A plain-text table: one row per platform (and a total), one column per status."""
        rows = [("platform", *STATUSES, "total")]
        total: Counter[str] = Counter()
        for platform in sorted(self.counts):
            c = self.counts[platform]
            total.update(c)
            rows.append((platform, *(str(c[s]) for s in STATUSES), str(sum(c.values()))))
        rows.append(("all", *(str(total[s]) for s in STATUSES), str(sum(total.values()))))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def summarize_extraction(problems: Iterable[Problem]) -> ExtractionSummary:
    """Extract the samples of every problem and count the outcomes per platform."""
    summary = ExtractionSummary()
    for p in problems:
        result = extract_samples(p.statement, platform=p.platform, starter_code=p.starter_code, fn_name=p.fn_name)
        platform = p.platform or "unknown"
        summary.counts.setdefault(platform, Counter())[result.status] += 1
        if result.status != "found":
            summary.misses.append((platform, p.id, result.status, result.reason))
    return summary


def add_samples(problems: Iterable[Problem]) -> None:
    """Give every problem that has no tests the sample tests of its statement (as public tests), and record the
    outcome in ``metadata["samples"]`` (``{"status", "reason"}``); problems with tests are left alone."""
    for p in problems:
        if p.tests:
            continue
        found = extract_samples(p.statement, platform=p.platform, starter_code=p.starter_code, fn_name=p.fn_name)
        p.tests = found.tests
        p.metadata["samples"] = {"status": found.status, "reason": found.reason}
