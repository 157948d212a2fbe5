"""Load problems from any supported file, detecting its format from the fields of its first record.

| format         | container          | recognised by the first record's fields                        |
|----------------|--------------------|----------------------------------------------------------------|
| ``ours``       | JSONL              | ``id`` (the project's own :mod:`.jsonl` schema)                |
| ``lcb``        | JSONL              | ``question_id`` and ``question_content`` (also LiveCodeBench-CPP) |
| ``lcb-eval-all``| one JSON array    | ``question_id`` and ``code_list`` / ``output_list`` / ``graded_list`` |
| ``humaneval``  | JSONL              | ``task_id``, ``prompt``, ``test``, ``entry_point``             |
| ``humaneval-x``| JSONL              | ``task_id``, ``prompt``, ``test``, ``declaration``             |

Any of them may be gzip-compressed (``*.gz``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from codecritique.errors import DataError
from codecritique.problems import humaneval, jsonl, lcb, lcb_cpp
from codecritique.problems.model import Problem
from codecritique.problems.records import Record, iter_json_array, iter_jsonl, open_text

FORMATS = ("ours", "lcb", "lcb-eval-all", "humaneval", "humaneval-x")
_EVAL_ALL_FIELDS = ("code_list", "output_list", "graded_list")


def load_problems(path: str | Path, fmt: str = "auto", *, with_samples: bool = False) -> list[Problem]:
    """All problems in ``path``; ``fmt`` is one of :data:`FORMATS` or ``"auto"`` (detect from the first record).

    ``with_samples`` applies to LiveCodeBench records without tests (see :mod:`.lcb`).
    """
    path = str(path)
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "ours":
        return jsonl.read_problems(path)
    if fmt == "lcb":
        return lcb_cpp.read_lcb_cpp(path, with_samples=with_samples)  # LiveCodeBench, or its C++ version
    if fmt == "lcb-eval-all":
        return lcb.read_lcb_eval_all(path, with_samples=with_samples)
    if fmt == "humaneval":
        return humaneval.read_humaneval(path)
    if fmt == "humaneval-x":
        return humaneval.read_humaneval_x(path)
    raise DataError(path, f"unknown format {fmt!r}; expected auto or one of: {', '.join(FORMATS)}")


def detect_format(path: str | Path) -> str:
    """The format of ``path``, from whether it is a JSON array and from the fields of its first record."""
    path = str(path)
    first = next(_records(path), None)
    if first is None:
        raise DataError(path, "no records: the file is empty")
    fields = set(first.data)
    if {"question_id", "question_content"} <= fields:
        return "lcb-eval-all" if fields & set(_EVAL_ALL_FIELDS) else "lcb"
    if {"task_id", "prompt", "test"} <= fields:
        if "declaration" in fields:
            return "humaneval-x"
        if "entry_point" in fields:
            return "humaneval"
    if "id" in fields:
        return "ours"
    seen = ", ".join(sorted(fields)) or "none"
    raise DataError(path, f"unknown problem format; fields seen in the first record: {seen}", line=first.line)


def _records(path: str) -> Iterator[Record]:
    """The file's records, read as a JSON array if its first non-blank character is '[' and as JSONL otherwise."""
    head = ""
    try:
        with open_text(path) as f:
            while not head.strip():
                chunk = f.read(4096)
                if not chunk:
                    break
                head += chunk
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(path, f"cannot read file: {e}") from e
    return iter_json_array(path) if head.lstrip().startswith("[") else iter_jsonl(path)


def index_by_id(problems: Iterable[Problem]) -> dict[str, Problem]:
    """Problems keyed by id; two problems with the same id raise DataError."""
    index: dict[str, Problem] = {}
    for p in problems:
        if p.id in index:
            raise DataError(None, f"duplicate problem id {p.id!r}", field="id")
        index[p.id] = p
    return index
