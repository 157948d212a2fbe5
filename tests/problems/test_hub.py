"""The online path, tested offline: the calls made to ``datasets`` / ``huggingface_hub`` (repository ids, configs,
splits, revisions, cache, offline switch) with fakes standing in for the network, and a real ``datasets.load_dataset``
on a local repository folder in the hub's layout."""

import datetime
import json
import shutil

import pytest

from codecritique.errors import DataError
from codecritique.problems import hub
from codecritique.problems.hub import (HubOptions, HubSource, hub_files, hub_rows, lcb_release_files,
                                       load_hub_dataset, offline_mode)
from codecritique.problems.lcb_releases import paper_split, read_lcb_release, read_paper_split
from codecritique.problems.records import iter_jsonl
from codecritique.problems.sources import load_source

from .conftest import FIXTURES

SRC = FIXTURES / "sources"


def test_lcb_release_files_are_the_loading_scripts():
    assert lcb_release_files("release_v1") == ("test.jsonl",)
    assert lcb_release_files("release_v5") == ("test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl",
                                               "test5.jsonl")
    assert lcb_release_files("release_latest") == lcb_release_files("release_v6")
    assert lcb_release_files("v1") == ("test.jsonl",) and lcb_release_files("v6") == ("test6.jsonl",)
    assert lcb_release_files("v4_v5") == ("test4.jsonl", "test5.jsonl")
    for bad in ("release_v7", "v5_v4", "latest", "v0"):
        with pytest.raises(ValueError, match="version tag"):
            lcb_release_files(bad)


@pytest.fixture
def fake_download(monkeypatch, tmp_path):
    """hf_hub_download answered from a folder: test.jsonl .. test6.jsonl, one LiveCodeBench problem each."""
    import huggingface_hub
    import huggingface_hub.constants as hconst

    rows = [r.data for r in iter_jsonl(FIXTURES / "lcb_small.jsonl")]
    repo = tmp_path / "repo"
    repo.mkdir()
    dates = ["2024-05-02T00:00:00", "2024-08-03T00:00:00", "2024-10-10T00:00:00", "2025-01-05T00:00:00",
             "2025-02-27T00:00:00", "2025-04-01T00:00:00"]
    for i, name in enumerate(hub.LCB_FILES):
        row = dict(rows[i % 2], question_id=f"q{i + 1}", contest_date=dates[i])
        (repo / name).write_text(json.dumps(row) + "\n")
    calls = []

    def download(repo_id, filename, *, repo_type=None, revision=None, cache_dir=None, token=None):
        calls.append({"repo_id": repo_id, "filename": filename, "repo_type": repo_type, "revision": revision,
                      "cache_dir": cache_dir, "offline": hconst.HF_HUB_OFFLINE})
        if not (repo / filename).exists():
            raise FileNotFoundError(filename)
        return str(repo / filename)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
    return calls


def test_lcb_release_from_the_hub(fake_download):
    problems = read_lcb_release("release_v5", hub=HubOptions(revision="abc123", cache_dir="/cache", offline=True))
    assert [p.id for p in problems] == ["q1", "q2", "q3", "q4", "q5"]
    assert all(p.metadata["release"] == "release_v5" for p in problems)
    assert [c["filename"] for c in fake_download] == list(lcb_release_files("release_v5"))
    assert all(c["repo_id"] == "livecodebench/code_generation_lite" and c["repo_type"] == "dataset" and
               c["revision"] == "abc123" and c["cache_dir"] == "/cache" and c["offline"] for c in fake_download)
    # the paper's window over the release (whole months 2024-08 .. 2025-02)
    assert [p.id for p in paper_split(problems)] == ["q2", "q3", "q4", "q5"]
    assert [p.id for p in read_paper_split("v6_2408_2505", hub=HubOptions())] == ["q2", "q3", "q4", "q5", "q6"]
    assert [p.id for p in load_source("livecodebench", split="v4_v5", hub=HubOptions())] == ["q4", "q5"]


def test_offline_cache_miss_is_a_clear_error(monkeypatch):
    import huggingface_hub

    def missing(*a, **k):
        raise OSError("We have no connection or you passed local_files_only")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", missing)
    with pytest.raises(DataError, match="cannot get the file from the hub cache") as e:
        hub_files("apps", "train", HubOptions(offline=True))
    assert e.value.path == "hf://datasets/codeparrot/apps/train.jsonl"


