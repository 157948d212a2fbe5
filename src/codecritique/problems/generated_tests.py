"""Model-written tests in CodeT's published format, turned into ordinary :class:`~.model.Test` s.

CodeT (Chen et al. 2022, "CodeT: Code Generation with Generated Tests", github.com/microsoft/CodeT) releases,
per problem, one JSON line ``{"prompt": str, "samples": [str, ...]}``: the prompt ends with
``# check the correctness of <entry_point>\\nassert `` and every sample is the model's continuation, i.e. a run
of ``assert`` lines (the first without its ``assert``). A record may also carry ``task_id`` (or ``question_id``);
without one it is matched to its problem by the entry point named in that comment (and, when several problems
share the name, by the ``def`` line of the prompt).

Extraction follows CodeT's released code (``src/postprocess.py``, read, not copied), because its numbers depend on it:

* the continuation is split on ``"assert "``; a piece that does not mention the entry point is dropped;
* each piece becomes ``assert <piece>``, cut at the first of CodeT's stop sequences (``\\nclass``, ``\\ndef``,
  ``\\n#``, ``\\nif``, ``\\nprint``) and stripped;
* a piece that does not compile (inside a ``try`` block, as CodeT checks it) is dropped;
* only the first ``limit`` (CodeT: 5) valid asserts of each sample are kept.

The same assert written by several samples is one test, weighted by how often it was written
(:attr:`GeneratedTests.weights`): CodeT counts a test case once per occurrence when it scores consensus sets.

:func:`as_tests` turns the asserts into judge tests: an assert of the form ``f(literals) == literal`` (or reversed),
whose arguments and expected value are plain JSON values, becomes a ``functional`` test (the solution is loaded
once per worker and the call's return value is recorded, so solutions can also be clustered by their outputs);
any other assert becomes a ``program`` test (the assert line appended after the solution, pass iff it exits 0).
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from codecritique.errors import DataError
from codecritique.problems.model import Problem, Test
from codecritique.problems.records import Record, iter_jsonl

STOP_SEQUENCES = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")  # CodeT's (and Codex's HumanEval) stops
CODET_LIMIT = 5  # CodeT's --test_case_limit: asserts kept per generated sample
_CHECK_COMMENT = re.compile(r"#\s*check the correctness of\s+([A-Za-z_]\w*)")
ID_FIELDS = ("task_id", "question_id", "problem_id")


def truncate_at_stops(text: str, stops: tuple[str, ...] = STOP_SEQUENCES) -> str:
    """``text`` up to the first occurrence of any stop sequence (CodeT's ``solution_extract``)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=len(text))
    return text[:cut]


def _compiles_in_try(case: str) -> bool:
    body = case.replace("\n", "\n    ")
    try:
        compile(f"try:\n    {body}\nexcept:\n    pass\n", "<generated test>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def extract_asserts(continuation: str, entry_point: str, limit: int | None = CODET_LIMIT) -> list[str]:
    """The asserts of one generated sample, as CodeT extracts them (see the module docstring)."""
    out = []
    for piece in f"assert {continuation}".split("assert "):
        if entry_point not in piece or not piece.strip():
            continue
        case = truncate_at_stops(f"assert {piece}".strip()).strip()
        if case and "assert" in case and _compiles_in_try(case):
            out.append(case)
    return out if limit is None else out[:limit]


@dataclass
class GeneratedTests:
    """The model-written tests of one problem: unique asserts in first-seen order, and how often each was written."""

    problem_id: str
    cases: list[str] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)
    samples: int = 0  # generated samples read
    path: str | None = None
    line: int | None = None

    @classmethod
    def from_samples(cls, problem_id: str, per_sample: list[list[str]], **kw) -> "GeneratedTests":
        counts = Counter(c for cases in per_sample for c in cases)
        cases = list(counts)  # Counter keeps first-seen order
        return cls(problem_id, cases, [counts[c] for c in cases], len(per_sample), **kw)


def _problem_for(rec: Record, by_id: dict[str, Problem], by_entry: dict[str, list[Problem]]) -> Problem:
    for name in ID_FIELDS:
        if name in rec.data:
            pid = str(rec.data[name])
            if pid not in by_id:
                raise rec.error(f"unknown problem {pid!r} (not in the problems file)", name)
            return by_id[pid]
    prompt = rec.str_field("prompt")
    m = None
    for m in _CHECK_COMMENT.finditer(prompt):
        pass  # the last such comment is the one right before the trailing assert
    if m is None:
        raise rec.error("no task id and no '# check the correctness of <function>' line to match a problem by",
                        "prompt")
    candidates = by_entry.get(m.group(1), [])
    if len(candidates) > 1:  # same function name: the problem whose prompt the record's prompt starts like
        shared = [len(os.path.commonprefix([p.starter_code, prompt])) for p in candidates]
        best = max(shared)
        candidates = [p for p, n in zip(candidates, shared) if n == best]
    if len(candidates) != 1:
        what = "no problem" if not candidates else f"{len(candidates)} problems"
        raise rec.error(f"{what} with entry point {m.group(1)!r} in the problems file", "prompt")
    return candidates[0]


def read_codet_tests(path: str | Path, problems: list[Problem], limit: int | None = CODET_LIMIT
                     ) -> dict[str, GeneratedTests]:
    """Generated tests per problem id from a CodeT-format JSONL file; every error names the file and line.

    ``problems`` must carry ``metadata["entry_point"]`` (HumanEval/MBPP loaders set it). Two records for the
    same problem are merged (their samples appended in order)."""
    by_id = {p.id: p for p in problems}
    by_entry: dict[str, list[Problem]] = {}
    for p in problems:
        if ep := p.metadata.get("entry_point"):
            by_entry.setdefault(ep, []).append(p)
    per_problem: dict[str, list[list[str]]] = {}
    first: dict[str, Record] = {}
    for rec in iter_jsonl(path):
        samples = rec.data.get("samples")
        if not isinstance(samples, list) or not all(isinstance(s, str) for s in samples):
            raise rec.error("expected a list of strings (the generated continuations)", "samples")
        problem = _problem_for(rec, by_id, by_entry)
        entry_point = problem.metadata.get("entry_point")
        if not entry_point:
            raise rec.error(f"problem {problem.id!r} has no entry point (a function to test) in its metadata")
        per_problem.setdefault(problem.id, []).extend(extract_asserts(s, entry_point, limit) for s in samples)
        first.setdefault(problem.id, rec)
    if not per_problem:
        raise DataError(str(path), "no generated tests")
    return {pid: GeneratedTests.from_samples(pid, cases, path=first[pid].path, line=first[pid].line)
            for pid, cases in per_problem.items()}


# ---------------------------------------------------------------- asserts as judge tests


def _plain_json(value: object) -> bool:
    """True for values that survive a JSON round trip unchanged in type and value (no tuples, sets, NaN...)."""
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(map(_plain_json, value))
    if isinstance(value, dict):
        return all(isinstance(k, str) for k in value) and all(map(_plain_json, value.values()))
    return False


def _literal(node: ast.expr) -> tuple[bool, object]:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None
    return _plain_json(value), value


def as_functional(case: str, entry_point: str) -> Test | None:
    """``assert f(a, b) == c`` (or ``c == f(a, b)``) with JSON-plain literals as a functional test, else None."""
    try:
        tree = ast.parse(case)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None
    cmp = tree.body[0].test
    if not (isinstance(cmp, ast.Compare) and len(cmp.ops) == 1 and isinstance(cmp.ops[0], ast.Eq)):
        return None
    for call, other in ((cmp.left, cmp.comparators[0]), (cmp.comparators[0], cmp.left)):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == entry_point
                and not call.keywords and not any(isinstance(a, ast.Starred) for a in call.args)):
            continue
        args = [_literal(a) for a in call.args]
        ok, expected = _literal(other)
        if ok and all(a_ok for a_ok, _ in args):
            return Test(kind="functional", input="\n".join(json.dumps(v) for _, v in args),
                        output=json.dumps(expected), fn_name=entry_point)
    return None


