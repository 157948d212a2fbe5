"""The Hugging Face hub copies of the problem sources, and how to read them online (or from the hub's cache).

Every source is read either from local files (any path :mod:`.tables` reads) or from the hub. Online, two routes,
both through the hub's cache (``$HF_HOME``; ``cache_dir`` overrides it) so a second run downloads nothing:

* Parquet/Arrow repositories (CodeContests, open-r1/codeforces, TACO's ``ALL`` config, OpenCodeReasoning-2,
  LiveCodeBench-CPP) through ``datasets.load_dataset(repo, config, split=..., revision=..., cache_dir=...)``;
  the rows then go through the same record converters as local files (:func:`.tables.rows_of`);
* repositories whose data are raw JSON Lines files read by a loading script (``livecodebench/code_generation_lite``,
  ``codeparrot/apps``; ``datasets`` >= 4 no longer runs scripts) by downloading exactly the files the script reads
  (``huggingface_hub.hf_hub_download``), then reading them as local files, in the script's order.

``offline=True`` reads the cache only (HF_HUB_OFFLINE); without network and without a cached copy that is a clear
error naming the repository. The hub revisions are not pinned by default (the authors used the latest); pass
``revision`` (a commit hash) to pin one, and convert the result once to the project's own format
(:mod:`.convert`), whose checksum then fixes what the release means.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.problems.records import Record
from codecritique.problems.tables import iter_rows, rows_of

# LiveCodeBench code_generation_lite: the files each version tag reads (its loading script's ALLOWED_FILES).
LCB_FILES = ("test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl", "test6.jsonl")


def lcb_release_files(tag: str) -> tuple[str, ...]:
    """The files of a LiveCodeBench version tag: ``release_v1`` .. ``release_v6`` and ``release_latest`` (cumulative),
    ``v1`` .. ``v6`` (one file each) and ``vI_vJ`` (files I..J), exactly as ``code_generation_lite.py`` lists them."""
    versions = [f"v{i}" for i in range(1, len(LCB_FILES) + 1)]
    if tag == "release_latest":
        return LCB_FILES
    if tag.startswith("release_v") and tag[len("release_"):] in versions:
        return LCB_FILES[: versions.index(tag[len("release_"):]) + 1]
    if tag in versions:
        return (LCB_FILES[versions.index(tag)],)
    first, _, last = tag.partition("_")
    if first in versions and last in versions and versions.index(first) < versions.index(last):
        return LCB_FILES[versions.index(first): versions.index(last) + 1]
    raise ValueError(f"unknown LiveCodeBench version tag {tag!r}: use release_v1..release_v6, release_latest, "
                     f"v1..v6 or vI_vJ (e.g. v4_v5)")


@dataclass(frozen=True)
class HubSource:
    """Where a source lives on the hub. ``files`` (split -> repository files) marks a raw-file repository."""

    name: str
    repo_id: str
    config: str | None = None
    splits: tuple[str, ...] = ()
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""

    def split_files(self, split: str) -> tuple[str, ...]:
        if self.name == "livecodebench":
            return lcb_release_files(split)
        if split not in self.files:
            raise ValueError(f"{self.name}: unknown split {split!r}; splits are {', '.join(self.files)}")
        return self.files[split]


HUB_SOURCES: dict[str, HubSource] = {s.name: s for s in (
    HubSource("livecodebench", "livecodebench/code_generation_lite",
              splits=("release_v1", "release_v2", "release_v3", "release_v4", "release_v5", "release_v6",
                      "release_latest"),
              note="split = a version tag; raw JSONL files read by the repository's loading script"),
    HubSource("livecodebench-cpp", "nvidia/LiveCodeBench-CPP", splits=("v5_2408_2501", "v6_2408_2505"),
              note="read with problems.lcb_cpp"),
    HubSource("code_contests", "deepmind/code_contests", splits=("train", "valid", "test")),
    HubSource("taco", "BAAI/TACO", config="ALL", splits=("train", "test"),
              note="the ALL config: the Parquet conversion of the Arrow shards the authors' script loaded"),
    HubSource("apps", "codeparrot/apps", splits=("train", "test"),
              files={"train": ("train.jsonl",), "test": ("test.jsonl",)},
              note="raw JSONL files read by the repository's loading script"),
    HubSource("open-r1/codeforces", "open-r1/codeforces", config="default", splits=("train", "test")),
    HubSource("ocr2", "nvidia/OpenCodeReasoning-2", splits=("python", "cpp"),
              note="question fields are '-' placeholders: rebuild them with problems.ocr2"),
)}
ALIASES = {"lcb": "livecodebench", "lcb-cpp": "livecodebench-cpp", "codecontests": "code_contests",
           "codeforces": "open-r1/codeforces", "open-r1-codeforces": "open-r1/codeforces",
           "opencodereasoning-2": "ocr2", "nvidia/opencodereasoning-2": "ocr2"}


def hub_source(name: str) -> HubSource:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in HUB_SOURCES:
        raise ValueError(f"unknown hub source {name!r}; known: {', '.join(HUB_SOURCES)}")
    return HUB_SOURCES[key]


@dataclass
class HubOptions:
    revision: str | None = None  # a branch, tag or commit of the repository; None: its main branch
    cache_dir: str | None = None  # None: the hub's default cache ($HF_HOME, $HF_DATASETS_CACHE)
    offline: bool | None = None  # True: never touch the network; None: the environment decides (HF_HUB_OFFLINE)
    token: str | bool | None = None  # for gated repositories; None: the logged-in token, if any


@contextlib.contextmanager
def offline_mode(offline: bool | None) -> Iterator[None]:
    """Make ``datasets`` and ``huggingface_hub`` work from the cache only (or, with None, leave them be). Their
    offline switches are read at import, so both the environment and the modules' constants are set."""
    if offline is None:
        yield
        return
    import datasets.config as dconfig
    import huggingface_hub.constants as hconst

    saved = (os.environ.get("HF_HUB_OFFLINE"), dconfig.HF_HUB_OFFLINE, hconst.HF_HUB_OFFLINE)
    os.environ["HF_HUB_OFFLINE"] = "1" if offline else "0"
    dconfig.HF_HUB_OFFLINE = hconst.HF_HUB_OFFLINE = bool(offline)
    try:
        yield
    finally:
        if saved[0] is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = saved[0]
        dconfig.HF_HUB_OFFLINE, hconst.HF_HUB_OFFLINE = saved[1], saved[2]


