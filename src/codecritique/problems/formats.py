"""The one registry of problem file formats: how each is recognised from its first record, and how it is read.

:func:`.load.load_problems` (any file, format detected) and :func:`.sources.load_source` (a named source, from a
local path or the hub) both read local files through it, so a format is registered once. Formats are tried in
the order below (dataset formats before ``ours``: some of them also have an ``id``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from codecritique.errors import DataError
from codecritique.problems.model import Problem


@dataclass(frozen=True)
class ReadOptions:
    """What a caller may ask of a reader (each reader uses what applies to it)."""

    with_samples: bool = False  # LiveCodeBench records without tests: the statement's sample tests
    with_solutions: bool = False  # CodeContests, TACO, APPS: keep human solutions in metadata
    test_kinds: tuple[str, ...] | None = None  # CodeContests: public, private, generated
    split: str | None = None  # TACO/APPS: part of the ids; DebugBench: the language


@dataclass(frozen=True)
class Format:
    name: str
    detect: Callable[[set[str], str], bool]  # (fields of the first record, path) -> is it this format
    read: Callable[[str, ReadOptions], list[Problem]]
    samples_added: bool = False  # with_samples adds the statements' sample tests after reading


def _is_table(path: str) -> bool:
    from codecritique.problems import tables

    return Path(path).is_dir() or path.lower().endswith(tables.PARQUET_SUFFIXES + tables.ARROW_SUFFIXES)


def _ours(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems import convert, jsonl

    problems = jsonl.read_problems(path)
    convert.check_manifest(path, problems)
    return problems


def _ours_parquet(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems import convert

    problems = convert.read_parquet(path)
    convert.check_manifest(path, problems)
    return problems


def _lcb(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.lcb_cpp import read_lcb_cpp

    return read_lcb_cpp(path, with_samples=o.with_samples)  # LiveCodeBench, or its C++ version


def _lcb_eval_all(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.lcb import read_lcb_eval_all

    return read_lcb_eval_all(path, with_samples=o.with_samples)


def _humaneval(reader: str) -> Callable[[str, ReadOptions], list[Problem]]:
    def read(path: str, o: ReadOptions) -> list[Problem]:
        from codecritique.problems import humaneval

        return getattr(humaneval, reader)(path)

    return read


def _code_contests(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.codecontests import TEST_KINDS, read_code_contests

    return read_code_contests(path, tests=o.test_kinds if o.test_kinds is not None else TEST_KINDS,
                              with_solutions=o.with_solutions)


def _cc_repo(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.codecontests import read_codecontests_repo

    return read_codecontests_repo(path)


def _apps(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.apps import read_apps

    return read_apps(path, split=o.split, with_solutions=o.with_solutions)


def _taco(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.taco import read_taco

    return read_taco(path, split=o.split, with_solutions=o.with_solutions)


def _codeforces(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.codeforces import read_codeforces

    return read_codeforces(path)


def _debugbench(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems.debugbench import LANGUAGES, problem_from_debugbench, read_debugbench

    language = o.split or LANGUAGES.get(Path(path).name.partition("_")[0], "python")  # python3_*.json, cpp_*.json
    return [problem_from_debugbench(r) for r in read_debugbench(path, language)]


def _ocr2(path: str, o: ReadOptions) -> list[Problem]:
    from codecritique.problems import ocr2

    rows = ocr2.read_ocr2(path)
    if any(r.question == ocr2.PLACEHOLDER for r in rows):
        raise DataError(path, "OpenCodeReasoning-2 rows hold the placeholder question '-': rebuild the questions "
                              "from their source datasets (problems.sources.load_source('ocr2', path, "
                              "ocr2_sources={...}) or `codecritique problems convert --source ocr2`)")
    return ocr2.question_problems(rows)


_EVAL_ALL_FIELDS = {"code_list", "output_list", "graded_list"}

REGISTRY: tuple[Format, ...] = (
    Format("ocr2", lambda f, p: {"r1_generation", "dataset", "split", "index"} <= f, _ocr2, samples_added=True),
    Format("open-r1-codeforces", lambda f, p: {"contest_id", "index", "description"} <= f
           and bool(f & {"examples", "official_tests", "input_format"}), _codeforces, samples_added=True),
    Format("code_contests", lambda f, p: {"name", "description"} <= f
           and bool(f & {"public_tests", "private_tests", "solutions"}), _code_contests, samples_added=True),
    Format("codecontests-repo", lambda f, p: {"problem_md", "solution_py"} <= f, _cc_repo, samples_added=True),
    Format("apps", lambda f, p: {"question", "input_output", "problem_id"} <= f, _apps, samples_added=True),
    Format("taco", lambda f, p: {"question", "input_output"} <= f, _taco, samples_added=True),
    Format("debugbench", lambda f, p: {"slug", "oracle_code", "buggy_code"} <= f, _debugbench, samples_added=True),
    Format("ours-parquet", lambda f, p: {"id", "tests"} <= f and _is_table(p), _ours_parquet, samples_added=True),
    Format("lcb-eval-all", lambda f, p: {"question_id", "question_content"} <= f and bool(f & _EVAL_ALL_FIELDS),
           _lcb_eval_all),
    Format("lcb", lambda f, p: {"question_id", "question_content"} <= f, _lcb),
    Format("humaneval-x", lambda f, p: {"task_id", "prompt", "test", "declaration"} <= f,
           _humaneval("read_humaneval_x")),
    Format("humaneval", lambda f, p: {"task_id", "prompt", "test", "entry_point"} <= f,
           _humaneval("read_humaneval")),
    Format("mbpp", lambda f, p: {"task_id", "test_list"} <= f and bool(f & {"text", "prompt"}),
           _humaneval("read_mbpp")),
    Format("ours", lambda f, p: "id" in f, _ours),
)
BY_NAME = {f.name: f for f in REGISTRY}
NAMES = tuple(BY_NAME)


def get_format(name: str, path: str | None = None) -> Format:
    if name not in BY_NAME:
        raise DataError(path, f"unknown format {name!r}; expected auto or one of: {', '.join(NAMES)}")
    return BY_NAME[name]


def detect(fields: Iterable[str], path: str) -> Format | None:
    """The first registered format whose first-record fields match, or None."""
    fields = set(fields)
    return next((f for f in REGISTRY if f.detect(fields, path)), None)


def read(name: str, path: str | Path, options: ReadOptions = ReadOptions()) -> list[Problem]:
    """The problems of a local file or folder in format ``name``."""
    from codecritique.problems.samples import add_samples

    fmt = get_format(name, str(path))
    problems = fmt.read(str(path), options)
    if options.with_samples and fmt.samples_added:
        add_samples(problems)
    return problems
