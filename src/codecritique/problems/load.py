"""Load problems from any supported file, detecting its format from the fields of its first record.

| format         | container          | recognised by the first record's fields                        |
|----------------|--------------------|----------------------------------------------------------------|
| ``ours``       | JSONL              | ``id`` (the project's own :mod:`.jsonl` schema)                |
| ``lcb``        | JSONL              | ``question_id`` and ``question_content`` (also LiveCodeBench-CPP) |
| ``lcb-eval-all``| one JSON array    | ``question_id`` and ``code_list`` / ``output_list`` / ``graded_list`` |
| ``humaneval``  | JSONL              | ``task_id``, ``prompt``, ``test``, ``entry_point``             |
| ``humaneval-x``| JSONL              | ``task_id``, ``prompt``, ``test``, ``declaration``             |
| ``ocr2``       | any table          | ``r1_generation``, ``dataset``, ``split``, ``index`` (questions must be rebuilt: :mod:`.ocr2`) |
| ``open-r1-codeforces`` | any table  | ``contest_id``, ``index``, ``description`` and examples / official tests / formats |
| ``code_contests``| any table        | ``name``, ``description`` and public/private tests or solutions |
| ``codecontests-repo``| JSONL        | ``problem_md``, ``solution_py``                                 |
| ``apps``       | any table          | ``question``, ``input_output``, ``problem_id``                   |
| ``taco``       | any table          | ``question``, ``input_output`` (and no ``problem_id``)           |
| ``debugbench`` | one JSON array     | ``slug``, ``oracle_code``, ``buggy_code``                        |
| ``ours-parquet``| Parquet           | ``id`` and ``tests`` (written by :mod:`.convert`)               |

Any of them may be gzip-compressed (``*.gz``); "any table" also means Parquet or Arrow files, or a folder of shards
(:mod:`.tables`). Our own files are checked against their manifest (``<file>.manifest.json``) when they have one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from codecritique.errors import DataError
from codecritique.problems import formats, tables
from codecritique.problems.model import Problem
from codecritique.problems.records import Record, iter_json_array, iter_jsonl, open_text

FORMATS = formats.NAMES


def load_problems(path: str | Path, fmt: str = "auto", *, with_samples: bool = False) -> list[Problem]:
    """All problems in ``path``; ``fmt`` is one of :data:`FORMATS` or ``"auto"`` (detect from the first record).

    ``with_samples`` applies to LiveCodeBench records without tests (see :mod:`.lcb`) and adds the statements'
    sample tests to the dataset formats.
    """
    path = str(path)
    if fmt == "auto":
        fmt = detect_format(path)
    return formats.read(fmt, path, formats.ReadOptions(with_samples=with_samples))


def detect_format(path: str | Path) -> str:
    """The format of ``path``, from whether it is a JSON array and from the fields of its first record."""
    path = str(path)
    first = next(_records(path), None)
    if first is None:
        raise DataError(path, "no records: the file is empty")
    found = formats.detect(first.data, path)
    if found is None:
        seen = ", ".join(sorted(first.data)) or "none"
        raise DataError(path, f"unknown problem format; fields seen in the first record: {seen}", line=first.line)
    return found.name


def _is_table(path: str) -> bool:
    """A Parquet or Arrow file, or a folder of shards (everything else is JSON text)."""
    return Path(path).is_dir() or path.lower().endswith(tables.PARQUET_SUFFIXES + tables.ARROW_SUFFIXES)


def _records(path: str) -> Iterator[Record]:
    """The file's records, read as a JSON array if its first non-blank character is '[' and as JSONL otherwise;
    Parquet and Arrow files and folders of shards through :mod:`.tables`."""
    if _is_table(path):
        return tables.iter_rows(path)
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
