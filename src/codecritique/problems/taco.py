"""TACO (``BAAI/TACO``): 25,443 train and 1,000 test problems gathered from ten platforms (AIZU, AtCoder,
CodeChef, Codeforces, Codewars, GeeksForGeeks, HackerEarth, HackerRank, Kattis, LeetCode).

A row has ``question, solutions, starter_code, input_output, difficulty, raw_tags, name, source, tags,
skill_types, url, Expected Auxiliary Space, time_limit, date, picture_num, memory_limit, Expected Time
Complexity``, every one a string:

* ``input_output`` and ``solutions`` are JSON text, read as in :mod:`.apps` (stdin tests, or call-based tests
  when ``fn_name`` is present);
* ``difficulty``: ``EASY``, ``MEDIUM``, ``MEDIUM_HARD``, ``HARD``, ``VERY_HARD`` or ``UNKNOWN_DIFFICULTY`` (kept as
  given, ``""`` for unknown);
* ``source``: the platform (``codeforces``, ``aizu``, ``geeksforgeeks``, ...; ``open.kattis`` reads ``kattis``);
* ``tags``, ``raw_tags``, ``skill_types``: Python list literals (``"['Sorting', 'Greedy']"``), read with
  ``ast.literal_eval``, which evaluates literals only;
* ``time_limit`` (``"1 second"``, ``"2.0 seconds"``, ``"None"``) and ``memory_limit`` (``"256 megabytes"``): parsed
  to seconds and MiB when they say so, else left unset.

TACO rows carry no id. A problem's id is ``taco/<split>/<index>``, the row's position in its split: the same
``(split, index)`` that OpenCodeReasoning-2 rows point with (its ``get_question`` reads ``hf_datasets["taco"]
[split][int(index)]``). Read the whole split, in its shard order, for the index to mean that.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codecritique.problems.apps import parse_input_output, platform_from_url, solution_entries, split_of
from codecritique.problems.model import Problem
from codecritique.problems.records import Record
from codecritique.problems.tables import iter_rows

SOURCE = "taco"
DIFFICULTIES = ("EASY", "MEDIUM", "MEDIUM_HARD", "HARD", "VERY_HARD")
_PLATFORM_ALIASES = {"open.kattis": "kattis", "geeks for geeks": "geeksforgeeks", "gfg": "geeksforgeeks"}
_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|milliseconds?|ms)\b", re.IGNORECASE)
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(megabytes?|mb|mib|kilobytes?|kb|kib|gigabytes?|gb|gib)\b",
                     re.IGNORECASE)


def read_taco(path: str | Path, *, split: str | None = None, with_solutions: bool = False) -> list[Problem]:
    """Problems of a TACO file or folder of shards, in order; ``split`` defaults to the one the path names."""
    return list(iter_taco(path, split=split, with_solutions=with_solutions))


def iter_taco(path: str | Path, *, split: str | None = None, with_solutions: bool = False) -> Iterator[Problem]:
    split = split if split is not None else split_of(path)
    for index, rec in enumerate(iter_rows(path)):
        yield problem_from_taco(rec, index, split=split, with_solutions=with_solutions)


def problem_from_taco(rec: Record, index: int, *, split: str = "", with_solutions: bool = False) -> Problem:
    """One TACO row, the ``index``-th of its split, as a Problem."""
    tests, meta = parse_input_output(rec)
    source = rec.str_field("source", "").strip().lower()
    platform = _PLATFORM_ALIASES.get(source, source) or platform_from_url(rec.str_field("url", ""))
    difficulty = rec.str_field("difficulty", "").strip()
    for name in ("tags", "raw_tags", "skill_types"):
        values = _literal_list(rec, name)
        if values:
            meta[name] = values
    for name, key in (("url", "url"), ("date", "date"), ("Expected Time Complexity", "expected_time_complexity"),
                      ("Expected Auxiliary Space", "expected_auxiliary_space")):
        value = rec.str_field(name, "")
        if value and value != "None":
            meta[key] = value
    if with_solutions:
        meta["solutions"] = solution_entries(rec)
    meta["index"] = index
    return Problem(
        id=f"taco/{split}/{index}" if split else f"taco/{index}",
        tests=tests,
        title=rec.str_field("name", ""),
        statement=rec.str_field("question"),
        platform=platform,
        difficulty="" if difficulty.upper().startswith("UNKNOWN") else difficulty,
        contest_date=meta.get("date", ""),
        starter_code=rec.str_field("starter_code", ""),
        time_limit=_seconds(rec.str_field("time_limit", "")),
        memory_limit=_mebibytes(rec.str_field("memory_limit", "")),
        source=SOURCE,
        metadata=meta,
    )


def _literal_list(rec: Record, name: str) -> list[Any]:
    raw = rec.data.get(name)
    if raw is None or raw == "" or raw == "None":
        return []
    if isinstance(raw, list):
        return raw
    if not isinstance(raw, str):
        raise rec.error(f"expected a list literal, got {type(raw).__name__}", name)
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise rec.error(f"not a Python list literal: {raw[:60]!r}", name) from None
    if not isinstance(value, (list, tuple)):
        raise rec.error(f"expected a list literal, got {type(value).__name__}", name)
    return list(value)


def _seconds(text: str) -> float | None:
    m = _TIME.match(text)
    if not m:
        return None
    value = float(m.group(1))
    return value / 1000 if m.group(2).lower().startswith("m") else value


def _mebibytes(text: str) -> int | None:
    m = _MEMORY.match(text)
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2).lower()
    if unit.startswith("k"):
        value /= 1024
    elif unit.startswith("g"):
        value *= 1024
    return max(1, round(value))
