"""LiveCodeBench releases (``livecodebench/code_generation_lite`` version tags) and the paper's evaluation windows.

A release is a set of files: ``release_v5`` is ``test.jsonl`` .. ``test5.jsonl`` (880 problems), ``release_v6``
adds ``test6.jsonl`` (1055); ``v5`` is ``test5.jsonl`` alone and ``v4_v5`` is ``test4.jsonl`` + ``test5.jsonl``
(:func:`.hub.lcb_release_files`, the repository's own table). :func:`read_lcb_release` reads a tag from a folder
holding those files, or from the hub, and :func:`paper_split` picks a named evaluation set from it:

| split          | release    | window (whole months) | problems                                           |
|----------------|------------|-----------------------|----------------------------------------------------|
| ``v5_2408_2502`` | release_v5 | 2024-08-01 .. 2025-02-28 | 279: 175 AtCoder + 104 LeetCode; 67/89/123 E/M/H (the paper's) |
| ``v6_2408_2505`` | release_v6 | 2024-08-01 .. 2025-05-31 | 454 (NeMo-Skills' default; LiveCodeBench-CPP v6)   |

The windows are NeMo-Skills' (``start_date <= contest_date <= end_date`` over whole months). LiveCodeBench-CPP
calls the first one ``v5_2408_2501``: it is the same 279 problems, since release_v5 ends early in 2025-02.
"""

from __future__ import annotations

from pathlib import Path

from codecritique.errors import DataError
from codecritique.problems.hub import HubOptions, hub_files, lcb_release_files
from codecritique.problems.lcb import filter_problems, read_lcb
from codecritique.problems.model import Problem

PAPER_SPLITS = {
    "v5_2408_2502": ("release_v5", "2408-2502"),
    "v5_2408_2501": ("release_v5", "2408-2502"),  # LiveCodeBench-CPP's name for the same 279 problems
    "v6_2408_2505": ("release_v6", "2408-2505"),
}


def release_paths(tag: str, directory: str | Path) -> list[Path]:
    """The files of version ``tag`` in ``directory`` (all must be there)."""
    d = Path(directory)
    paths = []
    for name in lcb_release_files(tag):
        candidates = [d / name, d / f"{name}.gz"]
        found = next((p for p in candidates if p.exists()), None)
        if found is None:
            raise DataError(str(d / name), f"missing: LiveCodeBench {tag} needs {', '.join(lcb_release_files(tag))}")
        paths.append(found)
    return paths


def read_lcb_release(tag: str, directory: str | Path | None = None, *, hub: HubOptions | None = None,
                     with_samples: bool = False) -> list[Problem]:
    """The problems of a LiveCodeBench version tag, from ``directory`` (the repository's files) or, without one,
    from the hub (``hub`` options; the default reads online through the cache)."""
    paths = release_paths(tag, directory) if directory is not None else hub_files("livecodebench", tag, hub)
    problems = [p for path in paths for p in read_lcb(path, with_samples=with_samples)]
    seen: set[str] = set()
    for p in problems:
        if p.id in seen:
            raise DataError(None, f"LiveCodeBench {tag}: question_id {p.id!r} appears in two files", field="question_id")
        seen.add(p.id)
        p.metadata["release"] = tag
    return problems


def paper_split(problems: list[Problem], split: str = "v5_2408_2502") -> list[Problem]:
    """The problems of a named evaluation split (table above) among ``problems`` of its release."""
    if split not in PAPER_SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(PAPER_SPLITS)}")
    _, window = PAPER_SPLITS[split]
    return filter_problems(problems, window=window)


def read_paper_split(split: str = "v5_2408_2502", directory: str | Path | None = None, *,
                     hub: HubOptions | None = None, with_samples: bool = False) -> list[Problem]:
    """Read the split's release and keep the split: ``read_paper_split()`` is the paper's 279 problems."""
    release, _ = PAPER_SPLITS.get(split, (None, None))
    if release is None:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(PAPER_SPLITS)}")
    return paper_split(read_lcb_release(release, directory, hub=hub, with_samples=with_samples), split)
