"""Every problem source by name, from local files or from the hub: the one entry point the CLI uses.

| name                 | local ``path``                                   | ``split``                               |
|----------------------|--------------------------------------------------|-----------------------------------------|
| ``livecodebench``    | a folder with ``test.jsonl`` .. ``test6.jsonl``, or one file | a version tag (``release_v5``) or a paper split (``v5_2408_2502``) |
| ``livecodebench-cpp``| a file or folder of LiveCodeBench-CPP rows       | ``v5_2408_2501`` / ``v6_2408_2505``      |
| ``code_contests``    | a file or folder of CodeContests rows            | ``train`` / ``valid`` / ``test``        |
| ``codecontests-repo``| the packed codecontests-repo JSONL               | -                                       |
| ``taco``             | a file or folder of TACO rows                    | ``train`` / ``test`` (part of the ids)  |
| ``apps``             | ``train.jsonl`` / ``test.jsonl``                 | ``train`` / ``test`` (part of the ids)  |
| ``open-r1/codeforces``| a file or folder of rows                        | ``train`` / ``test``                    |
| ``ocr2``             | OpenCodeReasoning-2 rows (questions are rebuilt) | ``python`` / ``cpp``                    |
| ``debugbench``       | the DebugBench benchmark folder or one file      | the language: ``python`` / ``cpp``      |

Without a ``path`` the source is read from the hub (see :mod:`.hub`; ``HubOptions(offline=True)`` reads only the
cache). Any other file the project reads (HumanEval, MBPP, our own JSONL or Parquet, ...) loads with
``name="auto"`` through :func:`.load.load_problems`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from codecritique.errors import DataError
from codecritique.problems.formats import ReadOptions, read
from codecritique.problems.hub import HubOptions, hub_files, hub_rows, hub_source, load_hub_dataset, origin
from codecritique.problems.lcb import filter_problems
from codecritique.problems.model import Problem
from codecritique.problems.tables import rows_of

SOURCE_NAMES = ("livecodebench", "livecodebench-cpp", "code_contests", "codecontests-repo", "taco", "apps",
                "open-r1/codeforces", "ocr2", "debugbench", "auto")
_ALIASES = {"lcb": "livecodebench", "lcb-cpp": "livecodebench-cpp", "codecontests": "code_contests",
            "codeforces": "open-r1/codeforces", "opencodereasoning-2": "ocr2", "cc-repo": "codecontests-repo"}
DEFAULT_SPLITS = {"livecodebench": "release_v6", "livecodebench-cpp": "v5_2408_2501", "code_contests": "test",
                  "taco": "test", "apps": "test", "open-r1/codeforces": "train", "ocr2": "python",
                  "debugbench": "python"}


def source_name(name: str) -> str:
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in SOURCE_NAMES:
        raise ValueError(f"unknown problem source {name!r}; known: {', '.join(SOURCE_NAMES)}")
    return key


def load_source(
    name: str,
    path: str | Path | None = None,
    *,
    split: str | None = None,
    hub: HubOptions | None = None,
    with_samples: bool = False,
    with_solutions: bool = False,
    test_kinds: Iterable[str] | None = None,
    ocr2_sources: Mapping[str, str | Path] | None = None,
    ocr2_with_tests: bool = False,
    window: str | None = None,
    platforms: Iterable[str] | None = None,
    difficulties: Iterable[str] | None = None,
) -> list[Problem]:
    """The problems of source ``name`` (table above), then filtered by date window, platform and difficulty.

    ``with_samples``: problems without tests get the sample tests of their statement. ``with_solutions``:
    keep human solutions (CodeContests, TACO, APPS) in ``metadata``. ``test_kinds``: CodeContests test kinds
    (public, private, generated). ``ocr2_sources``: local copies of the datasets OCR-2 rows point into (see
    :class:`.ocr2.SourceRows`); datasets without one are read from the hub when ``hub`` is given.
    """
    key = source_name(name)
    if key == "auto":
        if path is None:
            raise ValueError("source 'auto' reads a file: give its path")
        from codecritique.problems.load import load_problems

        problems = load_problems(path, with_samples=with_samples)
    else:
        problems = _LOADERS[key](path, split, hub, with_solutions=with_solutions, test_kinds=test_kinds,
                                 ocr2_sources=ocr2_sources, ocr2_with_tests=ocr2_with_tests)
        if with_samples:
            from codecritique.problems.samples import add_samples

            add_samples(problems)
    if window or platforms is not None or difficulties is not None:
        problems = filter_problems(problems, window=window, platforms=platforms, difficulties=difficulties)
    return problems


def _lcb(path, split, hub, **_):
    from codecritique.problems.lcb_releases import PAPER_SPLITS, paper_split, read_lcb_release
    from codecritique.problems.load import load_problems

    split = split or DEFAULT_SPLITS["livecodebench"]
    if path is not None and Path(path).is_file():
        problems = load_problems(path)
        return paper_split(problems, split) if split in PAPER_SPLITS else problems
    release = PAPER_SPLITS[split][0] if split in PAPER_SPLITS else split
    problems = read_lcb_release(release, path, hub=hub)
    return paper_split(problems, split) if split in PAPER_SPLITS else problems


def _lcb_cpp(path, split, hub, **_):
    from codecritique.problems.lcb_cpp import problem_from_lcb_cpp

    if path is not None:
        return read("lcb", path)
    split = split or DEFAULT_SPLITS["livecodebench-cpp"]
    src = hub_source("livecodebench-cpp")
    ds = load_hub_dataset(src, split, hub)
    return [problem_from_lcb_cpp(rec) for rec in rows_of(ds, origin(src, split, (hub or HubOptions()).revision))]


def _code_contests(path, split, hub, *, with_solutions=False, test_kinds=None, **_):
    from codecritique.problems.codecontests import TEST_KINDS, problem_from_code_contests

    kinds = tuple(test_kinds) if test_kinds is not None else TEST_KINDS
    if path is not None:
        return read("code_contests", path, ReadOptions(with_solutions=with_solutions, test_kinds=kinds))
    rows = hub_rows("code_contests", split or DEFAULT_SPLITS["code_contests"], hub)
    return [problem_from_code_contests(r, tests=kinds, with_solutions=with_solutions) for r in rows]


def _cc_repo(path, split, hub, **_):
    if path is None:
        raise DataError(None, "codecontests-repo is a local packed file: give its path")
    return read("codecontests-repo", path)


def _taco(path, split, hub, *, with_solutions=False, **_):
    from codecritique.problems.taco import problem_from_taco

    if path is not None:
        return read("taco", path, ReadOptions(split=split, with_solutions=with_solutions))
    split = split or DEFAULT_SPLITS["taco"]
    return [problem_from_taco(r, i, split=split, with_solutions=with_solutions)
            for i, r in enumerate(hub_rows("taco", split, hub))]


def _apps(path, split, hub, *, with_solutions=False, **_):
    from codecritique.problems.apps import problem_from_apps
    from codecritique.problems.tables import iter_rows

    if path is not None:
        return read("apps", path, ReadOptions(split=split, with_solutions=with_solutions))
    split = split or DEFAULT_SPLITS["apps"]
    return [problem_from_apps(r, split=split, with_solutions=with_solutions)
            for f in hub_files("apps", split, hub) for r in iter_rows(f)]


def _codeforces(path, split, hub, **_):
    from codecritique.problems.codeforces import problem_from_codeforces

    if path is not None:
        return read("open-r1-codeforces", path)
    rows = hub_rows("open-r1/codeforces", split or DEFAULT_SPLITS["open-r1/codeforces"], hub)
    return [problem_from_codeforces(r) for r in rows]


def _ocr2(path, split, hub, *, ocr2_sources=None, ocr2_with_tests=False, **_):
    from codecritique.problems.ocr2 import SourceRows, ocr2_row, question_problems, read_ocr2, rebuild_questions

    if path is not None:
        rows = read_ocr2(path, language=split)
    else:
        split = split or DEFAULT_SPLITS["ocr2"]
        rows = [ocr2_row(r, language=split) for r in hub_rows("ocr2", split, hub)]
    sources = SourceRows(ocr2_sources, hub)
    rebuild_questions(rows, sources)
    return question_problems(rows, sources, with_tests=ocr2_with_tests)


def _debugbench(path, split, hub, **_):
    if path is None:
        raise DataError(None, "debugbench is read from its benchmark folder: give its path")
    return read("debugbench", path, ReadOptions(split=split or "python"))


_LOADERS = {"livecodebench": _lcb, "livecodebench-cpp": _lcb_cpp, "code_contests": _code_contests,
            "codecontests-repo": _cc_repo, "taco": _taco, "apps": _apps, "open-r1/codeforces": _codeforces,
            "ocr2": _ocr2, "debugbench": _debugbench}
