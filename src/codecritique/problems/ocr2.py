"""OpenCodeReasoning-2 (``nvidia/OpenCodeReasoning-2``): question-solution-critique samples whose question must be
rebuilt from the dataset it came from.

A row (config ``train``, splits ``python`` 1,398,166 and ``cpp`` 1,174,475) has the string fields ``question,
r1_generation, qwq_critique, solution, judgement, pass_rate, source, license, dataset, split, difficulty, index, id,
question_id``. ``question`` is the placeholder ``"-"``; ``dataset`` is one of ``taco``, ``apps``,
``code_contests``, ``open-r1/codeforces``, and ``(split, index)`` locate the question in it. The authors rebuild it
with NeMo-Skills' ``get_question`` (how the authors' released questions were made), reproduced exactly by
:func:`get_question`:

* ``code_contests``: ``description`` (None if empty);
* ``taco``, ``apps``: ``question``;
* ``open-r1/codeforces``: :func:`.codeforces.codeforces_question` (description + Input/Output/Examples/Note).

:class:`SourceRows` fetches the rows an OCR-2 file points at, from local copies of the four datasets (one scan of
each split needed, reading only the columns the recipe uses) or from the hub (random access into the cached
Arrow table). :func:`rebuild_questions` fills every placeholder and fails with the OCR-2 file, line and field when a
row points nowhere; :func:`question_problems` turns the rows into one :class:`Problem` per ``question_id`` (the
first row of each, as the authors' script keeps), with the source's tests when ``with_tests=True``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.problems.apps import problem_from_apps, split_of
from codecritique.problems.codecontests import problem_from_code_contests
from codecritique.problems.codeforces import codeforces_question, problem_from_codeforces
from codecritique.problems.hub import HubOptions, hub_files, hub_source, load_hub_dataset, origin
from codecritique.problems.model import Problem
from codecritique.problems.records import Record
from codecritique.problems.tables import iter_rows, rows_of, table_files
from codecritique.problems.taco import problem_from_taco

SOURCE = "ocr2"
PLACEHOLDER = "-"
DATASETS = ("taco", "apps", "code_contests", "open-r1/codeforces")
FIELDS = ("question", "r1_generation", "qwq_critique", "solution", "judgement", "pass_rate", "source", "license",
          "dataset", "split", "difficulty", "index", "id", "question_id")
# the columns get_question reads, per dataset
QUESTION_COLUMNS = {
    "taco": ["question"],
    "apps": ["question"],
    "code_contests": ["description"],
    "open-r1/codeforces": ["description", "input_format", "output_format", "examples", "note"],
}


@dataclass
class OCR2Row:
    """One OpenCodeReasoning-2 sample; ``path``/``line`` say where it was read."""

    id: str
    question_id: str
    question: str
    dataset: str
    split: str
    index: int
    language: str  # "python" | "cpp" (the OCR-2 split), "" if unknown
    source: str = ""  # the platform (AIZU, AtCoder, ...)
    difficulty: str = ""
    license: str = ""
    r1_generation: str = ""
    qwq_critique: str = ""
    solution: str = ""
    judgement: str = ""
    pass_rate: str = ""
    path: str = field(default="", repr=False)
    line: int = field(default=0, repr=False)

    def error(self, message: str, field_name: str | None = None) -> DataError:
        return DataError(self.path or None, message, line=self.line or None, field=field_name)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["path"], d["line"]
        return d


def read_ocr2(path: str | Path, *, language: str | None = None) -> list[OCR2Row]:
    """The rows of an OCR-2 file or folder of shards; ``language`` defaults to the split the path names
    (``train/python/...`` -> python)."""
    return list(iter_ocr2(path, language=language))


def iter_ocr2(path: str | Path, *, language: str | None = None) -> Iterator[OCR2Row]:
    lang = language if language is not None else _language_of(path)
    for rec in iter_rows(path):
        yield ocr2_row(rec, language=lang)


def _language_of(path: str | Path) -> str:
    parts = [p.lower() for p in Path(path).parts]
    for lang in ("python", "cpp"):
        if lang in parts or any(p.startswith(f"{lang}-") or p.startswith(f"{lang}.") for p in parts):
            return lang
    return ""


def ocr2_row(rec: Record, *, language: str = "") -> OCR2Row:
    """One OCR-2 row, type-checked; ``index`` (a string in the release) must be a non-negative integer."""
    dataset = rec.str_field("dataset")
    if dataset not in DATASETS:
        raise rec.error(f"expected one of {', '.join(DATASETS)}, got {dataset!r}", "dataset")
    raw_index = rec.data.get("index")
    try:
        index = int(raw_index) if not isinstance(raw_index, bool) else -1
    except (TypeError, ValueError):
        index = -1
    if index < 0 or (isinstance(raw_index, float) and not raw_index.is_integer()):
        raise rec.error(f"expected a non-negative integer, got {raw_index!r}", "index")
    values = {name: _text(rec, name) for name in FIELDS if name not in ("index", "dataset")}
    return OCR2Row(index=index, dataset=dataset, language=language, path=rec.path, line=rec.line,
                   **{k: v for k, v in values.items()})


def _text(rec: Record, name: str) -> str:
    value = rec.data.get(name)
    if value is None:
        if name in ("id", "question_id", "question", "split"):
            raise rec.error("missing required field", name)
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name == "pass_rate":
        return str(value)
    if not isinstance(value, str):
        raise rec.error(f"expected a string, got {type(value).__name__}", name)
    return value


def get_question(dataset: str, rec: Record) -> str | None:
    """The question of a source row, exactly as NeMo-Skills' ``get_question`` builds it (None where it returns
    None: an empty CodeContests or Codeforces description)."""
    if dataset == "code_contests":
        return rec.str_field("description", "") or None
    if dataset in ("taco", "apps"):
        return rec.str_field("question")
    if dataset == "open-r1/codeforces":
        return codeforces_question(rec)
    raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")


class SourceRows:
    """Rows of the four source datasets by ``(dataset, split, index)``.

    ``local`` maps ``"dataset"`` (a folder holding every split, told apart by file or folder names such as
    ``train-00000-of-00009.parquet`` or ``test.jsonl``) or ``"dataset:split"`` (a file or folder of that split) to
    a path. A dataset with no local path is read from the hub when ``hub`` options are given, and is an error
    otherwise.
    """

    def __init__(self, local: Mapping[str, str | Path] | None = None, hub: HubOptions | None = None):
        self.local = {k: Path(v) for k, v in (local or {}).items()}
        for key in self.local:
            if key.split(":", 1)[0] not in DATASETS:
                raise ValueError(f"unknown source dataset {key!r}; expected one of {', '.join(DATASETS)} "
                                 f"(optionally as dataset:split)")
        self.hub = hub
        self._hub_cache: dict[tuple[str, str, bool], Any] = {}

    def where(self, dataset: str, split: str) -> str:
        paths = self._local_paths(dataset, split)
        if paths:
            return str(paths[0]) if len(paths) == 1 else f"{paths[0].parent} ({len(paths)} files)"
        return origin(hub_source(dataset), split, self.hub.revision if self.hub else None)

    def _local_paths(self, dataset: str, split: str) -> list[Path]:
        if f"{dataset}:{split}" in self.local:
            return [self.local[f"{dataset}:{split}"]]
        if dataset in self.local:
            files = [f for f in table_files(self.local[dataset]) if split_of(f.relative_to(self.local[dataset])
                                                                             if self.local[dataset].is_dir() else f)
                     == split]
            if not files:
                raise DataError(str(self.local[dataset]), f"no files of split {split!r} for {dataset} "
                                                          f"(file or folder names must say train/test/valid)")
            return files
        return []

    def fetch(self, dataset: str, split: str, indices: Iterable[int], *,
              columns: list[str] | None = None) -> dict[int, Record]:
        """The rows at ``indices`` of one split (missing indices are simply absent from the result)."""
        wanted = set(indices)
        if not wanted:
            return {}
        paths = self._local_paths(dataset, split)
        if paths:
            found: dict[int, Record] = {}
            index = 0
            for path in paths:
                for rec in iter_rows(path, columns):
                    if index in wanted:
                        found[index] = rec
                        if len(found) == len(wanted):
                            return found
                    index += 1
            return found
        if self.hub is None:
            raise DataError(None, f"no local copy of {dataset} (split {split}) was given and the hub is not used: "
                                  f"pass a path for {dataset!r} or enable the hub")
        src = hub_source(dataset)
        if src.files:  # raw files (APPS): read them through, like a local copy
            found, index = {}, 0
            for path in hub_files(src, split, self.hub):
                for rec in iter_rows(path):
                    if index in wanted:
                        found[index] = rec
                    index += 1
            return found
        key = (dataset, split, columns is not None)
        if key not in self._hub_cache:
            self._hub_cache[key] = load_hub_dataset(src, split, self.hub, columns)
        ds = self._hub_cache[key]
        rows = {i: ds[i] for i in sorted(wanted) if i < len(ds)}
        recs = rows_of(rows.values(), origin(src, split, self.hub.revision))
        return {i: Record(r.path, i + 1, r.data) for i, r in zip(rows, recs)}


def rebuild_questions(rows: list[OCR2Row], sources: SourceRows, *, force: bool = False) -> None:
    """Fill every placeholder question in place, with :func:`get_question` on the row it points at. A row whose
    question is not the placeholder is left alone unless ``force``. Raises DataError (naming the OCR-2 row) when
    the index is beyond its split or the recipe gives no question."""
    todo: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in rows:
        if r.question == PLACEHOLDER or force:
            todo[(r.dataset, r.split)].add(r.index)
    questions: dict[tuple[str, str, int], str | None] = {}
    for (dataset, split), indices in todo.items():
        found = sources.fetch(dataset, split, indices, columns=QUESTION_COLUMNS[dataset])
        for i, rec in found.items():
            questions[(dataset, split, i)] = get_question(dataset, rec)
    for r in rows:
        if not (r.question == PLACEHOLDER or force):
            continue
        key = (r.dataset, r.split, r.index)
        if key not in questions:
            raise r.error(f"{r.dataset} split {r.split!r} has no row {r.index} ({sources.where(r.dataset, r.split)})",
                          "index")
        if questions[key] is None:
            raise r.error(f"{r.dataset} row {r.index} of split {r.split!r} has an empty description: the recipe "
                          f"gives no question", "index")
        r.question = questions[key]  # type: ignore[assignment]


def question_problems(rows: Iterable[OCR2Row], sources: SourceRows | None = None, *,
                      with_tests: bool = False) -> list[Problem]:
    """One Problem per ``question_id`` (its first row), statement = the rebuilt question. With ``with_tests`` the
    tests, limits and title come from the source dataset's row (which ``sources`` must reach)."""
    first: dict[str, OCR2Row] = {}
    for r in rows:
        first.setdefault(r.question_id, r)
    sources_rows: dict[tuple[str, str, int], Record] = {}
    if with_tests:
        if sources is None:
            raise ValueError("with_tests needs the source datasets (sources=SourceRows(...))")
        todo: dict[tuple[str, str], set[int]] = defaultdict(set)
        for r in first.values():
            todo[(r.dataset, r.split)].add(r.index)
        for (dataset, split), indices in todo.items():
            for i, rec in sources.fetch(dataset, split, indices).items():
                sources_rows[(dataset, split, i)] = rec
    problems = []
    for qid, r in first.items():
        if r.question == PLACEHOLDER:
            raise r.error("the question is still the placeholder: rebuild_questions first", "question")
        meta = {"dataset": r.dataset, "split": r.split, "index": r.index, "license": r.license}
        p = Problem(id=qid, statement=r.question, platform=r.source.lower(), difficulty=r.difficulty,
                    source=SOURCE, metadata=meta)
        rec = sources_rows.get((r.dataset, r.split, r.index))
        if with_tests:
            if rec is None:
                raise r.error(f"{r.dataset} split {r.split!r} has no row {r.index}", "index")
            src = _source_problem(r, rec)
            p.tests, p.title, p.starter_code = src.tests, src.title, src.starter_code
            p.time_limit, p.memory_limit = src.time_limit, src.memory_limit
            p.metadata["source_id"] = src.id
            for k in ("fn_name", "output_wrapped", "checker_source", "checker_convention", "interactive"):
                if k in src.metadata:
                    p.metadata[k] = src.metadata[k]
        problems.append(p)
    return problems


def _source_problem(r: OCR2Row, rec: Record) -> Problem:
    if r.dataset == "taco":
        return problem_from_taco(rec, r.index, split=r.split)
    if r.dataset == "apps":
        return problem_from_apps(rec, split=r.split)
    if r.dataset == "code_contests":
        return problem_from_code_contests(rec)
    return problem_from_codeforces(rec)
