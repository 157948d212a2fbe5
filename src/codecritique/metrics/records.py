"""Per-solution records, their validation, and grouping into problems of k samples.

One JSON object per line describes one sampled solution and its self-critique
(the paper's self-critique procedure, steps 1-3)::

    {"problem_id": str, "sample_index": int, "difficulty": str, "passed": bool,
     "judgement": "right" | "wrong" | null, "critique_reasoning_tokens": int}

``judgement`` is null when the critique could not be parsed; ``critique_reasoning_tokens`` (the length of the
critique's ``<think>`` trace, the paper's procedure, step 4) may then be null too. Two optional fields enable the
strategies that go beyond the paper: ``passed_public`` (bool: passes the statement's sample tests) and
``output_signature`` (str: a hash of the solution's outputs on the sample tests). Four more feed the selection
strategies of :mod:`.agreement` (``codecritique run`` writes them): ``p_right`` (float in [0, 1]: P(right) of the
critique's judgement), ``generated_tests_passed`` (list of int: the indices of the problem's model-written tests
the solution passes; null where the problem's generated tests have no expected values), ``generated_outputs``
(list of str: per generated test, a digest of what the solution produced, or its verdict where it did not run)
and ``generated_test_weights`` (list of int: how often each generated test was written; the same on every record
of a problem). Any other field is ignored.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.io import iter_jsonl

JUDGEMENTS = ("right", "wrong")


@dataclass(frozen=True)
class Sample:
    """One sampled solution of one problem, with its execution result and self-critique."""

    problem_id: str
    sample_index: int
    difficulty: str
    passed: bool  # passes all unit tests
    judgement: str | None  # "right", "wrong", or None when the critique was unparsable
    critique_reasoning_tokens: int | None  # None only when judgement is None
    passed_public: bool | None = None  # optional: passes the statement's sample tests
    output_signature: str | None = None  # optional: hash of the outputs on the sample tests
    p_right: float | None = None  # optional: P(right) of the critique's judgement
    generated_tests_passed: tuple[int, ...] | None = None  # optional: generated tests passed (indices)
    generated_outputs: tuple[str, ...] | None = None  # optional: per generated test, output digest or verdict
    generated_test_weights: tuple[int, ...] | None = None  # optional: how often each generated test was written
    path: str | None = field(default=None, compare=False, repr=False)  # where the record came from,
    line: int | None = field(default=None, compare=False, repr=False)  # for error messages


@dataclass(frozen=True)
class ProblemSamples:
    """The first k samples of one problem, in ``sample_index`` order."""

    problem_id: str
    difficulty: str
    samples: tuple[Sample, ...]


def _require(obj: Mapping[str, Any], name: str, kind: type | tuple[type, ...], what: str,
             path: str | None, line: int | None) -> Any:
    if name not in obj:
        raise DataError(path, "missing", line=line, field=name)
    value = obj[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DataError(path, f"expected {what}, got {json.dumps(value)}", line=line, field=name)
    return value


def _optional(obj: Mapping[str, Any], name: str, kind: type, what: str,
              path: str | None, line: int | None) -> Any:
    value = obj.get(name)
    if value is not None and not isinstance(value, kind):
        raise DataError(path, f"expected {what} or null, got {json.dumps(value)}", line=line, field=name)
    return value


def _optional_list(obj: Mapping[str, Any], name: str, kind: type, what: str, path: str | None,
                   line: int | None) -> tuple | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, kind) and not isinstance(v, bool) for v in value):
        raise DataError(path, f"expected a list of {what} or null, got {json.dumps(value)[:80]}", line=line,
                        field=name)
    return tuple(value)


def parse_record(obj: Any, path: str | None = None, line: int | None = None) -> Sample:
    """Validate one decoded JSON record and turn it into a :class:`Sample`; raise :class:`DataError` otherwise."""
    if not isinstance(obj, Mapping):
        raise DataError(path, f"expected a JSON object, got {type(obj).__name__}", line=line)
    problem_id = _require(obj, "problem_id", str, "a string", path, line)
    if not problem_id:
        raise DataError(path, "must not be empty", line=line, field="problem_id")
    sample_index = _require(obj, "sample_index", int, "an integer", path, line)
    if sample_index < 0:
        raise DataError(path, f"must be >= 0, got {sample_index}", line=line, field="sample_index")
    if "difficulty" not in obj:
        raise DataError(path, "missing (use null when unknown)", line=line, field="difficulty")
    # null (e.g. LiveCodeBench records of problems without one) or empty: grouped as "unknown"
    difficulty = _optional(obj, "difficulty", str, "a string", path, line) or "unknown"
    passed = _require(obj, "passed", bool, "true or false", path, line)
    if "judgement" not in obj:
        raise DataError(path, "missing (use null for an unparsable critique)", line=line, field="judgement")
    judgement = obj["judgement"]
    if judgement is not None and judgement not in JUDGEMENTS:
        raise DataError(path, f'expected "right", "wrong" or null, got {json.dumps(judgement)}',
                        line=line, field="judgement")
    tokens = obj.get("critique_reasoning_tokens")
    if tokens is None and judgement is not None:
        raise DataError(path, "missing (required when judgement is not null)", line=line,
                        field="critique_reasoning_tokens")
    if tokens is not None and (not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 0):
        raise DataError(path, f"expected a non-negative integer, got {json.dumps(tokens)}", line=line,
                        field="critique_reasoning_tokens")
    p_right = obj.get("p_right")
    if p_right is not None and (not isinstance(p_right, (int, float)) or isinstance(p_right, bool)
                                or not 0 <= p_right <= 1):
        raise DataError(path, f"expected a probability in [0, 1] or null, got {json.dumps(p_right)}", line=line,
                        field="p_right")
    passed_generated = _optional_list(obj, "generated_tests_passed", int, "test indices", path, line)
    weights = _optional_list(obj, "generated_test_weights", int, "integers", path, line)
    if passed_generated and weights is not None and max(passed_generated) >= len(weights):
        raise DataError(path, f"test index {max(passed_generated)} but {len(weights)} generated tests", line=line,
                        field="generated_tests_passed")
    return Sample(
        problem_id=problem_id,
        sample_index=sample_index,
        difficulty=difficulty,
        passed=passed,
        judgement=judgement,
        critique_reasoning_tokens=tokens,
        passed_public=_optional(obj, "passed_public", bool, "true or false", path, line),
        output_signature=_optional(obj, "output_signature", str, "a string", path, line),
        p_right=None if p_right is None else float(p_right),
        generated_tests_passed=passed_generated,
        generated_outputs=_optional_list(obj, "generated_outputs", str, "strings", path, line),
        generated_test_weights=weights,
        path=path,
        line=line,
    )


def load_records(path: str | Path) -> list[Sample]:
    """Read a JSONL file of per-solution records (blank lines are skipped); every error names file and line."""
    samples = [parse_record(r.data, r.path, r.line) for r in iter_jsonl(path, expected="a JSONL file of records")]
    if not samples:
        raise DataError(str(path), "no records")
    return samples


def _where(sample: Sample) -> str:
    where = sample.path or "<input>"
    return f"{where}:{sample.line}" if sample.line is not None else where


def group_problems(samples: Iterable[Sample], k: int | None = None, *,
                   drop_short: bool = False) -> tuple[list[ProblemSamples], list[str]]:
    """Group samples by problem and keep the first ``k`` of each, in ``sample_index`` order.

    ``k`` defaults to the largest number of samples any problem has. Truncating to the first k samples is how
    the paper recomputes pass@1|select@k "as k increases to include all past solutions" (OCR-II paper §5.1).
    A problem with fewer than k samples is an error naming it, unless ``drop_short`` is set; then it is
    left out and its id returned in the second element. Duplicate (problem_id, sample_index) pairs and a
    problem whose samples disagree on ``difficulty`` are errors. Problems come back sorted by id.
    """
    by_problem: dict[str, dict[int, Sample]] = defaultdict(dict)
    for s in samples:
        seen = by_problem[s.problem_id].get(s.sample_index)
        if seen is not None:
            raise DataError(s.path, f"duplicate (problem_id, sample_index) = ({s.problem_id!r}, {s.sample_index}),"
                            f" first seen at {_where(seen)}", line=s.line, field="sample_index")
        first = next(iter(by_problem[s.problem_id].values()), None)
        if first is not None and first.difficulty != s.difficulty:
            raise DataError(s.path, f"problem {s.problem_id!r} is {s.difficulty!r} here but {first.difficulty!r}"
                            f" at {_where(first)}", line=s.line, field="difficulty")
        by_problem[s.problem_id][s.sample_index] = s
    if not by_problem:
        raise DataError(None, "no records")
    if k is None:
        k = max(len(v) for v in by_problem.values())
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    problems, dropped = [], []
    for pid in sorted(by_problem):
        ordered = [by_problem[pid][i] for i in sorted(by_problem[pid])]
        if len(ordered) < k:
            if drop_short:
                dropped.append(pid)
                continue
            raise DataError(ordered[0].path, f"problem {pid!r} has {len(ordered)} samples, fewer than k={k}"
                            " (lower k, or drop such problems)", field="sample_index")
        problems.append(ProblemSamples(pid, ordered[0].difficulty, tuple(ordered[:k])))
    if not problems:
        raise DataError(None, f"every problem has fewer than k={k} samples")
    return problems, dropped