def test_lcb_release_from_a_folder(tmp_path):
    rows = [r.data for r in iter_jsonl(FIXTURES / "lcb_small.jsonl")]
    for i, name in enumerate(("test.jsonl", "test2.jsonl")):
        (tmp_path / name).write_text(json.dumps(dict(rows[0], question_id=f"p{i}")) + "\n")
    assert [p.id for p in read_lcb_release("release_v2", tmp_path)] == ["p0", "p1"]
    with pytest.raises(DataError, match="missing: LiveCodeBench release_v3 needs") as e:
        read_lcb_release("release_v3", tmp_path)
    assert e.value.path.endswith("test3.jsonl")
    (tmp_path / "test2.jsonl").write_text(json.dumps(dict(rows[0], question_id="p0")) + "\n")
    with pytest.raises(DataError, match="appears in two files"):
        read_lcb_release("release_v2", tmp_path)


@pytest.fixture
def fake_load_dataset(monkeypatch):
    """datasets.load_dataset answered with the fixture rows of the requested repository."""
    import datasets
    import datasets.config as dconfig

    files = {"deepmind/code_contests": SRC / "code_contests" / "test-00000-of-00001.jsonl",
             "open-r1/codeforces": SRC / "codeforces" / "train-00000-of-00001.jsonl",
             "BAAI/TACO": SRC / "taco" / "train-00000-of-00001.jsonl",
             "nvidia/OpenCodeReasoning-2": SRC / "ocr2" / "python" / "train-00000-of-00001.jsonl"}
    calls = []

    def load_dataset(path, name=None, *, split=None, revision=None, cache_dir=None, token=None):
        calls.append({"path": path, "name": name, "split": split, "revision": revision, "cache_dir": cache_dir,
                      "offline": dconfig.HF_HUB_OFFLINE})
        rows = [r.data for r in iter_jsonl(files[path])]
        if path == "deepmind/code_contests":  # as HF types it: no nulls in the time limit struct
            for r in rows:
                r["time_limit"] = r["time_limit"] or {"seconds": 0, "nanos": 0}
        return datasets.Dataset.from_list(rows)

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return calls


def test_parquet_sources_through_datasets(fake_load_dataset):
    opts = HubOptions(revision="r1", cache_dir="/c", offline=True)
    cc = load_source("code_contests", hub=opts, with_solutions=True)
    assert [p.id for p in cc] == ["1575_A. Another Sorting Problem", "p02547 AtCoder Beginner Contest 179 - Go to Jail"]
    assert cc[0].metadata["solutions"][0]["language"] == "python3" and cc[1].time_limit is None
    cf = load_source("codeforces", split="test", hub=HubOptions())
    taco = load_source("taco", split="train", hub=HubOptions())
    assert len(cf) == 3 and [p.id for p in taco] == ["taco/train/0", "taco/train/1", "taco/train/2"]
    assert fake_load_dataset[0] == {"path": "deepmind/code_contests", "name": None, "split": "test", "revision": "r1",
                                    "cache_dir": "/c", "offline": True}
    assert (fake_load_dataset[1]["path"], fake_load_dataset[1]["name"], fake_load_dataset[1]["split"]) == \
        ("open-r1/codeforces", "default", "test")
    assert (fake_load_dataset[2]["path"], fake_load_dataset[2]["name"]) == ("BAAI/TACO", "ALL")


def test_ocr2_from_the_hub_with_local_sources(fake_load_dataset):
    local = {"taco": SRC / "taco", "apps": SRC / "apps", "code_contests": SRC / "code_contests",
             "open-r1/codeforces": SRC / "codeforces"}
    problems = load_source("ocr2", split="python", hub=HubOptions(), ocr2_sources=local)
    assert [p.id for p in problems] == ["q-taco-0", "q-apps-1", "q-cc-0", "q-cf-0"]
    assert fake_load_dataset[0]["path"] == "nvidia/OpenCodeReasoning-2" and fake_load_dataset[0]["split"] == "python"