def hub_files(source: str | HubSource, split: str, options: HubOptions | None = None) -> list[Path]:
    """Download (or find in the cache) the raw files of a split of a raw-file repository, in reading order."""
    from huggingface_hub import hf_hub_download

    src = source if isinstance(source, HubSource) else hub_source(source)
    options = options or HubOptions()
    paths = []
    with offline_mode(options.offline):
        for filename in src.split_files(split):
            try:
                paths.append(Path(hf_hub_download(src.repo_id, filename, repo_type="dataset",
                                                  revision=options.revision, cache_dir=options.cache_dir,
                                                  token=options.token)))
            except Exception as e:  # network, auth, missing file, offline cache miss: all end the same way
                raise DataError(f"hf://datasets/{src.repo_id}/{filename}",
                                f"cannot get the file from the hub{' cache' if options.offline else ''}: "
                                f"{type(e).__name__}: {e}") from e
    return paths


def load_hub_dataset(source: str | HubSource, split: str, options: HubOptions | None = None,
                     columns: list[str] | None = None) -> Any:
    """``datasets.load_dataset`` of one split of a Parquet/Arrow repository (memory-mapped, random access);
    ``columns`` keeps only those columns."""
    import datasets

    src = source if isinstance(source, HubSource) else hub_source(source)
    if src.files or src.name == "livecodebench":
        raise ValueError(f"{src.name} is a raw-file repository: use hub_files / hub_rows")
    options = options or HubOptions()
    with offline_mode(options.offline):
        try:
            ds = datasets.load_dataset(src.repo_id, src.config, split=split, revision=options.revision,
                                       cache_dir=options.cache_dir, token=options.token)
        except Exception as e:
            raise DataError(origin(src, split, options.revision),
                            f"cannot load from the hub{' cache' if options.offline else ''}: "
                            f"{type(e).__name__}: {e}") from e
    if columns:
        missing = [c for c in columns if c not in ds.column_names]
        if missing:
            raise DataError(origin(src, split, options.revision), f"no column(s) {', '.join(missing)} "
                                                                   f"(columns: {', '.join(ds.column_names)})")
        ds = ds.select_columns(columns)
    return ds


def hub_rows(source: str | HubSource, split: str, options: HubOptions | None = None,
             columns: list[str] | None = None) -> Iterator[Record]:
    """The rows of one split of a hub source, as records, in the dataset's order."""
    src = source if isinstance(source, HubSource) else hub_source(source)
    if src.files or src.name == "livecodebench":
        for path in hub_files(src, split, options):
            yield from iter_rows(path)
        return
    ds = load_hub_dataset(src, split, options, columns)
    yield from rows_of(ds, origin(src, split, (options or HubOptions()).revision))


def origin(src: HubSource, split: str, revision: str | None = None) -> str:
    """How a hub split is named in error messages: ``hf://datasets/<repo>[@<revision>][/<config>]/<split>``."""
    rev = f"@{revision}" if revision else ""
    config = f"/{src.config}" if src.config else ""
    return f"hf://datasets/{src.repo_id}{rev}{config}/{split}"
