"""LiveCodeBench problems, and the date-window, platform and difficulty filters used to pick evaluation sets.

Two sources are read:

* ``code_generation_lite`` JSON Lines (``*.gz`` allowed), one problem per line with the fields ``question_title,
  question_content, platform, question_id, contest_id, contest_date, starter_code, difficulty, public_test_cases,
  private_test_cases, metadata``. ``public_test_cases`` is a JSON string holding a list of ``{input, output,
  testtype}`` (``testtype`` is ``stdin`` or ``functional``); ``private_test_cases`` is the same list as JSON or as
  ``base64(zlib(pickle(json)))`` (decoded safely, see :mod:`.safe_pickle`); ``metadata`` is a JSON string whose
  ``func_name`` names the method that functional tests call. Only ``question_id`` and ``question_content`` are
  required: statement-only records (no test fields) load with no tests.
* lcb_runner ``eval_all`` files: one JSON array of records with the same statement fields plus a model's
  generations and grades (``output_list, code_list, graded_list, pass@1`` and a per-generation ``metadata`` list).
  Only the statement fields are read; these records have no tests.

With ``with_samples=True`` a problem loaded without tests gets the sample tests of its statement
(:func:`.samples.extract_samples`) as public tests; the outcome is kept in ``metadata["samples"]``.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.problems.model import Problem, Test
from codecritique.problems.records import Record, iter_json_array, iter_jsonl
from codecritique.problems.safe_pickle import decode_private_tests
from codecritique.problems.samples import extract_samples
from codecritique.problems.signature import solution_signature

SOURCE = "livecodebench"
TEST_TYPES = ("stdin", "functional")


def read_lcb(path: str | Path, *, with_samples: bool = False) -> list[Problem]:
    """Problems from a LiveCodeBench ``code_generation_lite`` JSONL file (or a statement-only one)."""
    return [problem_from_lcb(rec, with_samples=with_samples) for rec in iter_jsonl(path)]


def read_lcb_eval_all(path: str | Path, *, with_samples: bool = False) -> list[Problem]:
    """Problems (statements only) from an lcb_runner ``*_eval_all.json`` file."""
    return [problem_from_lcb(rec, with_samples=with_samples, eval_all=True) for rec in iter_json_array(path)]


def problem_from_lcb(rec: Record, *, with_samples: bool = False, eval_all: bool = False) -> Problem:
    """One LiveCodeBench record as a Problem; ``eval_all`` records carry no problem metadata and no tests."""
    starter_code = rec.str_field("starter_code", "")
    metadata: dict[str, Any] = {} if eval_all else _metadata(rec)
    metadata["contest_id"] = rec.str_field("contest_id", "")
    if not metadata.get("func_name") and "def " in starter_code:
        try:
            metadata["func_name"] = solution_signature(starter_code).name
        except ValueError:
            pass  # design problems: no single method to call
    fn_name = metadata.get("func_name")
    tests: list[Test] = []
    if not eval_all:
        tests = _tests(rec, "public_test_cases", fn_name, public=True)
        tests += _tests(rec, "private_test_cases", fn_name, public=False)
    problem = Problem(
        id=rec.str_field("question_id"),
        tests=tests,
        title=rec.str_field("question_title", ""),
        statement=rec.str_field("question_content"),
        platform=rec.str_field("platform", ""),
        difficulty=rec.str_field("difficulty", ""),
        contest_date=rec.str_field("contest_date", ""),
        starter_code=starter_code,
        source=SOURCE,
        metadata=metadata,
    )
    if with_samples and not tests:
        found = extract_samples(
            problem.statement, platform=problem.platform, starter_code=starter_code, fn_name=fn_name
        )
        problem.tests = found.tests
        problem.metadata["samples"] = {"status": found.status, "reason": found.reason}
    return problem


def _metadata(rec: Record) -> dict[str, Any]:
    raw = rec.data.get("metadata")
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as e:
            raise rec.error(f"invalid JSON: {e.msg}", "metadata") from e
    if not isinstance(raw, dict):
        raise rec.error(f"expected a JSON object, got {type(raw).__name__}", "metadata")
    func_name = raw.get("func_name")
    if func_name is not None and not (isinstance(func_name, str) and func_name.isidentifier()):
        raise rec.error(f"func_name must be a method name, got {func_name!r}", "metadata")
    return dict(raw)


def _tests(rec: Record, name: str, fn_name: str | None, *, public: bool) -> list[Test]:
    raw = rec.data.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        if public:
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as e:
                raise rec.error(f"invalid JSON: {e.msg}", name) from e
        else:
            raw = decode_private_tests(raw, path=rec.path, line=rec.line, field=name)
    if not isinstance(raw, list):
        raise rec.error(f"expected a list of tests, got {type(raw).__name__}", name)
    return [_test(rec, f"{name}[{i}]", t, fn_name, public) for i, t in enumerate(raw)]


def _test(rec: Record, where: str, t: Any, fn_name: str | None, public: bool) -> Test:
    if not isinstance(t, dict):
        raise rec.error(f"expected a test object, got {type(t).__name__}", where)
    for key in ("input", "output"):
        if not isinstance(t.get(key), str):
            raise rec.error("missing or non-string value", f"{where}.{key}")
    testtype = t.get("testtype")
    if testtype not in TEST_TYPES:
        raise rec.error(f"testtype must be stdin or functional, got {testtype!r}", f"{where}.testtype")
    if testtype == "functional" and not fn_name:
        raise rec.error("functional tests need metadata.func_name (or a class Solution starter code)", "metadata")
    return Test(
        kind=testtype,
        input=t["input"],
        output=t["output"],
        fn_name=fn_name if testtype == "functional" else None,
        public=public,
    )


# ---------------------------------------------------------------------------------------------------------------
# filters

_WINDOW = re.compile(r"(\d{2})(\d{2})-(\d{2})(\d{2})")


def parse_window(window: str) -> tuple[date, date]:
    """``"YYMM-YYMM"`` as (first day of the first month, last day of the last month), both inclusive."""
    m = _WINDOW.fullmatch(window.strip())
    if not m:
        raise ValueError(f"date window {window!r} must look like 2408-2502 (YYMM-YYMM)")
    y1, m1, y2, m2 = (int(g) for g in m.groups())
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        raise ValueError(f"date window {window!r} has a month outside 01..12")
    start = date(2000 + y1, m1, 1)
    end = date(2000 + y2, m2, calendar.monthrange(2000 + y2, m2)[1])
    if end < start:
        raise ValueError(f"date window {window!r} ends before it starts")
    return start, end


def contest_day(problem: Problem) -> date:
    """The day of ``problem.contest_date`` (ISO 8601; a time and a time zone, if any, are ignored)."""
    try:
        return datetime.fromisoformat(problem.contest_date.strip()).date()
    except ValueError:
        raise DataError(None, f"problem {problem.id}: contest_date {problem.contest_date!r} is not an ISO date",
                        field="contest_date") from None


def in_window(problem: Problem, window: str) -> bool:
    """Whether the problem's contest day lies in the whole-month window ``"YYMM-YYMM"`` (both ends inclusive;
    ``"2408-2502"`` is 2024-08-01 .. 2025-02-28, end of day)."""
    start, end = parse_window(window)
    return start <= contest_day(problem) <= end


def filter_problems(
    problems: Iterable[Problem],
    *,
    window: str | None = None,
    platforms: Iterable[str] | None = None,
    difficulties: Iterable[str] | None = None,
) -> list[Problem]:
    """The problems that pass every given filter (platform and difficulty names are case-insensitive)."""
    start, end = parse_window(window) if window else (None, None)
    plats = {p.lower() for p in platforms} if platforms is not None else None
    diffs = {d.lower() for d in difficulties} if difficulties is not None else None
    kept = []
    for p in problems:
        if plats is not None and p.platform.lower() not in plats:
            continue
        if diffs is not None and p.difficulty.lower() not in diffs:
            continue
        if start is not None and not (start <= contest_day(p) <= end):
            continue
        kept.append(p)
    return kept
