"""Stage 1, questions: problems from any loader turned into OCR-2 question records.

A question record is a plain dict (JSON-serialisable, one line of ``questions.jsonl``)::

    {"question_id", "question", "source", "dataset", "split", "index", "difficulty", "license", "n_tests",
     "problem": Problem.to_dict()}

* ``question`` is built as the authors' ``get_question`` builds it (NeMo-Skills ``prepare_questions.py``): the
  CodeContests ``description``, the TACO/APPS ``question``, the open-r1/codeforces description with its Input,
  Output, Examples and Note sections. The loaders already hold exactly that text in ``Problem.statement``
  (:mod:`codecritique.problems.codeforces` builds it with the same function the OCR-2 rebuild uses), so the
  statement is the question.
* ``question_id`` is the source's own id (``taco/train/12``, the CodeContests name, the Codeforces ``id``, ...).
* ``source`` is the platform spelled as in the paper's Table 1 (``CodeForces``, ``AtCoder``, ...).
* Benchmark test splits (LiveCodeBench, HumanEval, MBPP, DebugBench, and the ``test`` split of CodeContests,
  open-r1/codeforces, APPS and TACO) are refused unless ``allow_benchmarks`` is set: they are what the result is
  evaluated on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.problems.model import Problem

POOL_PATH = Path(__file__).resolve().parent / "data" / "pool.jsonl"
POOL_BENCHMARK_PATH = Path(__file__).resolve().parent / "data" / "pool_benchmark.jsonl"

# Table 1's spelling of each platform; keys are lower-cased platform names as the loaders write them
PLATFORM_NAMES = {
    "aizu": "AIZU", "atcoder": "AtCoder", "codechef": "CodeChef", "codeforces": "CodeForces",
    "codewars": "Codewars", "geeksforgeeks": "GeeksForGeeks", "hackerearth": "HackerEarth",
    "hackerrank": "HackerRank", "kattis": "Kattis", "leetcode": "LeetCode",
}
# the source dataset's licence (the OCR-2 ``license`` field)
LICENSES = {"taco": "apache-2.0", "apps": "mit", "code_contests": "cc-by-4.0", "open-r1/codeforces": "cc-by-4.0",
            "pool": "apache-2.0"}
BENCHMARK_SOURCES = frozenset({"livecodebench", "livecodebench-cpp", "humaneval", "humaneval-x", "mbpp",
                               "debugbench"})
HELD_OUT_SPLITS = frozenset({"test"})
_SPLIT_IN_ID = re.compile(r"^(?:taco|apps)/(train|test|valid)/")


@dataclass(frozen=True)
class SourceSpec:
    """One ``--questions``/``--benchmarks`` argument: ``[NAME[@SPLIT]=]PATH``, ``NAME@SPLIT`` (the hub) or
    ``pool`` (the question pool shipped with the package)."""

    name: str  # a problems.sources name, "auto" for a file of any format, or "pool"
    path: str | None = None
    split: str | None = None

    @classmethod
    def parse(cls, text: str) -> "SourceSpec":
        text = text.strip()
        if not text:
            raise ValueError("empty question source")
        if text in ("pool", "pool-benchmark"):
            return cls(text)
        head, eq, path = text.partition("=")
        if not eq:
            if "@" in text and not Path(text).exists():
                name, _, split = text.partition("@")
                return cls(name, None, split or None)
            return cls("auto", text)
        name, _, split = head.partition("@")
        return cls(name or "auto", path, split or None)

    def label(self) -> str:
        if self.name in ("pool", "pool-benchmark"):
            return self.name
        where = self.path or "hub"
        return f"{self.name}{'@' + self.split if self.split else ''}={where}"


@dataclass
class QuestionOptions:
    allow_benchmarks: bool = False  # take benchmark test splits as training questions
    max_question_tokens: int | None = None  # the authors' recipe drops questions over 3200 tokens; off by default
    length_tokenizer: str | None = None  # HF folder of the tokenizer that counts them (default: the bundled one)
    min_question_chars: int = 1
    hub_offline: bool = True
    ocr2_sources: dict[str, str] = field(default_factory=dict)


def load_spec(spec: SourceSpec, options: QuestionOptions | None = None) -> list[Problem]:
    """The problems of one source (the loaders do the reading and raise DataError naming the file and record)."""
    options = options or QuestionOptions()
    if spec.name == "pool":
        from codecritique.problems.load import load_problems

        return load_problems(POOL_PATH)
    if spec.name == "pool-benchmark":
        from codecritique.problems.load import load_problems

        return load_problems(POOL_BENCHMARK_PATH)
    from codecritique.problems.hub import HubOptions
    from codecritique.problems.sources import load_source

    hub = None if spec.path else HubOptions(offline=options.hub_offline)
    return load_source(spec.name, spec.path, split=spec.split, hub=hub,
                       ocr2_sources=options.ocr2_sources or None, ocr2_with_tests=spec.name == "ocr2")


def dataset_of(spec: SourceSpec, problem: Problem) -> str:
    """The OCR-2 ``dataset`` value: taco / apps / code_contests / open-r1/codeforces, else the loader's source."""
    if spec.name == "pool":
        return "pool"
    if problem.source == "ocr2":
        return str(problem.metadata.get("dataset", "ocr2"))
    from codecritique.problems.sources import source_name

    name = source_name(spec.name) if spec.name != "auto" else (problem.source or "auto")
    aliases = {"codecontests": "code_contests", "codeforces": "open-r1/codeforces", "code-contests": "code_contests"}
    return aliases.get(name, name)