def as_tests(generated: GeneratedTests, entry_point: str) -> list[Test]:
    """One judge test per generated assert, in order (see the module docstring)."""
    return [as_functional(c, entry_point) or Test(kind="program", input=c + "\n") for c in generated.cases]


def docstring_examples(prompt: str, entry_point: str) -> list[str]:
    """The ``>>>`` examples of a prompt's docstring as asserts (``assert (call) == (shown value)``): the public
    tests of a HumanEval-style problem. Examples whose shown value is not a Python literal are skipped."""
    import doctest

    try:
        examples = doctest.DocTestParser().get_examples(prompt)
    except ValueError:
        return []
    out = []
    for ex in examples:
        source = ex.source.strip()
        lines = []
        for line in ex.want.splitlines():  # the docstring's closing quotes end the shown value
            if line.strip().startswith(('"""', "'''")):
                break
            lines.append(line)
        want = "\n".join(lines).strip()
        if entry_point not in source or not want or "\n" in source:
            continue
        try:
            ast.literal_eval(want)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        case = f"assert {source} == {want}"
        if _compiles_in_try(case):
            out.append(case)
    return out


VALUE_NAME = "__codecritique_value"


def split_value(case: str, entry_point: str) -> tuple[str | None, str]:
    """``(value expression, check)`` of an assert: for ``assert A <op> B`` where exactly one side calls the entry
    point, that side's source and the assert with that side replaced by :data:`VALUE_NAME` (so the call is
    evaluated once and its value can be compared across solutions); otherwise ``(None, case)``."""
    try:
        tree = ast.parse(case)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None, case
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None, case
    node = tree.body[0]
    cmp = node.test
    if not (isinstance(cmp, ast.Compare) and len(cmp.ops) == 1):
        return None, case

    def calls(e: ast.AST) -> bool:
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == entry_point
                   for n in ast.walk(e))

    left, right = calls(cmp.left), calls(cmp.comparators[0])
    if left == right:
        return None, case
    side = cmp.left if left else cmp.comparators[0]
    value = ast.unparse(side)
    name = ast.Name(VALUE_NAME, ast.Load())
    new = ast.Compare(name, cmp.ops, [cmp.comparators[0]]) if left else ast.Compare(cmp.left, cmp.ops, [name])
    check = ast.unparse(ast.Assert(new, node.msg))
    return value, check
