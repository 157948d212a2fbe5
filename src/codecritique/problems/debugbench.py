"""DebugBench (thunlp/DebugBench): LeetCode problems, each with a human accepted solution and a buggy variant.

The benchmark directory holds one JSON array per language and bug category, ``<language>_<category>.json``
(``cpp_double.json``, ``python3_unclosed string.json``, ...). A record has ``slug``, ``description``, ``examples``
(the statement's examples, one string each: ``"Input: nums = [1,2]\\nOutput: 3\\nExplanation: ..."``),
``constraints``, ``level``, ``oracle_code`` (accepted on LeetCode), ``buggy_code``, and either ``type`` (a list of
bug types, for the multi-bug categories) or ``explanations`` (single-bug categories, whose type is the file's).

:func:`problem_from_debugbench` turns a record into a Problem whose functional tests are its examples, parsed by
:func:`.samples.functional_samples` with the signature of the accepted solution (C++: the public method of its
``class Solution`` that the examples' argument names fit; Python: :mod:`.signature`). A record whose examples
cannot be read gets no tests and the reason in ``metadata["samples"]``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from codecritique.errors import DataError
from codecritique.problems.cpp_signature import Unmappable, cpp_signature, solution_methods
from codecritique.problems.model import Problem
from codecritique.problems.samples import SampleExtraction, example_argument_names, extract_functional_samples, \
    functional_samples
from codecritique.problems.signature import Signature

LANGUAGES = {"cpp": "cpp", "python3": "python"}  # file prefix -> our language name


@dataclass
class DebugBenchRecord:
    id: str  # "<category>/<index in its file>/<slug>"
    slug: str
    language: str  # "cpp" | "python"
    category: str  # the file's bug category ("double", "faulty indexing", ...)
    level: str
    description: str
    examples: list[str]
    constraints: str
    oracle_code: str
    buggy_code: str
    bug_types: list[str]

    def statement(self) -> str:
        """The statement as LeetCode shows it: description, ``Example k:`` blocks, constraints."""
        parts = [self.description.strip()]
        parts += [f"Example {k}:\n{ex.strip()}" for k, ex in enumerate(self.examples, 1)]
        parts.append("Constraints:\n" + self.constraints.strip())
        return "\n\n".join(parts) + "\n"


def read_debugbench(path: str | Path, language: str = "cpp") -> list[DebugBenchRecord]:
    """The records of one file, or of every file of ``language`` ("cpp" or "python") in a directory."""
    path = Path(path)
    prefixes = [p for p, lang in LANGUAGES.items() if lang == language]
    if not prefixes:
        raise ValueError(f"DebugBench language must be one of {sorted(set(LANGUAGES.values()))}, got {language!r}")
    files = sorted(path.glob(f"{prefixes[0]}_*.json")) if path.is_dir() else [path]
    if not files:
        raise DataError(path, f"no {prefixes[0]}_*.json files")
    return [rec for f in files for rec in _read_file(f)]


def _read_file(path: Path) -> list[DebugBenchRecord]:
    prefix, _, category = path.stem.partition("_")
    if prefix not in LANGUAGES:
        raise DataError(path, f"file name must start with one of {', '.join(LANGUAGES)}_")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DataError(path, f"cannot read a JSON array: {e}") from None
    if not isinstance(data, list):
        raise DataError(path, "expected a JSON array of records")
    out = []
    for i, r in enumerate(data):
        try:
            bug_types = r.get("type") or [category]
            out.append(DebugBenchRecord(
                id=f"{category}/{i}/{r['slug']}", slug=r["slug"], language=LANGUAGES[prefix], category=category,
                level=r.get("level", ""), description=r["description"], examples=list(r["examples"]),
                constraints=r.get("constraints", ""), oracle_code=r["oracle_code"], buggy_code=r["buggy_code"],
                bug_types=[bug_types] if isinstance(bug_types, str) else list(bug_types)))
        except (KeyError, TypeError) as e:
            raise DataError(path, f"record {i}: missing or malformed field {e}") from None
    return out


def problem_from_debugbench(rec: DebugBenchRecord) -> Problem:
    """A Problem whose tests are the record's examples (see the module docstring)."""
    statement = rec.statement()
    metadata = {"slug": rec.slug, "category": rec.category, "bug_types": rec.bug_types, "language": rec.language,
                "oracle_code": rec.oracle_code, "buggy_code": rec.buggy_code}
    starter = ""
    if rec.language == "python":
        found = extract_functional_samples(statement, rec.oracle_code)
    else:
        found, starter = _cpp_samples(statement, rec.oracle_code)
        if starter:
            metadata["cpp_starter_code"] = starter
    metadata["samples"] = {"status": found.status, "reason": found.reason}
    return Problem(id=rec.id, tests=found.tests, title=rec.slug, statement=statement, platform="leetcode",
                   difficulty=rec.level, starter_code=starter, source="debugbench", metadata=metadata)


def _cpp_samples(statement: str, oracle: str) -> tuple[SampleExtraction, str]:
    """The examples as tests, and the C++ starter code of the method they call.

    The method is the public method of the accepted solution for which every example parses (its parameter names
    are the examples' argument names); failing that, the only one with as many parameters as the examples have
    arguments (the solution renamed them: arguments are then taken in the examples' order, LeetCode's signature
    order). Among several that fit, helpers are those another method calls.
    """
    methods = [m for m in solution_methods(oracle) if m.public]
    if not methods:
        return SampleExtraction([], "not_found", "design problem: the accepted solution has no class Solution "
                                                 "with a public method"), ""
    tried = [(m, functional_samples(statement, Signature(m.name, tuple(n for _, n in m.params), ())))
             for m in methods]
    fitting = [(m, found) for m, found in tried if found.status == "found"]
    names = example_argument_names(statement)
    if not fitting and names:
        same_arity = [m for m in methods if len(m.params) == len(names)]
        if len(same_arity) == 1:
            found = functional_samples(statement, Signature(same_arity[0].name, tuple(names), ()))
            if found.status == "found":
                found.reason += "; the solution renamed the parameters: arguments taken in the examples' order"
                fitting = [(same_arity[0], found)]
    if len({m.name for m, _ in fitting}) > 1:
        entry = [(m, f) for m, f in fitting
                 if not any(re.search(rf"\b{m.name}\s*\(", o.body) for o in methods if o.name != m.name)]
        if len({m.name for m, _ in entry}) != 1:
            listed = ", ".join(sorted({m.name for m, _ in fitting}))
            return SampleExtraction([], "ambiguous", f"the examples fit several public methods ({listed})"), ""
        fitting = entry
    if not fitting:
        if len(tried) == 1:
            return tried[0][1], ""
        reasons = "; ".join(f"{m.name}: {found.reason}" for m, found in tried)
        return SampleExtraction([], tried[0][1].status, reasons), ""
    method, found = fitting[0]
    try:
        sig = cpp_signature(oracle, method.name, param_names=[n for _, n in method.params])
    except Unmappable as e:
        return SampleExtraction([], "not_found", f"no C++ harness: {e}"), ""
    return found, sig.starter_code()
