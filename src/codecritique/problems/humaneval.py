"""HumanEval-style problems: a function to complete, judged by a test program appended after the solution.

Read from JSON Lines (``*.gz`` allowed):

* HumanEval and MBPP in HumanEval format (e.g. ``mbpp_sanitized_for_code_generation.jsonl``):
  ``{task_id, prompt, canonical_solution, test, entry_point}``. ``test`` defines ``check(candidate)``; the test
  program is ``test + "\\ncheck(<entry_point>)\\n"``.
* MBPP in its own formats: the original (``{task_id: int, text, code, test_list, test_setup_code,
  challenge_test_list}``) and the Hugging Face "sanitized" one (``{task_id, prompt, code, test_imports, test_list}``).
  The test program is the imports, the setup code and the asserts of ``test_list``; ``challenge_test_list`` is kept in
  the metadata, not run (as in MBPP's own evaluation). There is no starter code: a generation is the whole program.
* HumanEval-X C++: ``{task_id: "CPP/<n>", prompt, declaration, canonical_solution, test, example_test?}``. ``test``
  is a complete ``main()`` that asserts on the function; it is the test program as is.

Each record becomes ``Problem(id=task_id, statement=prompt, starter_code=prompt, tests=[one "program" test])``
with ``metadata = {entry_point, canonical_solution, language}`` (plus ``declaration`` for HumanEval-X, whose
``entry_point`` is the function the prompt opens).
"""

from __future__ import annotations

import re
from pathlib import Path

from codecritique.problems.model import Problem, Test
from codecritique.problems.records import Record, iter_jsonl

HUMANEVAL_X_LANGUAGES = {"CPP": "cpp"}
_CPP_FUNCTION_HEAD = re.compile(r"(\w+)\s*\([^;{}()]*\)\s*\{\s*$")


def read_humaneval(path: str | Path) -> list[Problem]:
    """Problems from a HumanEval-format JSONL file (HumanEval, MBPP in HumanEval format)."""
    return [problem_from_humaneval(rec) for rec in iter_jsonl(path)]


def read_humaneval_x(path: str | Path) -> list[Problem]:
    """Problems from a HumanEval-X JSONL file (C++ only)."""
    return [problem_from_humaneval_x(rec) for rec in iter_jsonl(path)]


def problem_from_humaneval(rec: Record) -> Problem:
    """One HumanEval/MBPP record; the test program calls ``check(entry_point)``."""
    task_id = rec.str_field("task_id")
    prompt = rec.str_field("prompt")
    entry_point = rec.str_field("entry_point").strip()  # MBPP-sanitized has 'is_Power_Of_Two '
    if not entry_point.isidentifier():
        raise rec.error(f"expected a function name, got {entry_point!r}", "entry_point")
    test = rec.str_field("test")
    if "def check" not in test:
        raise rec.error("the test code defines no check(candidate) function", "test")
    source = "mbpp" if task_id.lower().startswith("mbpp") else "humaneval"
    return Problem(
        id=task_id,
        tests=[Test(kind="program", input=f"{test}\ncheck({entry_point})\n")],
        statement=prompt,
        starter_code=prompt,
        platform=source,
        source=source,
        metadata={
            "entry_point": entry_point,
            "canonical_solution": rec.str_field("canonical_solution", ""),
            "language": "python",
        },
    )


def read_mbpp(path: str | Path) -> list[Problem]:
    """Problems from an MBPP JSONL file in the original or the sanitized format."""
    return [problem_from_mbpp(rec) for rec in iter_jsonl(path)]


def problem_from_mbpp(rec: Record) -> Problem:
    """One MBPP record: the asserts of ``test_list`` (after ``test_imports`` and ``test_setup_code``) are the test."""
    task_id = rec.data.get("task_id")
    if not isinstance(task_id, (int, str)) or isinstance(task_id, bool) or str(task_id) == "":
        raise rec.error("expected an integer or string task id", "task_id")
    statement = rec.str_field("text", "") or rec.str_field("prompt", "")
    if not statement:
        raise rec.error("missing required field (the task's description)", "text")
    asserts = _string_list(rec, "test_list")
    if not asserts:
        raise rec.error("no tests", "test_list")
    imports = _string_list(rec, "test_imports", required=False)
    setup = rec.str_field("test_setup_code", "")
    program = "\n".join([*imports, setup, *asserts]).strip() + "\n"
    code = rec.str_field("code", "")
    m = re.search(r"^def\s+(\w+)\s*\(", code, re.MULTILINE)
    metadata = {"canonical_solution": code, "language": "python",
                "challenge_test_list": _string_list(rec, "challenge_test_list", required=False)}
    if m:
        metadata["entry_point"] = m.group(1)
    return Problem(id=str(task_id), tests=[Test(kind="program", input=program)], statement=statement,
                   platform="mbpp", source="mbpp", metadata=metadata)


def _string_list(rec: Record, name: str, required: bool = True) -> list[str]:
    value = rec.data.get(name)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise rec.error("expected a list of strings" if value is not None else "missing required field", name)
    return value


def problem_from_humaneval_x(rec: Record) -> Problem:
    """One HumanEval-X record; its ``test`` field (a ``main()`` with asserts) is the test program."""
    task_id = rec.str_field("task_id")
    prefix = task_id.split("/", 1)[0]
    language = HUMANEVAL_X_LANGUAGES.get(prefix)
    if language is None:
        raise rec.error(f"unsupported HumanEval-X language {prefix!r} (supported: CPP)", "task_id")
    prompt = rec.str_field("prompt")
    test = rec.str_field("test")
    if "main" not in test:
        raise rec.error("the test code has no main()", "test")
    metadata = {
        "canonical_solution": rec.str_field("canonical_solution", ""),
        "declaration": rec.str_field("declaration", ""),
        "language": language,
    }
    entry_point = rec.str_field("entry_point", "") or _declared_function(metadata["declaration"] or prompt)
    if entry_point:
        metadata["entry_point"] = entry_point
    return Problem(
        id=task_id,
        tests=[Test(kind="program", input=test)],
        statement=prompt,
        starter_code=prompt,
        platform="humaneval-x",
        source="humaneval-x",
        metadata=metadata,
    )


def _declared_function(code: str) -> str:
    """The name of the function whose body the C++ prompt opens (``bool f(vector<int> v){`` at its end)."""
    m = _CPP_FUNCTION_HEAD.search(code.rstrip())
    return m.group(1) if m else ""
