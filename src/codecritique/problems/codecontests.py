"""DeepMind CodeContests (``deepmind/code_contests``), and the per-problem repackaging of it in
``justinchiu-test/codecontests-repo`` (the 155-problem file of ``../shared/data/codecontests``).

**CodeContests rows** (HF Parquet, splits ``train`` / ``valid`` / ``test``; the 165 test problems are the paper's
critique-accuracy set, App. B) have the fields::

    name, description,
    public_tests, private_tests, generated_tests   {"input": [str, ...], "output": [str, ...]}
    source                                         0 unknown, 1 CodeChef, 2 Codeforces, 3 HackerEarth, 4 CodeJam,
                                                   5 AtCoder, 6 Aizu
    difficulty                                     0 unknown, 1 EASY .. 5 HARDEST, 6 EXTERNAL, 7 A .. 28 V
    solutions, incorrect_solutions                 {"language": [int, ...], "solution": [str, ...]}
                                                   0 unknown, 1 Python 2, 2 C++, 3 Python 3, 4 Java
    cf_contest_id, cf_index, cf_points, cf_rating, cf_tags, is_description_translated, untranslated_description,
    time_limit {"seconds", "nanos"} (may be null), memory_limit_bytes, input_file, output_file

The enumerations are the dataset's protobuf enums (``contests.proto``); HF stores them as integers, and their
names (``"PYTHON3"``, ``"CODEFORCES"``, ``"A"``) are accepted too. A problem becomes a :class:`Problem` with
``platform`` the source in lower case, ``difficulty`` the enum's name (``"A"`` .. ``"V"`` for Codeforces problems,
where it is the problem's letter; ``EASY`` .. ``EXTERNAL`` elsewhere; ``""`` when unknown), stdin tests in the
order public, private, generated (public ones marked ``public``; which kinds to include is a parameter; the count
of each is in ``metadata["test_counts"]``), the time limit in seconds and the memory limit in MiB (rounded up).
Human solutions (:class:`HumanSolution`) are kept in ``metadata["solutions"]`` / ``["incorrect_solutions"]``
only when asked for (``with_solutions=True``): a full split holds millions of them.

**codecontests-repo records** (``{id, cluster, problem_md, solution_py, tags, tests: [{input, output}]}``):
``problem_md`` is a Markdown page whose ``## Description`` section is the CodeContests description and whose
``**Difficulty:**`` line is the difficulty code (or a word such as ``very hard``); ``solution_py`` is one accepted
Python 3 solution from CodeContests. The tests had their final line break stripped; one is put back (every
original test ends with one). A few records of the packed file are not problems (``library.py`` with no statement,
no solution and no tests): they are skipped, and reported to the caller through ``skipped``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from codecritique.problems.answers import annotate
from codecritique.problems.model import Problem, Test
from codecritique.problems.records import Record, iter_jsonl
from codecritique.problems.tables import dict_field, int_field, iter_rows, number_field, str_list

SOURCE = "code_contests"
REPO_SOURCE = "codecontests-repo"

LANGUAGES = ("unknown", "python2", "cpp", "python3", "java")  # index = the dataset's Language code
_LANGUAGE_NAMES = {"UNKNOWN_LANGUAGE": 0, "UNKNOWN": 0, "PYTHON": 1, "PYTHON2": 1, "CPP": 2, "PYTHON3": 3,
                   "JAVA": 4}
PLATFORMS = ("unknown", "codechef", "codeforces", "hackerearth", "codejam", "atcoder", "aizu")
DIFFICULTIES = ("UNKNOWN_DIFFICULTY", "EASY", "MEDIUM", "HARD", "HARDER", "HARDEST", "EXTERNAL",
                *(chr(c) for c in range(ord("A"), ord("V") + 1)))
TEST_KINDS = ("public", "private", "generated")


@dataclass(frozen=True)
class HumanSolution:
    """One human-written solution of a CodeContests problem, as the dataset lists it."""

    language: str  # "python2" | "cpp" | "python3" | "java" | "unknown"
    code: str
    accepted: bool  # from ``solutions`` (True) or ``incorrect_solutions`` (False)
    index: int  # position in its list

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "HumanSolution":
        return cls(d["language"], d["code"], bool(d["accepted"]), int(d["index"]))


def language_name(code: Any) -> str | None:
    """The language of a CodeContests language code or enum name; None if it is neither."""
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return LANGUAGES[code] if 0 <= code < len(LANGUAGES) else None
    if isinstance(code, str):
        key = code.strip().upper()
        if key in _LANGUAGE_NAMES:
            return LANGUAGES[_LANGUAGE_NAMES[key]]
        if key.lower() in LANGUAGES:
            return key.lower()
    return None


def _enum(rec: Record, name: str, names: Sequence[str]) -> str:
    value = rec.data.get(name)
    if value is None:
        return names[0]
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < len(names):
            raise rec.error(f"code {value} is outside 0..{len(names) - 1}", name)
        return names[value]
    if isinstance(value, str):
        for n in names:
            if value.strip().upper() in (n.upper(), f"UNKNOWN_{n.upper()}"):
                return n
        if value.strip().upper().startswith("UNKNOWN"):
            return names[0]
        raise rec.error(f"unknown value {value!r}", name)
    raise rec.error(f"expected an integer code, got {type(value).__name__}", name)


# ---------------------------------------------------------------------------------------------------------------
# deepmind/code_contests


def read_code_contests(path: str | Path, *, tests: Iterable[str] = TEST_KINDS,
                       with_solutions: bool = False) -> list[Problem]:
    """Problems of a CodeContests file or folder of shards (Parquet, JSONL, ...; see :mod:`.tables`)."""
    kinds = tuple(tests)
    return [problem_from_code_contests(rec, tests=kinds, with_solutions=with_solutions) for rec in iter_rows(path)]


def problem_from_code_contests(rec: Record, *, tests: Iterable[str] = TEST_KINDS,
                               with_solutions: bool = False) -> Problem:
    """One CodeContests row as a Problem (see the module docstring)."""
    kinds = tuple(tests)
    unknown = set(kinds) - set(TEST_KINDS)
    if unknown:
        raise ValueError(f"test kinds must be among {', '.join(TEST_KINDS)}, got {sorted(unknown)}")
    name = rec.str_field("name")
    counts: dict[str, int] = {}
    problem_tests: list[Test] = []
    for kind in TEST_KINDS:
        pairs = test_pairs(rec, f"{kind}_tests")
        counts[kind] = len(pairs)
        if kind in kinds:
            problem_tests += [Test("stdin", i, o, public=kind == "public") for i, o in pairs]
    platform = _enum(rec, "source", PLATFORMS)
    difficulty = _enum(rec, "difficulty", DIFFICULTIES)
    metadata: dict[str, Any] = {"test_counts": counts}
    for field_name in ("cf_contest_id", "cf_index", "cf_points", "cf_rating", "cf_tags", "input_file",
                       "output_file", "is_description_translated"):
        value = rec.data.get(field_name)
        if value not in (None, "", [], 0, 0.0, False):
            metadata[field_name] = value
    if with_solutions:
        accepted, rejected = human_solutions(rec)
        metadata["solutions"] = [s.to_dict() for s in accepted]
        metadata["incorrect_solutions"] = [s.to_dict() for s in rejected]
    return annotate(Problem(
        id=name,
        tests=problem_tests,
        title=name,
        statement=rec.str_field("description", ""),
        platform="" if platform == "unknown" else platform,
        difficulty="" if difficulty == DIFFICULTIES[0] else difficulty,
        time_limit=_time_limit(rec),
        memory_limit=_memory_limit(rec),
        source=SOURCE,
        metadata=metadata,
    ))


def test_pairs(rec: Record, name: str) -> list[tuple[str, str]]:
    """The (input, output) pairs of a ``{"input": [...], "output": [...]}`` field; absent means none."""
    value = rec.data.get(name)
    if value is None:
        return []
    if not isinstance(value, dict):
        raise rec.error(f"expected an object with input and output lists, got {type(value).__name__}", name)
    inputs = str_list(rec, value.get("input", []), f"{name}.input")
    outputs = str_list(rec, value.get("output", []), f"{name}.output")
    if len(inputs) != len(outputs):
        raise rec.error(f"{len(inputs)} inputs but {len(outputs)} outputs", name)
    return list(zip(inputs, outputs))


def human_solutions(rec: Record) -> tuple[list[HumanSolution], list[HumanSolution]]:
    """The accepted (``solutions``) and rejected (``incorrect_solutions``) human solutions of a row."""
    out = []
    for field_name, accepted in (("solutions", True), ("incorrect_solutions", False)):
        value = dict_field(rec, field_name, {})
        languages = value.get("language", [])
        codes = str_list(rec, value.get("solution", []), f"{field_name}.solution")
        if not isinstance(languages, list):
            raise rec.error("expected a list of language codes", f"{field_name}.language")
        if len(languages) != len(codes):
            raise rec.error(f"{len(languages)} languages but {len(codes)} solutions", field_name)
        sols = []
        for i, (lang, code) in enumerate(zip(languages, codes)):
            name = language_name(lang)
            if name is None:
                raise rec.error(f"unknown language code {lang!r}", f"{field_name}.language[{i}]")
            sols.append(HumanSolution(name, code, accepted, i))
        out.append(sols)
    return out[0], out[1]


def _time_limit(rec: Record) -> float | None:
    value = rec.data.get("time_limit")
    if value is None:
        return None
    if isinstance(value, dict):
        seconds, nanos = value.get("seconds") or 0, value.get("nanos") or 0
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (seconds, nanos)):
            raise rec.error("expected {seconds, nanos} numbers", "time_limit")
        total = seconds + nanos / 1e9
        return total if total > 0 else None
    return number_field(rec, "time_limit") or None


def _memory_limit(rec: Record) -> int | None:
    value = int_field(rec, "memory_limit_bytes", 0)
    return math.ceil(value / 2**20) if value > 0 else None


# ---------------------------------------------------------------------------------------------------------------
# justinchiu-test/codecontests-repo (packed)

_DIFFICULTY_LINE = re.compile(r"^\*\*Difficulty:\*\*[ \t]*(.*?)[ \t]*$", re.M)
_SECTION = re.compile(r"^## (.+?)[ \t]*$", re.M)


def read_codecontests_repo(path: str | Path, skipped: list[tuple[int, str, str]] | None = None) -> list[Problem]:
    """Problems of a packed codecontests-repo JSONL file. Records that are not problems are left out and, if
    ``skipped`` is a list, appended to it as ``(line, id, reason)``."""
    problems = []
    for rec in iter_jsonl(path):
        why = _not_a_problem(rec)
        if why:
            if skipped is not None:
                skipped.append((rec.line, str(rec.data.get("id")), why))
            continue
        problems.append(problem_from_codecontests_repo(rec))
    return problems


def _not_a_problem(rec: Record) -> str:
    if rec.data.get("problem_md") is None and rec.data.get("solution_py") is None and not rec.data.get("tests"):
        return "not a problem: no statement, no solution and no tests (a packed library file)"
    return ""


def problem_from_codecontests_repo(rec: Record) -> Problem:
    """One packed record as a Problem; its Python solution is ``metadata["solutions"][0]``."""
    md = rec.str_field("problem_md")
    pid = rec.str_field("id")
    sections = markdown_sections(md)
    if "Description" not in sections:
        raise rec.error("no '## Description' section", "problem_md")
    title_line = md.split("\n", 1)[0]
    title = title_line[2:].strip() if title_line.startswith("# ") else pid
    difficulty = ""
    if m := _DIFFICULTY_LINE.search(md):
        difficulty = _difficulty_text(m.group(1))
    tests_raw = rec.data.get("tests")
    if not isinstance(tests_raw, list):
        raise rec.error("expected a list of tests", "tests")
    tests = []
    for i, t in enumerate(tests_raw):
        if not isinstance(t, dict) or not isinstance(t.get("input"), str) or not isinstance(t.get("output"), str):
            raise rec.error("expected {input: str, output: str}", f"tests[{i}]")
        tests.append(Test("stdin", _with_newline(t["input"]), _with_newline(t["output"])))
    solution = rec.str_field("solution_py")
    platform = sections.get("Source", "").strip().lower()
    tags = [t for t in rec.str_field("tags", "").split("\n") if t.strip()]
    return annotate(Problem(
        id=pid,
        tests=tests,
        title=title,
        statement=sections["Description"],
        platform=platform,
        difficulty=difficulty,
        source=REPO_SOURCE,
        metadata={"cluster": rec.str_field("cluster", ""), "tags": tags,
                  "solutions": [HumanSolution("python3", solution, True, 0).to_dict()]},
    ))


def markdown_sections(md: str) -> dict[str, str]:
    """The text of every ``## Heading`` section of a Markdown page, stripped of its surrounding blank lines."""
    heads = list(_SECTION.finditer(md))
    out = {}
    for h, nxt in zip(heads, heads[1:] + [None]):
        body = md[h.end(): nxt.start() if nxt else len(md)]
        out[h.group(1)] = body.strip("\n")
    return out


def _difficulty_text(value: str) -> str:
    value = value.strip()
    if value.isdigit():
        code = int(value)
        return DIFFICULTIES[code] if 0 < code < len(DIFFICULTIES) else ""
    return value


def _with_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def solutions_of(problem: Problem) -> tuple[list[HumanSolution], list[HumanSolution]]:
    """The accepted and rejected human solutions stored in a problem's metadata (empty if none were kept)."""
    acc = [HumanSolution.from_dict(d) for d in problem.metadata.get("solutions", [])]
    rej = [HumanSolution.from_dict(d) for d in problem.metadata.get("incorrect_solutions", [])]
    return acc, rej