def split_of(spec: SourceSpec, problem: Problem) -> str:
    if problem.metadata.get("split"):
        return str(problem.metadata["split"])
    m = _SPLIT_IN_ID.match(problem.id)
    if m:
        return m.group(1)
    if spec.split:
        return spec.split
    if spec.path:
        from codecritique.problems.apps import split_of as split_from_name

        found = split_from_name(Path(spec.path))
        if found:
            return found
    return "train" if spec.name == "pool" else ""


def index_of(problem: Problem, position: int) -> int:
    value = problem.metadata.get("index")
    try:
        return int(value) if value is not None and not isinstance(value, bool) else position
    except (TypeError, ValueError):
        return position


def is_benchmark(dataset: str, split: str) -> bool:
    if dataset in BENCHMARK_SOURCES:
        return True
    return dataset in ("code_contests", "open-r1/codeforces", "apps", "taco") and split in HELD_OUT_SPLITS


def question_record(problem: Problem, *, dataset: str, split: str, index: int) -> dict[str, Any]:
    platform = (problem.platform or "").lower()
    return {
        "question_id": problem.id,
        "question": problem.statement,
        "source": PLATFORM_NAMES.get(platform, problem.platform or ""),
        "dataset": dataset,
        "split": split,
        "index": index,
        "difficulty": problem.difficulty or "",
        "license": str(problem.metadata.get("license") or LICENSES.get(dataset, "")),
        "n_tests": len(problem.tests),
        "problem": problem.to_dict(),
    }


@dataclass
class QuestionsResult:
    records: list[dict[str, Any]]
    dropped: dict[str, int]  # reason -> count
    per_source: dict[str, int]  # source label -> questions read
    examples: dict[str, list[str]]  # reason -> a few question ids


def collect_questions(specs: Iterable[SourceSpec], options: QuestionOptions | None = None, *,
                      count_tokens: Callable[[str], int] | None = None) -> QuestionsResult:
    """Every question of every source, in source order, with the drops counted by reason.

    Raises ValueError naming the source when a benchmark split is given without ``allow_benchmarks``.
    """
    options = options or QuestionOptions()
    records: list[dict[str, Any]] = []
    dropped: dict[str, int] = {}
    examples: dict[str, list[str]] = {}
    per_source: dict[str, int] = {}
    seen_ids: set[str] = set()

    def drop(reason: str, qid: str) -> None:
        dropped[reason] = dropped.get(reason, 0) + 1
        examples.setdefault(reason, [])
        if len(examples[reason]) < 5:
            examples[reason].append(qid)

    for spec in specs:
        problems = load_spec(spec, options)
        per_source[spec.label()] = len(problems)
        for position, p in enumerate(problems):
            dataset, split = dataset_of(spec, p), split_of(spec, p)
            if is_benchmark(dataset, split) and not options.allow_benchmarks:
                raise ValueError(f"{spec.label()}: {dataset} split {split or '?'!r} is a benchmark split "
                                 f"(problem {p.id!r}); training on it contaminates the evaluation. Pass it with "
                                 f"--benchmarks to decontaminate against it, or allow it explicitly")
            if len((p.statement or "").strip()) < options.min_question_chars:
                drop("empty question", p.id)
                continue
            if p.id in seen_ids:
                drop("duplicate question_id", p.id)
                continue
            if options.max_question_tokens is not None and count_tokens is not None \
                    and count_tokens(p.statement) > options.max_question_tokens:
                drop(f"longer than {options.max_question_tokens} tokens", p.id)
                continue
            seen_ids.add(p.id)
            records.append(question_record(p, dataset=dataset, split=split, index=index_of(p, position)))
    return QuestionsResult(records, dropped, per_source, examples)


def benchmark_items(specs: Iterable[SourceSpec], options: QuestionOptions | None = None) -> list[dict[str, Any]]:
    """The benchmark problems to decontaminate against, as ``{"benchmark", "item_id", "text"}``."""
    items = []
    for spec in specs:
        for p in load_spec(spec, options):
            text = p.statement or p.starter_code
            if text.strip():
                items.append({"benchmark": dataset_of(spec, p) if spec.name != "pool-benchmark" else "pool-benchmark",
                              "item_id": p.id, "text": text})
    return items


def problem_of(record: dict[str, Any]) -> Problem:
    """The Problem a question record carries (its tests and limits)."""
    try:
        return Problem.from_dict(record["problem"])
    except (KeyError, TypeError) as e:
        raise DataError(None, f"question {record.get('question_id')!r} has no readable problem: {e}") from e
