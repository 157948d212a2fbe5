"""The problems stats / inspect / convert command functions."""

import json

import pytest

from codecritique.errors import DataError
from codecritique.problems.commands import problems_convert, problems_inspect, problems_stats, read_inputs
from codecritique.problems.load import load_problems

from .conftest import FIXTURES, data_file

SRC = FIXTURES / "sources"


def test_stats_text_and_json():
    text = problems_stats([SRC / "taco" / "train-00000-of-00001.jsonl", FIXTURES / "lcb_small.jsonl"],
                          samples=True)
    assert "problems: 6" in text and "sample tests in the statements:" in text
    assert "codewars" in text and "not_found" in text
    data = json.loads(problems_stats([FIXTURES / "lcb_small.jsonl"], as_json=True, samples=True,
                                     platforms=["atcoder"]))
    assert data["problems"] == 1 and data["statement_samples"]["by_platform"] == {"atcoder": {"found": 1}}


def test_named_source_folder():
    problems = read_inputs([SRC / "taco"], source="taco", split="test")
    assert [p.id for p in problems] == ["taco/test/0", "taco/test/1", "taco/test/2"]
    assert len(read_inputs([SRC / "codeforces"], source="codeforces", difficulties=["800"])) == 1
    with pytest.raises(DataError, match="name a --source"):
        read_inputs([])


def test_inspect():
    text = problems_inspect([SRC / "codeforces" / "train-00000-of-00001.jsonl"], "2059/B", max_chars=0)
    assert "title:        Any Permutation" in text and "checker_source" in text
    with pytest.raises(DataError, match="similar ids: 2063/A"):
        problems_inspect([SRC / "codeforces" / "train-00000-of-00001.jsonl"], "2063")


def test_convert_records_provenance(tmp_path):
    out = tmp_path / "cf.parquet"
    conv = problems_convert([SRC / "codeforces"], out, source="codeforces", platforms=["codeforces"])
    assert conv.problems == 3 and conv.format == "ours-parquet"
    prov = conv.provenance
    assert prov["source"] == "codeforces" and prov["platforms"] == ["codeforces"]
    assert prov["inputs"] == [{"path": str(SRC / "codeforces")}]
    assert [p.id for p in load_problems(out)] == ["2063/A", "2059/B", "1999/G1"]
    with pytest.raises(DataError, match="nothing to convert"):
        problems_convert([SRC / "codeforces"], tmp_path / "none.jsonl", source="codeforces", window="1001-1002")


def test_paper_split_conversion_on_real_data(tmp_path):
    """release_v5 (the O1 eval_all files hold its 880 statements) -> the paper's 279, converted once."""
    path = data_file("lcb-submissions/O1-Mini-2024-09-12 (N=1)/Scenario.codegeneration_1_0.2_eval_all.json")
    conv = problems_convert([path], tmp_path / "v5_2408_2502.jsonl", window="2408-2502", with_samples=True)
    problems = load_problems(tmp_path / "v5_2408_2502.jsonl")
    assert conv.problems == len(problems) == 279
    platforms = [p.platform for p in problems]
    assert (platforms.count("atcoder"), platforms.count("leetcode")) == (175, 104)
    difficulties = [p.difficulty for p in problems]
    assert [difficulties.count(d) for d in ("easy", "medium", "hard")] == [67, 89, 123]
