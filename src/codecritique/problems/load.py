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
from codecritique.problems import convert, humaneval, jsonl, lcb, lcb_cpp, samples, tables
from codecritique.problems.model import Problem
from codecritique.problems.records import Record, iter_json_array, iter_jsonl, open_text

FORMATS = ("ours", "lcb", "lcb-eval-all", "humaneval", "humaneval-x", "mbpp", "ocr2", "open-r1-codeforces",
           "code_contests", "codecontests-repo", "apps", "taco", "debugbench", "ours-parquet")
_EVAL_ALL_FIELDS = ("code_list", "output_list", "graded_list")


def load_problems(path: str | Path, fmt: str = "auto", *, with_samples: bool = False) -> list[Problem]:
    """All problems in ``path``; ``fmt`` is one of :data:`FORMATS` or ``"auto"`` (detect from the first record).

    ``with_samples`` applies to LiveCodeBench records without tests (see :mod:`.lcb`).
    """
    path = str(path)
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "ours":
        problems = jsonl.read_problems(path)
        convert.check_manifest(path, problems)
        return problems
    if fmt == "lcb":
        return lcb_cpp.read_lcb_cpp(path, with_samples=with_samples)  # LiveCodeBench, or its C++ version
    if fmt == "lcb-eval-all":
        return lcb.read_lcb_eval_all(path, with_samples=with_samples)
    if fmt == "humaneval":
        return humaneval.read_humaneval(path)
    if fmt == "humaneval-x":
        return humaneval.read_humaneval_x(path)
    if fmt == "mbpp":
        return humaneval.read_mbpp(path)
    problems = _load_source_format(path, fmt)
    if problems is not None:
        if with_samples:
            samples.add_samples(problems)
        return problems
    raise DataError(path, f"unknown format {fmt!r}; expected auto or one of: {', '.join(FORMATS)}")


def detect_format(path: str | Path) -> str:
    """The format of ``path``, from whether it is a JSON array and from the fields of its first record."""
    path = str(path)
    first = next(_records(path), None)
    if first is None:
        raise DataError(path, "no records: the file is empty")
    fields = set(first.data)
    if fmt := _source_format(fields, path):
        return fmt
    if {"question_id", "question_content"} <= fields:
        return "lcb-eval-all" if fields & set(_EVAL_ALL_FIELDS) else "lcb"
    if {"task_id", "prompt", "test"} <= fields:
        if "declaration" in fields:
            return "humaneval-x"
        if "entry_point" in fields:
            return "humaneval"
    if {"task_id", "test_list"} <= fields and fields & {"text", "prompt"}:
        return "mbpp"
    if "id" in fields:
        return "ours"
    seen = ", ".join(sorted(fields)) or "none"
    raise DataError(path, f"unknown problem format; fields seen in the first record: {seen}", line=first.line)


def _source_format(fields: set[str], path: str) -> str | None:
    """The dataset formats of :mod:`.sources`, told apart by their fields (checked before ``ours``, since some of
    them also have an ``id``)."""
    if {"r1_generation", "dataset", "split", "index"} <= fields:
        return "ocr2"
    if {"contest_id", "index", "description"} <= fields and fields & {"examples", "official_tests", "input_format"}:
        return "open-r1-codeforces"
    if {"name", "description"} <= fields and fields & {"public_tests", "private_tests", "solutions"}:
        return "code_contests"
    if {"problem_md", "solution_py"} <= fields:
        return "codecontests-repo"
    if {"question", "input_output"} <= fields:
        return "apps" if "problem_id" in fields else "taco"
    if {"slug", "oracle_code", "buggy_code"} <= fields:
        return "debugbench"
    if {"id", "tests"} <= fields and _is_table(path):
        return "ours-parquet"
    return None


def _load_source_format(path: str, fmt: str) -> list[Problem] | None:
    """Problems of the dataset formats (None for a format this function does not know)."""
    from codecritique.problems import apps, codecontests, codeforces, ocr2, taco

    if fmt == "ours-parquet":
        problems = convert.read_parquet(path)
        convert.check_manifest(path, problems)
        return problems
    if fmt == "code_contests":
        return codecontests.read_code_contests(path)
    if fmt == "codecontests-repo":
        return codecontests.read_codecontests_repo(path)
    if fmt == "apps":
        return apps.read_apps(path)
    if fmt == "taco":
        return taco.read_taco(path)
    if fmt == "open-r1-codeforces":
        return codeforces.read_codeforces(path)
    if fmt == "debugbench":
        from codecritique.problems.debugbench import LANGUAGES, problem_from_debugbench, read_debugbench

        prefix = Path(path).name.partition("_")[0]
        return [problem_from_debugbench(r) for r in read_debugbench(path, LANGUAGES.get(prefix, "python"))]
    if fmt == "ocr2":
        rows = ocr2.read_ocr2(path)
        if any(r.question == ocr2.PLACEHOLDER for r in rows):
            raise DataError(path, "OpenCodeReasoning-2 rows hold the placeholder question '-': rebuild the questions "
                                  "from their source datasets (problems.sources.load_source('ocr2', path, "
                                  "ocr2_sources={...}) or `codecritique problems convert --source ocr2`)")
        return ocr2.question_problems(rows)
    return None


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
