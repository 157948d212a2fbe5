"""Counts over a set of problems, and one problem printed for a person to read.

:func:`problem_stats` counts problems by source, platform, difficulty and contest month, tests by kind
(``stdin`` / ``functional`` / ``program``) and visibility (public sample vs hidden), problems per set of test
kinds, problems without tests, and, where statement samples were extracted, their status (found / not_found /
ambiguous). :func:`format_stats` lays the counts out as plain-text tables; :func:`inspect_problem` prints one
problem: its fields, statement, first tests and metadata, long texts cut with a note of how much was left out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from codecritique.problems.model import Problem

UNKNOWN = "(none)"


def _month(date: str) -> str:
    date = (date or "").strip()
    return date[:7] if len(date) >= 7 and date[4] == "-" and date[:4].isdigit() else UNKNOWN


def problem_stats(problems: Iterable[Problem]) -> dict[str, Any]:
    """Counts (see the module docstring); every value is a plain dict or int, ready for JSON."""
    by: dict[str, Counter[str]] = {k: Counter() for k in
                                   ("source", "platform", "difficulty", "month", "test_kinds", "samples")}
    tests: Counter[str] = Counter()
    n = no_tests = 0
    for p in problems:
        n += 1
        by["source"][p.source or UNKNOWN] += 1
        by["platform"][p.platform or UNKNOWN] += 1
        by["difficulty"][p.difficulty or UNKNOWN] += 1
        by["month"][_month(p.contest_date)] += 1
        kinds = "+".join(sorted(p.test_kinds)) or "no tests"
        by["test_kinds"][kinds] += 1
        no_tests += not p.tests
        for t in p.tests:
            tests[f"{t.kind}/{'public' if t.public else 'hidden'}"] += 1
        samples = p.metadata.get("samples")
        if isinstance(samples, dict) and "status" in samples:
            by["samples"][samples["status"]] += 1
    return {
        "problems": n,
        "problems_without_tests": no_tests,
        "tests": dict(sorted(tests.items())),
        "tests_total": sum(tests.values()),
        **{f"by_{k}": dict(sorted(v.items(), key=_order(k))) for k, v in by.items() if v},
    }


def _order(key: str):
    if key == "month":
        return lambda kv: kv[0]
    return lambda kv: (-kv[1], kv[0])


def format_stats(stats: dict[str, Any]) -> str:
    """Plain-text tables of :func:`problem_stats`."""
    lines = [f"problems: {stats['problems']}  (without tests: {stats['problems_without_tests']})",
             f"tests: {stats['tests_total']}"]
    for name, count in stats["tests"].items():
        lines.append(f"  {name:<22} {count}")
    for key, title in (("by_source", "source"), ("by_platform", "platform"), ("by_difficulty", "difficulty"),
                       ("by_month", "contest month"), ("by_test_kinds", "test kinds"),
                       ("by_samples", "statement samples")):
        if key not in stats:
            continue
        lines.append(f"\n{title}:")
        width = max(len(k) for k in stats[key])
        for k, v in stats[key].items():
            lines.append(f"  {k:<{width}}  {v}")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    if limit <= 0 or len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit} more characters]"


def inspect_problem(problem: Problem, *, max_chars: int = 3000, max_tests: int = 3) -> str:
    """One problem, readable: header fields, statement, starter code, the first tests and the metadata (long texts
    cut at ``max_chars``; 0 shows everything)."""
    p = problem
    head = [
        f"id:           {p.id}",
        f"title:        {p.title or '-'}",
        f"source:       {p.source or '-'}    platform: {p.platform or '-'}    difficulty: {p.difficulty or '-'}",
        f"contest date: {p.contest_date or '-'}",
        f"limits:       {f'{p.time_limit:g} s' if p.time_limit else 'default time'}, "
        f"{f'{p.memory_limit} MiB' if p.memory_limit else 'default memory'}    checker: {p.checker or 'default'}",
    ]
    kinds = Counter(t.kind for t in p.tests)
    public = sum(t.public for t in p.tests)
    head.append(f"tests:        {len(p.tests)} ({', '.join(f'{n} {k}' for k, n in kinds.items()) or 'none'}; "
                f"{public} public)")
    out = ["\n".join(head), "", "--- statement ---", _cut(p.statement, max_chars)]
    if p.starter_code:
        out += ["", "--- starter code ---", _cut(p.starter_code, max_chars)]
    for i, t in enumerate(p.tests[:max_tests if max_tests >= 0 else None]):
        label = f"test {i} ({t.kind}{', public' if t.public else ''}{f', calls {t.fn_name}' if t.fn_name else ''})"
        out += ["", f"--- {label}: input ---", _cut(t.input, max_chars // 3 if max_chars else 0)]
        if t.kind != "program":
            out += [f"--- {label}: expected output ---", _cut(t.output, max_chars // 3 if max_chars else 0)]
    if len(p.tests) > max_tests >= 0:
        out += ["", f"... and {len(p.tests) - max_tests} more tests"]
    if p.metadata:
        meta = {k: (_cut(v, 200) if isinstance(v, str) else f"[{len(v)} items]" if isinstance(v, list) and
                    len(json.dumps(v, default=str)) > 300 else v) for k, v in p.metadata.items()}
        out += ["", "--- metadata ---", json.dumps(meta, indent=1, ensure_ascii=False, default=str)]
    return "\n".join(out)
