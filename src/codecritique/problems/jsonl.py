"""The project's own problem files: JSON Lines, one ``Problem.to_dict()`` object per line (``*.gz`` allowed).

A line looks like::

    {"id": "abc001_a", "tests": [{"kind": "stdin", "input": "1\\n", "output": "2\\n", "public": true}],
     "title": "...", "statement": "...", "platform": "atcoder", "difficulty": "easy", "contest_date": "...",
     "starter_code": "", "time_limit": 2.0, "memory_limit": 1024, "source": "livecodebench", "checker": null,
     "metadata": {}}

Only ``id`` is required; every field present is type-checked, ``null`` counts as absent, and unknown fields are
ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from codecritique.io import atomic_write
from codecritique.problems.model import TEST_KINDS, Problem, Test
from codecritique.problems.records import Record, iter_jsonl

_STR_FIELDS = ("title", "statement", "platform", "difficulty", "contest_date", "starter_code", "source")
_NULLABLE = ("time_limit", "memory_limit", "checker")


def read_problems(path: str | Path) -> list[Problem]:
    """Read a problems JSONL file written by :func:`write_problems` (or by hand in the same schema)."""
    return [problem_from_record(rec) for rec in iter_jsonl(path)]


def write_problems(path: str | Path, problems: Iterable[Problem]) -> None:
    """Write ``problems`` one per line, atomically: a temporary file in the same folder is renamed over ``path``."""
    with atomic_write(path, "wb") as f:  # *.gz compressed
        for p in problems:
            f.write(json.dumps(p.to_dict(), ensure_ascii=False).encode("utf-8") + b"\n")


def problem_from_record(rec: Record) -> Problem:
    """Build a Problem from one record in the project's schema, checking every field's type."""
    d = {k: v for k, v in rec.data.items() if v is not None or k in _NULLABLE}  # null means "not given"
    rec.str_field("id")
    for name in _STR_FIELDS:
        if name in d:
            rec.str_field(name)
    _check(rec, "time_limit", (int, float), "a number")
    _check(rec, "memory_limit", int, "an integer")
    _check(rec, "checker", str, "a string")
    _check(rec, "metadata", dict, "an object")
    tests = d.get("tests", [])
    if not isinstance(tests, list):
        raise rec.error("expected a list of tests", "tests")
    checked = [_test_from_dict(rec, i, t) for i, t in enumerate(tests)]
    problem = Problem.from_dict({k: v for k, v in d.items() if k != "tests"})
    problem.tests = checked
    return problem


def _check(rec: Record, name: str, types: type | tuple[type, ...], what: str) -> None:
    value = rec.data.get(name)
    if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
        raise rec.error(f"expected {what}, got {type(value).__name__}", name)


def _test_from_dict(rec: Record, index: int, t: Any) -> Test:
    where = f"tests[{index}]"
    if not isinstance(t, dict):
        raise rec.error(f"expected a test object, got {type(t).__name__}", where)
    if t.get("kind") not in TEST_KINDS:
        raise rec.error(f"kind must be one of {', '.join(TEST_KINDS)}, got {t.get('kind')!r}", f"{where}.kind")
    if not isinstance(t.get("input"), str):
        raise rec.error("missing or non-string input", f"{where}.input")
    if not isinstance(t.get("output", ""), str):
        raise rec.error("expected a string", f"{where}.output")
    if t.get("fn_name") is not None and not isinstance(t["fn_name"], str):
        raise rec.error("expected a string", f"{where}.fn_name")
    if t["kind"] == "functional" and not t.get("fn_name"):
        raise rec.error("a functional test needs fn_name", f"{where}.fn_name")
    if not isinstance(t.get("public", False), bool):
        raise rec.error("expected true or false", f"{where}.public")
    return Test.from_dict(t)
