"""LiveCodeBench-CPP (``nvidia/LiveCodeBench-CPP``): LiveCodeBench problems with C++ starter code and C++ tests.

The records have LiveCodeBench's fields (see :mod:`.lcb`), with two differences:

* ``starter_code`` of a LeetCode problem is C++ (``class Solution {\\npublic:\\n    int f(vector<int>& nums) {...``);
* a LeetCode problem has one "functional" test whose ``input`` is a C++ test harness (a ``main()`` that calls the
  method and checks the results) and whose ``output`` is empty. The paper's evaluator compiles
  ``"#include <bits/stdc++.h>\\nusing namespace std;\\n" + "\\n\\n" + solution + "\\n\\n" + harness`` and passes iff
  the program exits 0.

Such a test becomes a ``program`` test, with the prefix in ``metadata["program_prefix"]`` (the judge composes
prefix, solution and harness the same way); the C++ starter code is also kept in ``metadata["cpp_starter_code"]``
and ``metadata["language"]`` is ``"cpp"``. AtCoder records are plain stdin problems. Any other LiveCodeBench record
loads exactly as :func:`.lcb.problem_from_lcb` reads it, so this reader serves both datasets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from codecritique.problems.lcb import problem_from_lcb
from codecritique.problems.model import Problem, Test
from codecritique.problems.records import Record, iter_jsonl

LCB_CPP_PREFIX = "#include <bits/stdc++.h>\nusing namespace std;\n"
_CPP_STARTER = re.compile(r"\b(?:class|struct)\s+Solution\s*\{")
_CPP_METHOD = re.compile(r"public\s*:.*?\b(\w+)\s*\(", re.S)


def read_lcb_cpp(path: str | Path, *, with_samples: bool = False) -> list[Problem]:
    """Problems from a LiveCodeBench-CPP JSONL file (or a LiveCodeBench one)."""
    return [problem_from_lcb_cpp(rec, with_samples=with_samples) for rec in iter_jsonl(path)]


def problem_from_lcb_cpp(rec: Record, *, with_samples: bool = False) -> Problem:
    """One record; C++ harness tests become program tests (see the module docstring)."""
    starter = rec.str_field("starter_code", "")
    cpp = bool(_CPP_STARTER.search(starter))
    if cpp:
        rec = _with_func_name(rec, starter)
    problem = problem_from_lcb(rec, with_samples=with_samples)
    harnesses = [_is_harness(t) for t in problem.tests]
    if any(harnesses):
        problem.tests = [Test("program", t.input, public=t.public) if h else t
                         for t, h in zip(problem.tests, harnesses)]
        problem.metadata["program_prefix"] = LCB_CPP_PREFIX
    if cpp or any(harnesses):
        problem.metadata["language"] = "cpp"
    if cpp:
        problem.metadata["cpp_starter_code"] = starter
    return problem


def _is_harness(test: Test) -> bool:
    return test.kind == "functional" and test.output == "" and re.search(r"\bmain\s*\(", test.input) is not None


def _with_func_name(rec: Record, starter: str) -> Record:
    """The record with ``metadata.func_name`` taken from the C++ starter code where the metadata lacks it."""
    raw = rec.data.get("metadata") or "{}"
    try:
        meta = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (ValueError, TypeError):
        return rec  # problem_from_lcb reports the malformed field
    m = _CPP_METHOD.search(starter)
    if not isinstance(meta, dict) or meta.get("func_name") or m is None:
        return rec
    meta["func_name"] = m.group(1)
    return Record(rec.path, rec.line, {**rec.data, "metadata": json.dumps(meta)})