def test_ocr2_sources_from_the_hub(fake_load_dataset, monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download",
                        lambda repo_id, filename, **k: str(SRC / "apps" / filename))
    problems = load_source("ocr2", SRC / "ocr2" / "python" / "train-00000-of-00001.jsonl", hub=HubOptions())
    assert problems[0].statement.startswith("You are given n.")
    assert problems[1].statement == "Given a list of numbers, return the largest."
    assert problems[3].statement.startswith("Given a segment [l, r]")
    repos = [c["path"] for c in fake_load_dataset]
    assert set(repos) == {"BAAI/TACO", "deepmind/code_contests", "open-r1/codeforces"}


def test_rows_normalise_timestamps(fake_load_dataset, monkeypatch):
    import datasets

    ts = datetime.datetime(2024, 8, 3, 0, 0)
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: datasets.Dataset.from_list(
        [{"question_id": "a", "contest_date": ts}]))
    (rec,) = list(hub_rows("livecodebench-cpp", "v5_2408_2501"))
    assert rec.data == {"question_id": "a", "contest_date": "2024-08-03T00:00:00"}
    assert rec.path == "hf://datasets/nvidia/LiveCodeBench-CPP/v5_2408_2501" and rec.line == 1


def test_load_errors_name_the_repository(monkeypatch):
    import datasets

    def fail(*a, **k):
        raise ConnectionError("offline")

    monkeypatch.setattr(datasets, "load_dataset", fail)
    with pytest.raises(DataError, match="cannot load from the hub cache: ConnectionError") as e:
        load_hub_dataset("code_contests", "test", HubOptions(offline=True, revision="main"))
    assert e.value.path == "hf://datasets/deepmind/code_contests@main/test"


def test_real_datasets_on_a_local_repository(tmp_path):
    """datasets.load_dataset itself, on a folder laid out like the hub repository (Parquet under data/)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    repo = tmp_path / "code_contests"
    (repo / "data").mkdir(parents=True)
    rows = [r.data for r in iter_jsonl(SRC / "code_contests" / "test-00000-of-00001.jsonl")]
    for r in rows:
        r["time_limit"] = r["time_limit"] or {"seconds": 0, "nanos": 0}
    pq.write_table(pa.Table.from_pylist(rows), repo / "data" / "test-00000-of-00001.parquet")
    src = HubSource("code_contests", str(repo), splits=("test",))
    ds = load_hub_dataset(src, "test", HubOptions(offline=True, cache_dir=str(tmp_path / "cache")),
                          columns=["name", "description"])
    assert ds.column_names == ["name", "description"] and len(ds) == 2
    recs = list(hub_rows(HubSource("code_contests", str(repo)), "test", HubOptions(cache_dir=str(tmp_path / "c2"))))
    from codecritique.problems.codecontests import problem_from_code_contests

    p = problem_from_code_contests(recs[0], with_solutions=True)
    assert p.tests[0].input == "5 2\nAA\nAB\nBB\nBA\nAZ\n" and p.time_limit == 1.5
    assert problem_from_code_contests(recs[1]).time_limit is None  # {0, 0} means no limit
    with pytest.raises(DataError, match="no column"):
        load_hub_dataset(src, "test", HubOptions(cache_dir=str(tmp_path / "cache")), columns=["nope"])
    shutil.rmtree(tmp_path / "cache")


def test_offline_mode_restores_the_switches():
    import os

    import datasets.config as dconfig
    import huggingface_hub.constants as hconst

    before = (os.environ.get("HF_HUB_OFFLINE"), dconfig.HF_HUB_OFFLINE, hconst.HF_HUB_OFFLINE)
    with offline_mode(True):
        assert dconfig.HF_HUB_OFFLINE and hconst.HF_HUB_OFFLINE and os.environ["HF_HUB_OFFLINE"] == "1"
    assert (os.environ.get("HF_HUB_OFFLINE"), dconfig.HF_HUB_OFFLINE, hconst.HF_HUB_OFFLINE) == before


def test_unknown_names():
    with pytest.raises(ValueError, match="unknown hub source"):
        hub.hub_source("mbpp")
    with pytest.raises(ValueError, match="unknown split"):
        hub_files("apps", "valid")
    with pytest.raises(ValueError, match="raw-file repository"):
        load_hub_dataset("apps", "train")
