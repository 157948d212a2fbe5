"""Reading model generations to judge, in the ecosystem's formats, detected from the file:

* LiveCodeBench output: a JSON list of ``{question_id, code_list}``; its ``eval_all`` files (same plus
  ``output_list``, ``graded_list``, ``metadata``, which are ignored);
* JSONL of ``{question_id, code}`` (or ``{question_id, code_list}``), of raw model output ``{question_id, output}``
  / ``{question_id, output_list}``, or HumanEval's ``{task_id, completion}`` (the program is prompt + completion).

Raw model output is reduced to its code: the last fenced block (after any ``</think>``).

A problem's language is, in order: the one given (``--language``) or the record's ``language`` field; else the
language of the fences of its raw outputs (``cpp``, ``c++``, ``python``, ...); else its problem's
``metadata["language"]`` (HumanEval-X, LiveCodeBench-CPP); else it is left to the caller (Python).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..problems.extraction import extract_code, final_code_block
from ..problems.model import Problem
from ..problems.records import iter_json_array, iter_jsonl, open_text

ID_FIELDS = ("question_id", "task_id", "problem_id", "id")


@dataclass
class Generations:
    """The samples of one problem, in order."""

    problem_id: str
    codes: list[str] = field(default_factory=list)
    outputs: list[str] | None = None  # raw model outputs, when the file had them
    language: str | None = None


def _records(path: Path) -> Iterator[tuple[int | None, dict]]:
    """(line number, record) for a JSON list file or a JSONL file (``*.gz`` too)."""
    try:
        with open_text(path) as f:
            head = f.read(4096).lstrip()
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(path, f"cannot read file: {e}") from e
    for rec in iter_json_array(path) if head.startswith("[") else iter_jsonl(path):
        yield rec.line, rec.data


def _string_list(path: Path, lineno: int | None, rec: dict, name: str) -> list[str]:
    value = rec[name]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise DataError(path, "expected a list of strings", line=lineno, field=name)
    return value


def load_generations(path: str | Path, problems: dict[str, Problem] | None = None,
                     language: str | None = None) -> dict[str, Generations]:
    """Samples per problem id, in file order. ``problems`` is needed for HumanEval completions (prompt + completion).
    Several records for one problem (JSONL with one sample per line) are appended in order."""
    path = Path(path)
    out: dict[str, Generations] = {}
    for lineno, rec in _records(path):
        pid_field = next((f for f in ID_FIELDS if f in rec), None)
        if pid_field is None:
            raise DataError(path, f"no problem id (one of {', '.join(ID_FIELDS)}); fields: {sorted(rec)[:10]}",
                            line=lineno)
        pid = str(rec[pid_field])
        gens = out.setdefault(pid, Generations(pid, language=rec.get("language") or language))
        raw: list[str] | None = None
        if "code_list" in rec:
            codes = _string_list(path, lineno, rec, "code_list")
        elif "code" in rec:
            if not isinstance(rec["code"], str):
                raise DataError(path, "expected a string", line=lineno, field="code")
            codes = [rec["code"]]
        elif "completion" in rec:
            if not isinstance(rec["completion"], str):
                raise DataError(path, "expected a string", line=lineno, field="completion")
            problem = (problems or {}).get(pid)
            if problem is None:
                raise DataError(path, f"HumanEval completion for unknown task {pid!r} (its prompt is needed)",
                                line=lineno, field=pid_field)
            codes = [problem.starter_code + rec["completion"]]
        elif "output_list" in rec or "output" in rec:
            name = "output_list" if "output_list" in rec else "output"
            raw = _string_list(path, lineno, rec, name) if name == "output_list" else [rec[name]]
            if not all(isinstance(x, str) for x in raw):
                raise DataError(path, "expected a string", line=lineno, field=name)
            codes = [extract_code(r, gens.language) or "" for r in raw]
        else:
            raise DataError(path, "no code: expected one of code_list, code, completion, output_list, output",
                            line=lineno)
        if raw is None and "output_list" in rec and isinstance(rec["output_list"], list):
            raw = [x for x in rec["output_list"] if isinstance(x, str)] or None
        gens.codes.extend(codes)
        if raw is not None and len(raw) == len(codes):
            gens.outputs = (gens.outputs or []) + raw
        if gens.language is None:
            gens.language = _detected_language(raw or [], (problems or {}).get(pid))
    return out


def _detected_language(outputs: list[str], problem: Problem | None) -> str | None:
    """The language of the outputs' final fences if they agree, else the problem's own, else None."""
    fenced = {b.language for b in map(final_code_block, outputs) if b is not None and b.language in ("python", "cpp")}
    if len(fenced) == 1:
        return fenced.pop()
    language = problem.metadata.get("language") if problem is not None else None
    return language if language in ("python", "cpp") else None
